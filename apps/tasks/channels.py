"""Event channels and who may read them.

`task-<id>` carries the events of one task, `project-<id>` those of every task
of a project. Only members of the project may read either; there are no
public channels. Behind Pushpin, `reader-<project id>-<user id>` carries no
events: every stream of that user on that project listens on it, so that
closing it ends them (events.close_reader_streams).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django_eventstream.channelmanager import ChannelManagerBase

from apps.projects.access import can
from apps.tasks.models import TaskLog

PROJECT_PREFIX = "project-"
TASK_PREFIX = "task-"


def project_channel(project_id) -> str:
    return f"{PROJECT_PREFIX}{project_id}"


def task_channel(task_id) -> str:
    return f"{TASK_PREFIX}{task_id}"


def reader_channel(project_id, user_id) -> str:
    return f"reader-{project_id}-{user_id}"


def project_id_of(channel: str) -> str | None:
    """The project whose members may read `channel`, or None for no such channel."""
    if channel.startswith(PROJECT_PREFIX):
        return channel[len(PROJECT_PREFIX) :]
    if channel.startswith(TASK_PREFIX):
        try:
            task = TaskLog.objects.filter(pk=channel[len(TASK_PREFIX) :]).values("project_id").first()
        except ValidationError:
            return None
        return str(task["project_id"]) if task else None
    return None


class ProjectChannelManager(ChannelManagerBase):
    def get_channels_for_request(self, request, view_kwargs):
        # Our stream views name the one channel they serve; nothing is taken
        # from the query string.
        return {view_kwargs["channel"]}

    def can_read_channel(self, user, channel):
        project_id = project_id_of(channel)
        return user is not None and project_id is not None and can(user, project_id)

    def is_channel_reliable(self, channel):
        return True
