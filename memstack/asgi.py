"""ASGI entry point: `uvicorn memstack.asgi:application` (see Procfile)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")

application = get_asgi_application()
