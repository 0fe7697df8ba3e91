"""Expected tables (expected.py) against live ones (live.py), as findings."""

from __future__ import annotations

import re

from apps.core.schema import expected as exp
from apps.core.schema.findings import (
    COLUMN_NULLABILITY,
    COLUMN_TYPE,
    EXTRA_COLUMN,
    INVALID_INDEX,
    MISSING_COLUMN,
    MISSING_CONSTRAINT,
    MISSING_DEFAULT,
    MISSING_INDEX,
    MISSING_TABLE,
    NOT_VALID_CONSTRAINT,
    Finding,
    Severity,
)
from apps.core.schema.live import KIND_NAMES, LiveIndex, LiveTable

ERROR, WARNING = Severity.ERROR, Severity.WARNING

# Django declares some PostgreSQL types by an alias; format_type() answers with the canonical name.
_PG_ALIASES = {
    "varchar": "character varying",
    "char": "character",
    "bpchar": "character",
    "int": "integer",
    "int4": "integer",
    "serial": "integer",
    "int8": "bigint",
    "bigserial": "bigint",
    "int2": "smallint",
    "smallserial": "smallint",
    "bool": "boolean",
    "float8": "double precision",
    "float4": "real",
    "decimal": "numeric",
    "timestamptz": "timestamp with time zone",
    "timestamp": "timestamp without time zone",
    "time": "time without time zone",
    "timetz": "time with time zone",
}
# SQLite cannot alter a column in place; Django rebuilds the table instead.
_SQLITE_REBUILD = (
    "SQLite cannot alter a column: roll the migration that made it back and forward again "
    "(`manage.py migrate {app} <previous>`, then `manage.py migrate`)"
)
_TYPE = re.compile(r"(?P<base>[a-z0-9_ ]+?)(?P<params>\([^)]*\))?(?P<arrays>(?:\[\d*\])*)")


def normalize_type(vendor: str, db_type: str) -> str:
    text = re.sub(r"\s*([(),\[\]])\s*", r"\1", " ".join(db_type.lower().split()))
    if vendor != "postgresql":
        return text
    match = _TYPE.fullmatch(text)
    if not match:
        return text
    base = _PG_ALIASES.get(match["base"], match["base"])
    arrays = re.sub(r"\[\d*\]", "[]", match["arrays"])  # PostgreSQL ignores declared array sizes
    return f"{base}{match['params'] or ''}{arrays}"


def compare_tables(expected: dict[str, exp.Table], live: dict[str, LiveTable], vendor: str) -> list[Finding]:
    findings: list[Finding] = []
    for name, table in sorted(expected.items()):
        live_table = live.get(name)
        if live_table is None:
            findings.append(
                Finding(
                    ERROR,
                    MISSING_TABLE,
                    name,
                    f"table of {table.model} is missing",
                    expected="table",
                    actual=None,
                    hint=f"see `manage.py showmigrations {table.app_label}`; re-apply the migration that "
                    "creates it, or restore the table from a backup",
                )
            )
            continue
        findings += _compare_columns(table, live_table, vendor)
        findings += _compare_indexes(table, live_table, vendor)
        findings += _compare_constraints(table, live_table)
    return findings


