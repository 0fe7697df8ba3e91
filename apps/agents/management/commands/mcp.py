"""`manage.py mcp --key <key>`: the MCP server over stdio, for clients that launch a local command."""

from __future__ import annotations

import os

import anyio
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Serve MemStack's MCP tools over stdin/stdout, for one project API key."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--key",
            default=os.environ.get("MEMSTACK_API_KEY"),
            help="A project API key (ms_...); MEMSTACK_API_KEY is read when this is not given.",
        )

    def handle(self, *args, **options) -> None:
        from apps.agents.mcp.calls import use_key_for_process
        from apps.agents.mcp.server import build_server
        from apps.agents.services import key_authenticate

        if not options["key"]:
            raise CommandError("Give a project API key: manage.py mcp --key ms_... (or set MEMSTACK_API_KEY).")
        user = key_authenticate(secret=options["key"])
        if user is None:
            raise CommandError("Unknown or revoked API key.")
        use_key_for_process(user.project_key.pk)
        connection.close()  # the tools use connections of their own threads
        key = user.project_key
        # stdout carries the protocol; the settings' log handler writes to stderr.
        self.stderr.write(f"MemStack MCP (stdio) for project {key.project_id}, key “{key.name}” ({key.scope}).")
        anyio.run(build_server().run_stdio_async)
