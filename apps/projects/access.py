"""Who may do what in a project: the one place every page, API view and
event stream asks.

A user who is not a member of a project gets 404, as if it did not exist, so
project ids cannot be probed. A member whose role does not allow the action
gets 403 (PermissionDenied).
"""

from __future__ import annotations

import enum
import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
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

User = AbstractBaseUser | AnonymousUser


def role_in(user: User, project_id: uuid.UUID | str) -> str | None:
    """The user's role in the project, or None when they are not a member."""
    if not user.is_authenticated:
        return None
    try:
        return Membership.objects.filter(user_id=user.pk, project_id=project_id).values_list("role", flat=True).first()
    except ValidationError:  # not a UUID: nobody is a member of that
        return None


def can(user: User, project_id: uuid.UUID | str, action: Action = Action.VIEW) -> bool:
    role = role_in(user, project_id)
    return role is not None and action in ALLOWED[role]


def may(project: Project, action: Action) -> bool:
    """Whether the user `get_project_for_user` fetched `project` for may also do `action`."""
    return action in ALLOWED[project.user_role]


def get_project_for_user(user: User, project_id: uuid.UUID | str, action: Action = Action.VIEW) -> Project:
    """The project if the user may do `action` in it; Http404 or PermissionDenied otherwise.

    The returned project carries the user's role as `project.user_role`.
    """
    project = None
    if user.is_authenticated:
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
    if not may(project, action):
        raise PermissionDenied(f"Your role in this project ({project.user_role}) does not allow this.")
    return project
