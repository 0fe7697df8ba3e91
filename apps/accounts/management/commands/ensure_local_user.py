"""Create a first login for a local, embedded installation (used by `make run`).

Does nothing unless the database is the embedded SQLite file and either
`--local` says the caller is `make run` or DEBUG is on, so it can never create
a known account on a production database.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from apps.projects.services import project_create


class Command(BaseCommand):
    help = "On a local embedded installation with no users, create an admin login and print it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--local", action="store_true", help="This is a local installation (make run), DEBUG or not."
        )

    def handle(self, *args, **options):
        if not (settings.EMBEDDED_DATABASE and (settings.DEBUG or options["local"])):
            self.stdout.write(
                "Not a local embedded installation (not SQLite, or neither --local nor DEBUG): no user created."
            )
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
