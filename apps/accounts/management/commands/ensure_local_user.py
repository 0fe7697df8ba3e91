"""Create a first login for a local, embedded installation (used by `make run`).

Does nothing unless DEBUG is on and the database is the embedded SQLite file,
so it can never create a known account on a production database.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apps.projects.services import project_create


class Command(BaseCommand):
    help = "On a local embedded installation with no users, create an admin login and print it."

    def handle(self, *args, **options):
        if not (settings.DEBUG and settings.EMBEDDED_DATABASE):
            self.stdout.write("Not a local embedded installation (DEBUG off or not SQLite): no user created.")
            return
        User = get_user_model()
        if User.objects.exists():
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_superuser("admin", "admin@localhost", password)
        project_create(owner=user, name="My first project", description="Created by make run.")
        login_file = settings.VAR_DIR / "local-login.txt"
        login_file.write_text(f"username: admin\npassword: {password}\n")
        login_file.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created a local login: username 'admin', password '{password}' (also in {login_file})."
            )
        )
