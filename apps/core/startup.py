"""What the web and worker processes do before they start work.

* MEMSTACK_AUTO_MIGRATE (for deployments without a release phase): the web
  process applies migrations before serving, under the same lock as
  `manage.py migrate`, so several processes starting at once are safe. A
  failure stops the start: serving on a half-migrated database is worse.
* Every process checks the schema and logs one warning per problem, so a
  deploy that forgot a migration says so in the first lines of its log. This
  check never stops a process: /healthz and `manage.py check_schema` are where
  drift becomes a failure.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from apps.core.schema import compare_schema

logger = logging.getLogger("memstack.startup")


def auto_migrate() -> None:
    if not settings.MEMSTACK_AUTO_MIGRATE:
        return
    logger.info("MEMSTACK_AUTO_MIGRATE is on: applying migrations before serving")
    try:
        call_command("migrate", interactive=False, verbosity=1)
    finally:
        _close(DEFAULT_DB_ALIAS)


def log_schema_problems(process: str, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Log each schema finding as a warning; never raise."""
    try:
        report = compare_schema(alias)
    except Exception as exc:  # noqa: BLE001 - a start-up check must not stop the process
        logger.warning("%s: could not check the database schema: %s", process, exc)
        return
    finally:
        _close(alias)
    if not report.findings:
        logger.info("%s: %s", process, report.summary())
        return
    for finding in report.findings:
        logger.warning("%s: schema %s", process, finding.line())
    logger.warning("%s: %s Details: `manage.py check_schema`.", process, report.summary())


def prepare_web_process() -> None:
    auto_migrate()
    log_schema_problems("web")


def _close(alias: str) -> None:
    # The start-up thread serves no request: give its connection back, unless
    # it belongs to a caller's transaction.
    if not connections[alias].in_atomic_block:
        connections[alias].close()
