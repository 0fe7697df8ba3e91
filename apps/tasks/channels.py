"""Event channels and who may read them.

`project-<id>` carries the events of every task of a project. Only members of
the project may read it; there are no public channels.
"""

from __future__ import annotations

from django_eventstream.channelmanager import ChannelManagerBase

from apps.projects.access import can

PROJECT_PREFIX = "project-"


def project_channel(project_id) -> str:
    return f"{PROJECT_PREFIX}{project_id}"


def project_id_of(channel: str) -> str | None:
    if channel.startswith(PROJECT_PREFIX):
        return channel[len(PROJECT_PREFIX) :]
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
