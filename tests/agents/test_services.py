from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.agents.models import ProjectAPIKey, hash_secret
from apps.agents.services import key_authenticate, key_create, key_revoke


def test_it_stores_only_a_hash_and_a_visible_prefix(team):
    key, secret = key_create(project=team["project"], created_by=team["owner"], name="Claude", scope="write")
    assert secret.startswith("ms_") and len(secret) > 40
    stored = ProjectAPIKey.objects.get(pk=key.pk)
    assert stored.secret_hash == hash_secret(secret)
    assert secret not in {stored.secret_hash, stored.prefix, stored.name}
    assert secret.startswith(stored.prefix) and stored.prefix.startswith("ms_") and len(stored.prefix) == 11
    assert (stored.scope, stored.created_by, stored.last_used_at, stored.revoked_at) == (
        "write",
        team["owner"],
        None,
        None,
    )


def test_it_makes_a_different_secret_every_time(team):
    secrets = {
        key_create(project=team["project"], created_by=team["owner"], name="a", scope="read")[1] for _ in range(5)
    }
    assert len(secrets) == 5


@pytest.mark.parametrize(
    ("name", "scope", "field"),
    [("", "read", "name"), ("   ", "read", "name"), ("x" * 101, "read", "name"), ("ok", "admin", "scope")],
)
def test_it_refuses_bad_fields(team, name, scope, field):
    with pytest.raises(ValidationError) as refused:
        key_create(project=team["project"], created_by=team["owner"], name=name, scope=scope)
    assert field in refused.value.message_dict
    assert not ProjectAPIKey.objects.exists()


def test_it_gives_no_more_than_the_creator_has(team):
    with pytest.raises(ValidationError) as refused:
        key_create(project=team["project"], created_by=team["viewer"], name="a", scope="write")
    assert "viewer may not write" in refused.value.message_dict["scope"][0]
    with pytest.raises(ValidationError):
        key_create(project=team["project"], created_by=team["outsider"], name="a", scope="read")
    key_create(project=team["project"], created_by=team["viewer"], name="a", scope="read")


def test_it_authenticates_as_the_creator_carrying_the_key(team):
    key, secret = key_create(project=team["project"], created_by=team["owner"], name="a", scope="read")
    user = key_authenticate(secret=secret)
    assert user == team["owner"]
    assert user.project_key.pk == key.pk
    for wrong in ("", "ms_", secret[:-1], secret + "x", "Token " + secret, secret.replace("ms_", "xx_")):
        assert key_authenticate(secret=wrong) is None


def test_it_stops_a_revoked_key_at_once(team):
    key, secret = key_create(project=team["project"], created_by=team["owner"], name="a", scope="read")
    assert key_revoke(key=key) is True
    assert key_authenticate(secret=secret) is None
    assert key_revoke(key=key) is False  # already revoked: no second timestamp
    assert ProjectAPIKey.objects.get(pk=key.pk).revoked_at == key.revoked_at


def test_it_stops_keys_of_a_disabled_account(team):
    _, secret = key_create(project=team["project"], created_by=team["owner"], name="a", scope="read")
    team["owner"].is_active = False
    team["owner"].save(update_fields=["is_active"])
    assert key_authenticate(secret=secret) is None


def test_it_records_use_at_most_once_a_minute(team, django_assert_num_queries):
    key, secret = key_create(project=team["project"], created_by=team["owner"], name="a", scope="read")
    key_authenticate(secret=secret)
    first = ProjectAPIKey.objects.get(pk=key.pk).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only: no write within the minute
        key_authenticate(secret=secret)
    assert ProjectAPIKey.objects.get(pk=key.pk).last_used_at == first

    earlier = timezone.now() - timedelta(minutes=2)
    ProjectAPIKey.objects.filter(pk=key.pk).update(last_used_at=earlier)
    key_authenticate(secret=secret)
    assert ProjectAPIKey.objects.get(pk=key.pk).last_used_at > earlier
