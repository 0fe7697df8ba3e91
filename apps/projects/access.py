"""Who may do what in a project: the one place every page, API view and
event stream asks.

A user who is not a member of a project gets 404, as if it did not exist, so
project ids cannot be probed. A member whose role does not allow the action
gets 403 (PermissionDenied).

A request made with a project API key (apps.agents) is its creator's user
carrying the key as `user.project_key`. Such a request reaches that one
project only (any other is 404, as for a stranger) and only the actions of
the key's scope, never more than the creator's own role allows now: a
member who leaves the project, or is made a viewer, takes the power of the
keys they made with them.
"""

from __future__ import annotations

import enum
import typing
import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F
from django.http import Http404

from apps.projects.models import Membership, Project, Role


class Action(enum.Enum):
    VIEW = "view"  # read the project, its memories, graph and tasks
    EDIT = "edit"  # add, change and delete memories; run tasks
    MANAGE = "manage"  # rename or delete the project, manage its members


ALLOWED: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.EDITOR: frozenset({Action.VIEW, Action.EDIT}),
    Role.OWNER: frozenset({Action.VIEW, Action.EDIT, Action.MANAGE}),
}


class Scope(models.TextChoices):
    """What a project API key may do: `read` (search, get, list) or `write` (also add, delete, cancel)."""

    READ = "read", "Read"
    WRITE = "write", "Read and write"


SCOPE_ALLOWS: dict[str, frozenset[Action]] = {
    Scope.READ: frozenset({Action.VIEW}),
    Scope.WRITE: frozenset({Action.VIEW, Action.EDIT}),
}

User = AbstractBaseUser | AnonymousUser


class ProjectKey(typing.Protocol):
    """What the rules need of a key (apps.agents.models.ProjectAPIKey)."""

    project_id: uuid.UUID
    scope: str


def signed_in(user: User | None) -> AbstractBaseUser | None:
    """The person acting, or None (anonymous, or no one: a command, the beat), as a row's `…_by` keeps it."""
    return user if user is not None and user.is_authenticated else None


def key_of(user: User) -> ProjectKey | None:
    """The API key the request was made with, or None for a user's own session or token."""
    return getattr(user, "project_key", None)


def check_not_key(user: User, doing: str) -> None:
    """Account-level actions (creating a project, say) belong to people: PermissionDenied for a key."""
    if key_of(user) is not None:
        raise PermissionDenied(f"An API key belongs to one project; it cannot {doing}.")


def _outside_key(user: User, project_id: uuid.UUID | str) -> bool:
    """Whether the request came with a key for another project (it then sees nothing of this one)."""
    key = key_of(user)
    return key is not None and str(key.project_id) != str(project_id)


def _scope_refusal(scope: str) -> str:
    if scope == Scope.READ:
        return "This API key is read-only: it cannot change anything in the project."
    return "An API key cannot manage its project (settings, members, keys); sign in as an owner."


def role_in(user: User, project_id: uuid.UUID | str) -> str | None:
    """The user's role in the project, or None when they are not a member (or their key is for another project)."""
    if not user.is_authenticated:
        return None
    if _outside_key(user, project_id):
        return None
    try:
        return Membership.objects.filter(user_id=user.pk, project_id=project_id).values_list("role", flat=True).first()
    except ValidationError:  # not a UUID: nobody is a member of that
        return None


def can(user: User, project_id: uuid.UUID | str, action: Action = Action.VIEW) -> bool:
    role = role_in(user, project_id)
    key = key_of(user)
    return role is not None and action in ALLOWED[role] and (key is None or action in SCOPE_ALLOWS[key.scope])


def may(project: Project, action: Action) -> bool:
    """Whether the user `get_project_for_user` fetched `project` for may also do `action`."""
    scope = getattr(project, "key_scope", None)
    return action in ALLOWED[project.user_role] and (scope is None or action in SCOPE_ALLOWS[scope])


def get_project_for_user(user: User, project_id: uuid.UUID | str, action: Action = Action.VIEW) -> Project:
    """The project if the user may do `action` in it; Http404 or PermissionDenied otherwise.

    The returned project carries the user's role as `project.user_role` (and,
    for a key request, the key's scope as `project.key_scope`).
    """
    project = None
    key = key_of(user)
    if user.is_authenticated and not _outside_key(user, project_id):
        try:
            project = (
                Project.objects.filter(pk=project_id, memberships__user_id=user.pk)
                .annotate(user_role=F("memberships__role"))
                .first()
            )
        except ValidationError:  # not a UUID
            project = None
    if project is None:
        raise Http404("No such project.")
    if key is not None:
        project.key_scope = key.scope
        if action not in SCOPE_ALLOWS[key.scope]:
            raise PermissionDenied(_scope_refusal(key.scope))
    if not may(project, action):
        raise PermissionDenied(f"Your role in this project ({project.user_role}) does not allow this.")
    return project
