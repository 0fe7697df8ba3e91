"""The keys page (linked from the project's settings) and the Django admin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.agents.models import ProjectAPIKey
from apps.agents.services import key_authenticate


def keys_page(project) -> str:
    return reverse("agents:keys", args=[project.id])


def test_it_links_the_keys_page_from_the_settings_page(client, team):
    client.force_login(team["owner"])
    assert keys_page(team["project"]) in client.get(reverse("projects:edit", args=[team["project"].id])).text
    assert keys_page(team["project"]) in client.get(reverse("projects:detail", args=[team["project"].id])).text


def test_it_creates_a_key_and_shows_the_secret_once(client, team):
    client.force_login(team["owner"])
    response = client.post(keys_page(team["project"]), {"name": "Claude Desktop", "scope": "write"})
    assert response.status_code == 302  # a reload of the page cannot make a second key
    response = client.get(response.url)
    secret = re.search(r'data-testid="new-key-secret">(ms_[^<]+)<', response.text).group(1)
    assert "shown this once" in response.text
    assert key_authenticate(secret=secret).project_key.scope == "write"

    again = client.get(keys_page(team["project"])).text
    assert secret not in again
    assert ProjectAPIKey.objects.get().prefix in again and "Claude Desktop" in again


def test_it_shows_field_errors(client, team):
    client.force_login(team["owner"])
    response = client.post(keys_page(team["project"]), {"name": "", "scope": "everything"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scope"}
    assert not ProjectAPIKey.objects.exists()


def test_it_revokes_from_the_page(client, team, make_key):
    secret = make_key(team["project"], team["owner"])
    key = ProjectAPIKey.objects.get()
    client.force_login(team["owner"])
    response = client.post(reverse("agents:key-revoke", args=[team["project"].id, key.id]), follow=True)
    assert "revoked" in response.text
    assert key_authenticate(secret=secret) is None


@pytest.mark.parametrize(("person", "status"), [("editor", 403), ("viewer", 403), ("outsider", 404)])
def test_it_lets_only_managers_in(client, team, make_key, person, status):
    make_key(team["project"], team["owner"])
    key = ProjectAPIKey.objects.get()
    client.force_login(team[person])
    assert client.get(keys_page(team["project"])).status_code == status
    assert client.post(keys_page(team["project"]), {"name": "a", "scope": "read"}).status_code == status
    assert client.post(reverse("agents:key-revoke", args=[team["project"].id, key.id])).status_code == status
    assert ProjectAPIKey.objects.filter(revoked_at__isnull=True).count() == 1


def test_it_sends_strangers_to_log_in(client, team):
    response = client.get(keys_page(team["project"]))
    assert response.status_code == 302 and "login" in response.url


# -- admin ---------------------------------------------------------------------------


@pytest.fixture
def staff(admin_client):
    return admin_client


def test_it_creates_a_key_in_the_admin_and_shows_the_secret_once(staff, team):
    response = staff.post(
        reverse("admin:agents_projectapikey_add"),
        {"project": team["project"].id, "name": "CI", "scope": "read", "created_by": team["editor"].id},
    )
    assert response.status_code == 200
    secret = re.search(r'data-testid="new-key-secret"[^>]*>(ms_[^<]+)<', response.text).group(1)
    user = key_authenticate(secret=secret)
    assert (user, user.project_key.scope, user.project_key.name) == (team["editor"], "read", "CI")
    change = staff.get(reverse("admin:agents_projectapikey_change", args=[user.project_key.pk])).text
    assert secret not in change


def test_it_refuses_a_key_for_someone_who_may_not_have_it(staff, team):
    response = staff.post(
        reverse("admin:agents_projectapikey_add"),
        {"project": team["project"].id, "name": "CI", "scope": "write", "created_by": team["viewer"].id},
    )
    assert response.status_code == 200
    assert "may not write" in response.text
    assert not ProjectAPIKey.objects.exists()


def test_it_revokes_in_the_admin(staff, team, make_key):
    secret = make_key(team["project"], team["owner"])
    response = staff.post(
        reverse("admin:agents_projectapikey_changelist"),
        {"action": "revoke", "_selected_action": [ProjectAPIKey.objects.get().pk]},
        follow=True,
    )
    assert "1 key(s) revoked" in response.text
    assert key_authenticate(secret=secret) is None
