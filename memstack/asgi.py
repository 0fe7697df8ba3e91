"""ASGI entry point: `uvicorn memstack.asgi:application` (see Procfile)."""

import os

import django
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")

# Before serving: migrate if MEMSTACK_AUTO_MIGRATE, then log any schema drift.
django.setup(set_prefix=False)
from apps.agents.mcp.http import mount_mcp  # noqa: E402 - needs the app registry
from apps.core.startup import prepare_web_process  # noqa: E402 - needs the app registry

prepare_web_process()

# Django, with the MCP server (streamable HTTP) at /mcp beside it.
application = mount_mcp(get_asgi_application())
