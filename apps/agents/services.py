"""Creating, checking and revoking project API keys."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from apps.agents.models import KEY_PREFIX, SHOWN_CHARS, ProjectAPIKey, hash_secret
from apps.projects.access import ALLOWED, SCOPE_ALLOWS, Scope, role_in
from apps.projects.models import Project

# `last_used_at` is for people deciding which keys are stale: minute precision
# is plenty, and it spares a busy agent a write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


def key_check(*, project: Project, created_by: AbstractBaseUser, name: str, scope: str) -> None:
    """ValidationError when a key with these fields may not be made: a bad name or scope, or a
    creator who may not do what the scope allows (a key never gives more than its creator has)."""
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Give the key a name that says who uses it, e.g. “Claude Desktop on my laptop”."
    elif len(name) > 100:
        errors["name"] = "Keep the name under 100 characters."
    if scope not in Scope.values:
        errors["scope"] = f"Scope must be one of: {', '.join(Scope.values)}."
    else:
        role = role_in(created_by, project.id)
        if role is None or not SCOPE_ALLOWS[scope] <= ALLOWED[role]:
            verb = "read" if scope == Scope.READ else "write"
            errors["scope"] = f"{created_by.get_username()} may not {verb} in this project, so their key may not."
    if errors:
        raise ValidationError(errors)


def key_create(*, project: Project, created_by: AbstractBaseUser, name: str, scope: str) -> tuple[ProjectAPIKey, str]:
    """A new key and its secret. The secret is returned this once and never stored.

    Raises ValidationError as key_check does.
    """
    key_check(project=project, created_by=created_by, name=name, scope=scope)
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ProjectAPIKey.objects.create(
        project=project,
        name=name.strip(),
        scope=scope,
        prefix=secret[:SHOWN_CHARS],
        secret_hash=hash_secret(secret),
        created_by=created_by,
    )
    return key, secret


def key_revoke(*, key: ProjectAPIKey) -> bool:
    """Stop the key at once; False if it was already revoked."""
    now = timezone.now()
    revoked = ProjectAPIKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=now) == 1
    if revoked:
        key.revoked_at = now
    return revoked


def key_authenticate(*, secret: str) -> AbstractBaseUser | None:
    """The user a request with this secret acts as, carrying the key as `user.project_key`; None for no valid key.

    A revoked key, or one whose creator's account is disabled, is no key.
    The access rules (apps.projects.access) then hold the request to the
    key's project and scope.
    """
    if not secret.startswith(KEY_PREFIX):
        return None
    return _acting_user(secret_hash=hash_secret(secret))


def key_acting_user(*, key_id: int) -> AbstractBaseUser | None:
    """Like key_authenticate, by the id of a key checked before (a long MCP session): None once it is revoked."""
    return _acting_user(pk=key_id)


def _acting_user(**lookup) -> AbstractBaseUser | None:
    key = ProjectAPIKey.objects.select_related("created_by").filter(revoked_at__isnull=True, **lookup).first()
    if key is None or not key.created_by.is_active:
        return None
    _touch(key)
    user = key.created_by
    user.project_key = key
    return user


def _touch(key: ProjectAPIKey) -> None:
    """Record a use, at most one write a minute per key (a conditional update: racing requests write once)."""
    now = timezone.now()
    if key.last_used_at is not None and now - key.last_used_at < LAST_USED_PRECISION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    if ProjectAPIKey.objects.filter(stale, pk=key.pk).update(last_used_at=now):
        key.last_used_at = now
