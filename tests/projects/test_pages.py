from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from apps.projects.models import Membership, Project


@pytest.mark.django_db
def test_it_signs_up_and_logs_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("projects:list")
    assert User.objects.filter(username="ada").exists()
    assert client.get(reverse("projects:list")).status_code == 200


@pytest.mark.django_db
def test_it_shows_field_errors_on_a_bad_signup(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "", "email": "not-an-email", "password1": "abc", "password2": "abd"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"username", "email", "password2"}
    assert not User.objects.exists()


def test_it_logs_in_and_out(client, make_user):
    make_user("grace", password="a long passphrase 42")
    response = client.post(reverse("accounts:login"), {"username": "grace", "password": "a long passphrase 42"})
    assert response.status_code == 302
    assert client.get(reverse("projects:list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("projects:list")).status_code == 302


def test_it_rejects_a_wrong_password(client, make_user):
    make_user("grace", password="a long passphrase 42")
    response = client.post(reverse("accounts:login"), {"username": "grace", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_it_creates_a_project_and_makes_the_creator_owner(client, make_user):
    user = make_user()
    client.force_login(user)
    response = client.post(reverse("projects:create"), {"name": "Field notes", "description": "Trips"})
    project = Project.objects.get(name="Field notes")
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.id])
    assert Membership.objects.get(project=project).role == "owner"
    page = client.get(response.url).content.decode()
    assert "Field notes" in page and "owner" in page


def test_it_shows_a_field_error_for_a_missing_name(client, make_user):
    client.force_login(make_user())
    response = client.post(reverse("projects:create"), {"name": "", "description": "x"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Project.objects.exists()


def test_it_lists_only_my_projects_page_by_page(client, make_user, make_project):
    me, someone = make_user(), make_user()
    for n in range(30):
        make_project(me, name=f"Mine {n:02d}")
    make_project(someone, name="Not mine")
    client.force_login(me)
    first = client.get(reverse("projects:list"))
    second = client.get(reverse("projects:list"), {"page": 2})
    names = [p.name for p in first.context["page"]] + [p.name for p in second.context["page"]]
    assert names == [f"Mine {n:02d}" for n in range(30)]
    assert "Page 1 of 2" in first.content.decode()


def test_it_reports_an_unknown_username_when_adding_a_member(client, team):
    client.force_login(team["owner"])
    response = client.post(
        reverse("projects:members", args=[team["project"].id]), {"username": "nobody", "role": "viewer"}
    )
    assert response.status_code == 200
    assert "There is no user called &#x27;nobody&#x27;." in response.content.decode()


def test_it_keeps_the_last_owner(client, team):
    client.force_login(team["owner"])
    own = Membership.objects.get(project=team["project"], user=team["owner"])
    response = client.post(reverse("projects:member-remove", args=[team["project"].id, own.id]), follow=True)
    assert "A project needs at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_it_removes_a_member(client, team):
    client.force_login(team["owner"])
    viewer = Membership.objects.get(project=team["project"], user=team["viewer"])
    response = client.post(reverse("projects:member-remove", args=[team["project"].id, viewer.id]))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=viewer.pk).exists()


def test_it_404s_removing_a_member_of_another_project(client, team, make_project, make_user):
    other = make_project(make_user())
    foreign = Membership.objects.get(project=other)
    client.force_login(team["owner"])
    response = client.post(reverse("projects:member-remove", args=[team["project"].id, foreign.id]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=foreign.pk).exists()
