"""`manage.py check_schema`: does the live database match what the code expects?

Exit status: 0 clean (warnings allowed unless --strict), 1 drift, 2 could not
run (database unreachable, unknown alias or app label, broken migrations).
"""

from __future__ import annotations

import json
import sys
import traceback

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections

from apps.core.schema import compare_schema

EXIT_DRIFT = 1
EXIT_COULD_NOT_RUN = 2


class Command(BaseCommand):
    help = (
        "Compare the live database with the schema its applied migrations describe: unapplied, "
        "missing, conflicting and ghost migrations; missing tables, columns, indexes and constraints; "
        "type and nullability drift; INVALID indexes and NOT VALID constraints. "
        "Exit 0 clean, 1 drift, 2 could not run."
    )
    # System checks would exit 1 on a broken project, which reads as "drift";
    # anything that stops the comparison is exit 2 instead.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("app_label", nargs="*", help="Only check these apps (default: all).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database alias (default: 'default').")
        parser.add_argument("--json", action="store_true", help="Print one JSON document instead of lines.")
        parser.add_argument("--strict", action="store_true", help="Warnings fail too (exit 1).")

    def handle(self, *args: str, **options) -> None:
        alias, strict, as_json = options["database"], options["strict"], options["json"]
        try:
            report = compare_schema(alias, frozenset(options["app_label"]))
        except Exception as exc:  # noqa: BLE001 - whatever stops the check is "could not run"
            self._could_not_run(alias, exc, as_json, options["verbosity"])
        finally:
            if alias in connections and not connections[alias].in_atomic_block:
                connections[alias].close()

        if as_json:
            self.stdout.write(json.dumps(report.as_json(strict=strict), indent=2))
        else:
            for finding in report.findings:
                self.stdout.write(finding.line())
            style = self.style.SUCCESS if report.ok(strict=strict) else self.style.ERROR
            self.stdout.write(style(report.summary(strict=strict)))
        if not report.ok(strict=strict):
            sys.exit(EXIT_DRIFT)

    def _could_not_run(self, alias: str, exc: Exception, as_json: bool, verbosity: int) -> None:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        message = f"check_schema could not run on database '{alias}': {type(exc).__name__}: {reason}"
        if verbosity >= 2:
            self.stderr.write(traceback.format_exc())
        if as_json:
            self.stdout.write(json.dumps({"ok": False, "database": {"alias": alias}, "error": message}, indent=2))
        raise CommandError(message, returncode=EXIT_COULD_NOT_RUN)
