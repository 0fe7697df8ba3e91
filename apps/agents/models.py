"""Project API keys: what an agent holds instead of a person's password."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from apps.projects.access import Scope

# What every key starts with, so that a leaked one is easy to recognise (and
# to search for in logs and repositories).
KEY_PREFIX = "ms_"
# How much of a key is kept in clear and shown in lists: the prefix and the
# first 8 characters of the secret, enough to tell keys apart.
SHOWN_CHARS = len(KEY_PREFIX) + 8


def hash_secret(secret: str) -> str:
    """A key is stored only as this. The secret has 256 bits of randomness,
    so a fast hash is enough: there is nothing to guess from."""
    return hashlib.sha256(secret.encode()).hexdigest()


class ProjectAPIKey(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=8, choices=Scope.choices)
    prefix = models.CharField(max_length=SHOWN_CHARS, editable=False)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The key acts for this member, never beyond what their role allows now.
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_api_keys")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["project", "-created_at", "id"]
        verbose_name = "project API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
