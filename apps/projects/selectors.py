from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, F, QuerySet

from apps.projects.access import key_of
from apps.projects.models import Membership, Project


def projects_for_user(user: AbstractBaseUser) -> QuerySet[Project]:
    """The user's projects, each with `user_role` and `member_count`; for a key request, the key's project only."""
    projects = Project.objects.filter(memberships__user_id=user.pk)
    if (key := key_of(user)) is not None:
        projects = projects.filter(pk=key.project_id)
    return (
        projects.annotate(user_role=F("memberships__role"))
        .annotate(member_count=Count("members", distinct=True))
        .order_by("name", "id")
    )


def project_memberships(project: Project) -> QuerySet[Membership]:
    return project.memberships.select_related("user").order_by("role", "user__username")
