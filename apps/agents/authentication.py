"""`Authorization: Bearer <key>` for the REST API (and the SSE streams, which use the same classes)."""

from __future__ import annotations

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from apps.agents.services import key_authenticate


class ProjectKeyAuthentication(BaseAuthentication):
    """A project API key: the request acts as the key's creator, held to the key's
    project and scope by the access rules (apps.projects.access)."""

    keyword = "Bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Give one API key after “Bearer”, with no spaces in it.")
        try:
            secret = parts[1].decode()
        except UnicodeDecodeError:
            raise AuthenticationFailed("That is not an API key.") from None
        user = key_authenticate(secret=secret)
        if user is None:
            raise AuthenticationFailed("Unknown or revoked API key.")
        return user, user.project_key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