def _compare_columns(table: exp.Table, live: LiveTable, vendor: str) -> list[Finding]:
    findings = []
    for name, column in table.columns.items():
        obj = f"{table.name}.{name}"
        wanted = f"{column.type} {'NULL' if column.null else 'NOT NULL'}"
        found = live.columns.get(name)
        if found is None:
            findings.append(
                Finding(
                    ERROR,
                    MISSING_COLUMN,
                    obj,
                    f"column of {table.model} is missing",
                    expected=wanted,
                    actual=None,
                    hint=f"find the migration that adds it (`manage.py sqlmigrate {table.app_label} <migration>`) "
                    "and run its statement, or roll that migration back and forward again",
                )
            )
            continue
        if normalize_type(vendor, column.type) != normalize_type(vendor, found.type):
            findings.append(
                Finding(
                    ERROR,
                    COLUMN_TYPE,
                    obj,
                    "column has another type than the migrations gave it",
                    expected=column.type,
                    actual=found.type,
                    hint=f'ALTER TABLE "{table.name}" ALTER COLUMN "{name}" TYPE {column.type}; '
                    "(may rewrite the table under an exclusive lock: plan it)"
                    if vendor == "postgresql"
                    else _SQLITE_REBUILD.format(app=table.app_label),
                )
            )
        if column.null != found.null and not column.generated:
            if found.null:
                message, hint = (
                    "column accepts NULL but the code expects NOT NULL",
                    f'update the NULL rows, then ALTER TABLE "{table.name}" ALTER COLUMN "{name}" SET NOT NULL;',
                )
            else:
                message, hint = (
                    "column is NOT NULL but the code may write NULL: those inserts fail",
                    f'ALTER TABLE "{table.name}" ALTER COLUMN "{name}" DROP NOT NULL;',
                )
            if vendor != "postgresql":
                hint = _SQLITE_REBUILD.format(app=table.app_label)
            findings.append(
                Finding(
                    ERROR,
                    COLUMN_NULLABILITY,
                    obj,
                    message,
                    expected="NULL" if column.null else "NOT NULL",
                    actual="NULL" if found.null else "NOT NULL",
                    hint=hint,
                )
            )
        if column.db_default and not found.has_default:
            findings.append(
                Finding(
                    ERROR,
                    MISSING_DEFAULT,
                    obj,
                    "column has no database default, but the code relies on one (db_default)",
                    expected="a DEFAULT",
                    actual="no DEFAULT",
                    hint=f"restore it with the SET DEFAULT statement from `manage.py sqlmigrate {table.app_label} "
                    "<migration>` of the migration that added it",
                )
            )
    for name, found in live.columns.items():
        if name in table.columns:
            continue
        obj = f"{table.name}.{name}"
        if not found.null and not found.filled_by_database:
            findings.append(
                Finding(
                    ERROR,
                    EXTRA_COLUMN,
                    obj,
                    f"column unknown to {table.model} is NOT NULL without a default: every insert fails",
                    expected=None,
                    actual=f"{found.type} NOT NULL",
                    hint=f'left by a newer release? ALTER TABLE "{table.name}" ALTER COLUMN "{name}" DROP NOT NULL; '
                    "or deploy the code that writes it",
                )
            )
        else:
            findings.append(
                Finding(
                    WARNING,
                    EXTRA_COLUMN,
                    obj,
                    f"column unknown to {table.model} (harmless for inserts)",
                    expected=None,
                    actual=f"{found.type} {'NULL' if found.null else 'NOT NULL with a default'}",
                    hint="left by a newer release or by hand; drop it once no release needs it",
                )
            )
    return findings


def _compare_indexes(table: exp.Table, live: LiveTable, vendor: str) -> list[Finding]:
    findings = []
    reported: set[str] = set()  # invalid indexes already named by an expectation
    for index in table.indexes:
        if index.name:
            candidates = [i for i in live.indexes if i.name == index.name]
        else:
            candidates = [i for i in live.indexes if _serves(i, index)]
        if any(i.valid for i in candidates):
            continue
        described = f"{'pattern-ops ' if index.pattern_ops else ''}index on ({', '.join(index.columns)})"
        obj = f"{table.name}.{index.name}" if index.name else f"{table.name}({', '.join(index.columns)})"
        if candidates:
            bad = candidates[0]
            reported.add(bad.name)
            findings.append(_invalid_index(table.name, bad, f"{described} for {index.source}"))
            continue
        look_alike = [i.name for i in live.indexes if _same_columns(i, index.columns) and i.valid]
        actual = f"only {', '.join(look_alike)}, which cannot serve it" if look_alike else None
        opclass = " varchar_pattern_ops" if index.pattern_ops else ""
        columns = ", ".join(f'"{c}"{opclass}' for c in index.columns)
        create = "CREATE INDEX CONCURRENTLY" if vendor == "postgresql" else "CREATE INDEX"
        hint = (
            f'{create} "{_index_name(table.name, index)}" ON "{table.name}" ({columns});'
            if not index.name
            else f"recreate it with {create}, as `manage.py sqlmigrate {table.app_label} <migration>` shows it"
        )
        if index.pattern_ops:
            hint += " (text_pattern_ops for a text column)"
        findings.append(
            Finding(
                ERROR,
                MISSING_INDEX,
                obj,
                f"{described} for {index.source} is missing",
                expected=described,
                actual=actual,
                hint=hint,
            )
        )
    for index in live.indexes:
        if not index.valid and index.name not in reported:
            findings.append(_invalid_index(table.name, index, "an index"))
    return findings


