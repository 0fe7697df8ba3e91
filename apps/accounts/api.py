"""POST /api/v1/auth/token/: a token for a username and password."""

from __future__ import annotations

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.settings import api_settings


class TokenApi(ObtainAuthToken):
    # DRF's view names its own parsers; ours apply apps.core.input's rules
    # here too, before any credentials are checked.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
