"""What a user sees when a page is missing or the server fails: our pages, not Django's."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import path

from apps.projects.models import Project


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("broken/", broken)]


def test_a_missing_page_is_ours_and_points_home(client, make_user):
    client.force_login(make_user())
    response = client.get("/project/00000000-0000-0000-0000-000000000000/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "This page does not exist" in page and 'href="/projects/"' in page
    assert '<link rel="icon" href="/static/favicon.svg"' in page


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_is_ours_and_says_what_to_do(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page and "The error was logged." in page
    assert "RuntimeError" not in page and "a bug" not in page


def test_the_favicon_is_served(client):
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200 and b"<svg" in b"".join(response.streaming_content)


@pytest.mark.django_db
@override_settings(DEBUG=False, EMBEDDED_DATABASE=True)
def test_make_run_gets_its_local_login_without_debug(tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    call_command("ensure_local_user")
    assert "no user created" in capsys.readouterr().out
    call_command("ensure_local_user", "--local")
    assert "Created a local login: username 'admin'" in capsys.readouterr().out
    assert Project.objects.filter(name="My first project").exists()


@pytest.mark.django_db
@override_settings(DEBUG=True, EMBEDDED_DATABASE=False)
def test_it_never_creates_a_login_on_a_shared_database(capsys):
    call_command("ensure_local_user", "--local")
    assert "no user created" in capsys.readouterr().out
