"""What the database really has, read from its catalogs.

PostgreSQL is read from pg_catalog, in three queries for all tables at once:
Django's introspection reports an index left INVALID by a failed
`CREATE INDEX CONCURRENTLY` as a good one, hides NOT VALID constraints, and
does not say which operator class an index uses (so a leftover `_like` index
would pass for the plain one). SQLite is read through its PRAGMAs and Django's
parser of the CREATE TABLE statement, which is all SQLite can tell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.backends.base.base import BaseDatabaseWrapper

# pg_constraint.contype, and the same letters for SQLite
KIND_NAMES = {"p": "primary key", "u": "unique", "c": "check", "f": "foreign key", "x": "exclusion", "n": "not null"}


@dataclass(frozen=True)
class LiveColumn:
    name: str
    type: str
    null: bool
    has_default: bool  # a DEFAULT expression
    filled_by_database: bool  # a default, identity or generated value: inserts may leave it out


@dataclass(frozen=True)
class LiveIndex:
    name: str
    columns: tuple[str | None, ...]  # None for an expression
    unique: bool
    primary: bool
    valid: bool
    partial: bool
    opclasses: tuple[str, ...] = ()  # the non-default operator classes, e.g. varchar_pattern_ops


@dataclass(frozen=True)
class LiveConstraint:
    name: str | None
    kind: str  # a key of KIND_NAMES
    columns: tuple[str, ...]
    validated: bool = True
    references: tuple[str, tuple[str, ...]] | None = None


@dataclass
class LiveTable:
    name: str
    columns: dict[str, LiveColumn] = field(default_factory=dict)
    indexes: list[LiveIndex] = field(default_factory=list)
    constraints: list[LiveConstraint] = field(default_factory=list)


def read_tables(connection: BaseDatabaseWrapper, names: Iterable[str]) -> dict[str, LiveTable]:
    """The tables among `names` that exist, with their columns, indexes and constraints."""
    names = sorted(set(names))
    if not names:
        return {}
    if connection.vendor == "postgresql":
        return _read_postgresql(connection, names)
    if connection.vendor == "sqlite":
        return _read_sqlite(connection, names)
    raise NotImplementedError(f"check_schema supports PostgreSQL and SQLite, not {connection.vendor}.")


# --- PostgreSQL ---------------------------------------------------------------

# pg_table_is_visible: the tables Django itself sees through the search_path.
_PG_COLUMNS = """
SELECT c.relname, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull,
       a.atthasdef, a.attidentity <> '' OR a.attgenerated <> ''
FROM pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(%s) AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY c.relname, a.attnum
"""

# indkey lists the key columns first (indnkeyatts of them), then INCLUDE ones;
# attnum 0 is an expression. indclass has one operator class per key column.
_PG_INDEXES = """
SELECT t.relname, i.relname, x.indisunique, x.indisprimary, x.indisvalid, x.indpred IS NOT NULL,
       ARRAY(SELECT a.attname::text
             FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
             LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
             WHERE k.ord <= x.indnkeyatts ORDER BY k.ord),
       ARRAY(SELECT o.opcname::text
             FROM unnest(x.indclass::oid[]) WITH ORDINALITY AS k(opc, ord)
             JOIN pg_catalog.pg_opclass o ON o.oid = k.opc
             WHERE NOT o.opcdefault ORDER BY k.ord)
FROM pg_catalog.pg_index x
JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
JOIN pg_catalog.pg_class t ON t.oid = x.indrelid
WHERE t.relname = ANY(%s) AND pg_catalog.pg_table_is_visible(t.oid)
ORDER BY t.relname, i.relname
"""

_PG_CONSTRAINTS = """
SELECT t.relname, c.conname, c.contype, c.convalidated,
       ARRAY(SELECT a.attname::text
             FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord),
       f.relname,
       ARRAY(SELECT a.attname::text
             FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum
             ORDER BY k.ord)
