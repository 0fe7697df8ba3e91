"""What `check_schema` reports: findings, their codes, and the report that holds them.

Every code is explained, with its fix, in docs/migrations.md. Codes are part of
the public interface (scripts match on them): add new ones, never rename.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"  # the code will fail, or the database lost a guarantee it relies on
    WARNING = "warning"  # worth fixing, but the code keeps working


# Migration state
UNAPPLIED_MIGRATION = "UNAPPLIED_MIGRATION"
MISSING_MIGRATION = "MISSING_MIGRATION"
CONFLICTING_MIGRATIONS = "CONFLICTING_MIGRATIONS"
GHOST_MIGRATION = "GHOST_MIGRATION"
INCONSISTENT_HISTORY = "INCONSISTENT_HISTORY"
# Live schema
MISSING_TABLE = "MISSING_TABLE"
MISSING_COLUMN = "MISSING_COLUMN"
EXTRA_COLUMN = "EXTRA_COLUMN"
COLUMN_TYPE = "COLUMN_TYPE"
COLUMN_NULLABILITY = "COLUMN_NULLABILITY"
MISSING_DEFAULT = "MISSING_DEFAULT"
MISSING_INDEX = "MISSING_INDEX"
INVALID_INDEX = "INVALID_INDEX"
MISSING_CONSTRAINT = "MISSING_CONSTRAINT"
NOT_VALID_CONSTRAINT = "NOT_VALID_CONSTRAINT"
# Database objects outside Django's model state, checked by the app that owns them
MISSING_EXTENSION = "MISSING_EXTENSION"
STALE_RECALL_INDEX = "STALE_RECALL_INDEX"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    code: str
    object: str  # what it is about: "app.migration", "table", "table.column", "table(columns)"
    message: str
    expected: str | None = None
    actual: str | None = None
    hint: str = ""

    def line(self) -> str:
        """One line per finding, so that `grep` and log search work on it."""
        text = f"[{self.severity.upper()}] {self.code} {self.object}: {self.message}"
        if self.expected is not None or self.actual is not None:
            text += f" (expected: {self.expected or 'nothing'}; actual: {self.actual or 'nothing'})"
        if self.hint:
            text += f" Fix: {self.hint}"
        return text


@dataclass
class Report:
    database: dict[str, str]  # alias, vendor, name
    findings: list[Finding] = field(default_factory=list)
    tables_checked: int = 0
    migrations_applied: int = 0

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    def ok(self, *, strict: bool = False) -> bool:
        return not self.errors and not (strict and self.warnings)

    def summary(self, *, strict: bool = False) -> str:
        where = f"database '{self.database['alias']}' ({self.database['vendor']} {self.database['name']})"
        checked = f"{self.tables_checked} tables, {self.migrations_applied} applied migrations checked"
        if not self.findings:
            return f"Schema OK: {where} matches its applied migrations; {checked}."
        counts = f"{_plural(len(self.errors), 'error')}, {_plural(len(self.warnings), 'warning')}"
        if self.ok(strict=strict):
            return f"Schema OK with {counts} on {where}; {checked}."
        why = " (warnings fail with --strict)" if not self.errors else ""
        return f"Schema drift on {where}: {counts}{why}; {checked}."

    def as_json(self, *, strict: bool = False) -> dict[str, Any]:
        return {
            "ok": self.ok(strict=strict),
            "database": self.database,
            "summary": {
                "errors": len(self.errors),
                "warnings": len(self.warnings),
                "tables_checked": self.tables_checked,
                "migrations_applied": self.migrations_applied,
                "strict": strict,
                "text": self.summary(strict=strict),
            },
            "issues": [asdict(f) | {"severity": str(f.severity)} for f in self.findings],
        }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
