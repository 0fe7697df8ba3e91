"""WSGI entry point, for management tooling only: serve with ASGI (memstack.asgi),
since Server-Sent Events streams would hold a WSGI worker each."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")

application = get_wsgi_application()
