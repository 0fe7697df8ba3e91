from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.projects.models import Membership, Project, Role


@transaction.atomic
def project_create(*, owner: AbstractBaseUser, name: str, description: str = "") -> Project:
    project = Project.objects.create(name=name, description=description)
    Membership.objects.create(project=project, user=owner, role=Role.OWNER)
    return project


def project_update(*, project: Project, name: str, description: str) -> Project:
    project.name = name
    project.description = description
    project.save(update_fields=["name", "description", "updated_at"])
    return project


def membership_set(*, project: Project, username: str, role: str) -> Membership:
    """Add a user to the project, or change the role of one already in it."""
    User = get_user_model()
    try:
        user = User.objects.get(**{User.USERNAME_FIELD: username})
    except User.DoesNotExist:
        raise ValidationError({"username": f"There is no user called {username!r}."}) from None
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            project=project, user=user, defaults={"role": role}
        )
        if not created and membership.role != role:
            _ensure_an_owner_remains(project, leaving=membership)
            membership.role = role
            membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, project: Project, membership_id: int) -> None:
    """Remove a member; the streams they have open end (apps.tasks closes them on the row's deletion)."""
    membership = Membership.objects.select_for_update().get(project=project, pk=membership_id)
    _ensure_an_owner_remains(project, leaving=membership)
    membership.delete()


def _ensure_an_owner_remains(project: Project, *, leaving: Membership) -> None:
    if leaving.role != Role.OWNER:
        return
    other_owners = (
        Membership.objects.select_for_update().filter(project=project, role=Role.OWNER).exclude(pk=leaving.pk)
    )
    if not other_owners.exists():
        raise ValidationError("A project needs at least one owner; make someone else owner first.")