def _serves(live: LiveIndex, index: exp.Index) -> bool:
    """Can this live index stand for an expected unnamed (field or *_together) index?"""
    if not _same_columns(live, index.columns) or live.partial:
        return False
    if index.pattern_ops:
        return all(o.endswith("_pattern_ops") for o in live.opclasses) and bool(live.opclasses)
    return not live.opclasses  # a `_like` index does not serve equality or ordering


def _same_columns(live: LiveIndex, columns: tuple[str, ...]) -> bool:
    return live.columns == columns


def _index_name(table: str, index: exp.Index) -> str:
    suffix = "_like" if index.pattern_ops else "_idx"
    return f"{table}_{'_'.join(index.columns)}"[: 63 - len(suffix)] + suffix


def _invalid_index(table: str, index: LiveIndex, what: str) -> Finding:
    return Finding(
        ERROR,
        INVALID_INDEX,
        f"{table}.{index.name}",
        f"{what} is INVALID (a failed CREATE INDEX CONCURRENTLY?): queries do not use it, writes still pay for it",
        expected="valid index",
        actual="INVALID",
        hint=f'DROP INDEX CONCURRENTLY "{index.name}"; then `manage.py migrate` if its migration is unapplied, '
        "or recreate it with CREATE INDEX CONCURRENTLY",
    )


def _compare_constraints(table: exp.Table, live: LiveTable) -> list[Finding]:
    findings = []
    live_names = {c.name for c in live.constraints} | {i.name for i in live.indexes}
    for constraint in table.constraints:
        if constraint.name:
            present = constraint.name in live_names
        elif constraint.kind == exp.PRIMARY_KEY:
            present = any(c.kind == "p" and c.columns == constraint.columns for c in live.constraints)
        elif constraint.kind == exp.UNIQUE:
            present = any(c.kind == "u" and set(c.columns) == set(constraint.columns) for c in live.constraints) or any(
                i.unique and not i.partial and set(i.columns) == set(constraint.columns) for i in live.indexes
            )
        elif constraint.kind == exp.CHECK:
            present = any(c.kind == "c" and c.columns == constraint.columns for c in live.constraints)
        else:  # foreign key
            ref_table, ref_column = constraint.references or ("", "")
            present = any(
                c.kind == "f" and c.columns == constraint.columns and c.references == (ref_table, (ref_column,))
                for c in live.constraints
            )
        if present:
            continue
        columns = ", ".join(constraint.columns)
        described = f"{constraint.kind} on ({columns})" if columns else constraint.kind
        if constraint.references:
            described += f" references {constraint.references[0]}({constraint.references[1]})"
        obj = f"{table.name}.{constraint.name}" if constraint.name else f"{table.name}({columns})"
        findings.append(
            Finding(
                ERROR,
                MISSING_CONSTRAINT,
                obj,
                f"{described} for {constraint.source} is missing: the database no longer enforces it",
                expected=described,
                actual=None,
                hint=_constraint_hint(table, constraint),
            )
        )
    for constraint in live.constraints:
        if not constraint.validated:
            kind = KIND_NAMES.get(constraint.kind, constraint.kind)
            findings.append(
                Finding(
                    WARNING,
                    NOT_VALID_CONSTRAINT,
                    f"{table.name}.{constraint.name}",
                    f"{kind} constraint is NOT VALID: rows written before it was added were never checked",
                    expected="validated",
                    actual="NOT VALID",
                    hint=f'ALTER TABLE "{table.name}" VALIDATE CONSTRAINT "{constraint.name}"; '
                    "(does not block reads or writes)",
                )
            )
    return findings


def _constraint_hint(table: exp.Table, constraint: exp.Constraint) -> str:
    if constraint.kind == exp.UNIQUE:
        return (
            "remove the duplicates, then CREATE UNIQUE INDEX CONCURRENTLY and "
            f'ALTER TABLE "{table.name}" ADD CONSTRAINT ... UNIQUE USING INDEX ...; '
            f"see `manage.py sqlmigrate {table.app_label} <migration>` for the name"
        )
    if constraint.kind in (exp.CHECK, exp.FOREIGN_KEY):
        return (
            f'ALTER TABLE "{table.name}" ADD CONSTRAINT ... NOT VALID; then VALIDATE CONSTRAINT; '
            f"see `manage.py sqlmigrate {table.app_label} <migration>` for its definition"
        )
    return f"see `manage.py sqlmigrate {table.app_label} <migration>` for its definition"