FROM pg_catalog.pg_constraint c
JOIN pg_catalog.pg_class t ON t.oid = c.conrelid
LEFT JOIN pg_catalog.pg_class f ON f.oid = c.confrelid
WHERE t.relname = ANY(%s) AND pg_catalog.pg_table_is_visible(t.oid)
ORDER BY t.relname, c.conname
"""


def _read_postgresql(connection: BaseDatabaseWrapper, names: list[str]) -> dict[str, LiveTable]:
    tables: dict[str, LiveTable] = {}
    with connection.cursor() as cursor:
        cursor.execute(_PG_COLUMNS, [names])
        for table, column, type_, notnull, hasdef, generated in cursor.fetchall():
            live = tables.setdefault(table, LiveTable(table))
            if column is not None:
                live.columns[column] = LiveColumn(column, type_, not notnull, hasdef, hasdef or generated)
        cursor.execute(_PG_INDEXES, [names])
        for table, name, unique, primary, valid, partial, columns, opclasses in cursor.fetchall():
            if table in tables:
                tables[table].indexes.append(
                    LiveIndex(name, tuple(columns), unique, primary, valid, partial, tuple(opclasses))
                )
        cursor.execute(_PG_CONSTRAINTS, [names])
        for table, name, kind, validated, columns, ref_table, ref_columns in cursor.fetchall():
            if table in tables:
                references = (ref_table, tuple(ref_columns)) if ref_table else None
                tables[table].constraints.append(LiveConstraint(name, kind, tuple(columns), validated, references))
    return tables


# --- SQLite ---------------------------------------------------------------------


def _read_sqlite(connection: BaseDatabaseWrapper, names: list[str]) -> dict[str, LiveTable]:
    tables: dict[str, LiveTable] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for name in names:
            if name not in existing:
                continue
            table = tables[name] = LiveTable(name)
            primary: list[tuple[int, str]] = []
            # table_xinfo also lists generated columns (hidden 2 and 3).
            cursor.execute(f"PRAGMA table_xinfo({quote(name)})")
            for _cid, column, type_, notnull, default, pk, hidden in cursor.fetchall():
                if hidden == 1:
                    continue  # a virtual table's hidden column
                generated = hidden in (2, 3)
                # An INTEGER PRIMARY KEY is the rowid: SQLite fills it.
                rowid = bool(pk) and type_.lower() == "integer"
                table.columns[column] = LiveColumn(
                    column, type_, not notnull, default is not None, default is not None or generated or rowid
                )
                if pk:
                    primary.append((pk, column))
            if primary:
                table.constraints.append(LiveConstraint(None, "p", tuple(c for _, c in sorted(primary))))

            cursor.execute(f"PRAGMA index_list({quote(name)})")
            for _seq, index, unique, origin, partial in cursor.fetchall():
                cursor.execute(f"PRAGMA index_info({quote(index)})")
                columns = tuple(column for _rank, _cid, column in cursor.fetchall())
                table.indexes.append(LiveIndex(index, columns, bool(unique), origin == "pk", True, bool(partial)))

            # Named and inline CHECK and UNIQUE constraints, and foreign keys,
            # as Django's parser of the CREATE TABLE statement reads them.
            for cname, info in connection.introspection.get_constraints(cursor, name).items():
                if info["index"] or info["primary_key"]:
                    continue  # read above from the PRAGMAs
                unnamed = cname.startswith("__unnamed_constraint_")  # Django's placeholder name
                if info["foreign_key"]:
                    ref_table, ref_column = info["foreign_key"]
                    table.constraints.append(
                        LiveConstraint(None, "f", tuple(info["columns"]), references=(ref_table, (ref_column,)))
                    )
                elif info["check"] or info["unique"]:
                    kind = "c" if info["check"] else "u"
                    table.constraints.append(LiveConstraint(None if unnamed else cname, kind, tuple(info["columns"])))
    return tables
