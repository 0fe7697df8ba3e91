"""Django's `migrate`, safe to start several times at once.

The whole command runs under the migration lock (apps.core.locks). Django
reads the applied migrations and computes its plan inside handle(), that is
after the lock is taken, so a process that waited finds the work done by the
one before it and applies nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

from apps.core.locks import LockTimeout, migration_lock


class Command(DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " Several at once are safe: each waits for the migration lock."

    def handle(self, *args, **options):
        if options["plan"] or options["check_unapplied"]:
            return super().handle(*args, **options)  # read-only: no reason to queue behind a migration
        connection = connections[options["database"]]

        def say(message: str) -> None:
            if options["verbosity"] >= 1:
                self.stdout.write(message)

        try:
            with migration_lock(connection, timeout=settings.MEMSTACK_MIGRATE_LOCK_TIMEOUT, on_wait=say):
                return super().handle(*args, **options)
        except LockTimeout as exc:
            raise CommandError(str(exc)) from None
