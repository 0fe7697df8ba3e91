"""The schema the applied migrations built, read from the migration graph.

Why the migration state and not the runtime models: the database was built by
the migrations that are recorded as applied, rendered as Django's migration
framework renders them. The runtime models can differ in ways that are no
drift at all (an auto-created many-to-many table's primary key follows
DEFAULT_AUTO_FIELD in the migration state, the app's own setting at runtime),
and when migrations are unapplied the runtime models describe a schema that
does not exist yet — that case is reported once, as UNAPPLIED_MIGRATION.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

PRIMARY_KEY = "primary key"
UNIQUE = "unique"
CHECK = "check"
FOREIGN_KEY = "foreign key"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # as Django declares it, e.g. "varchar(200)"; compare.py normalises it
    null: bool
    db_default: bool  # the database itself must fill the column (Field.db_default)
    generated: bool = False


@dataclass(frozen=True)
class Index:
    columns: tuple[str, ...]
    source: str  # why it is expected, for messages: "field channel (db_index)"
    name: str | None = None  # Meta.indexes carry a name and are matched by it
    pattern_ops: bool = False  # PostgreSQL's `_like` index for LIKE on varchar/text


@dataclass(frozen=True)
class Constraint:
    kind: str
    columns: tuple[str, ...]
    source: str
    name: str | None = None  # Meta.constraints are matched by name, the rest by columns
    references: tuple[str, str] | None = None  # foreign key target: (table, column)


@dataclass
class Table:
    name: str
    model: str  # "projects.Project", or the through table's "auth.User_groups"
    app_label: str
    columns: dict[str, Column] = field(default_factory=dict)
    indexes: list[Index] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)


def applied_nodes(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Applied migrations that still exist in the code; the rest are ghosts (history.py)."""
    return sorted(key for key in loader.applied_migrations if key in loader.graph.nodes)


def applied_state(loader: MigrationLoader) -> ProjectState:
    nodes = applied_nodes(loader)
    if not nodes:
        return ProjectState(real_apps=loader.unmigrated_apps)
    return loader.project_state(nodes, at_end=True)


def expected_tables(
    state: ProjectState,
    connection: BaseDatabaseWrapper,
    *,
    app_labels: frozenset[str] = frozenset(),
    unmigrated_apps: frozenset[str] = frozenset(),
) -> dict[str, Table]:
    """Every table the migrations manage on this database, by name."""
    tables: dict[str, Table] = {}
    for model in state.apps.get_models(include_auto_created=True):
        opts = model._meta
        if not opts.managed or opts.proxy or opts.app_label in unmigrated_apps:
            continue  # nobody ran a migration for these: nothing to compare with
        if app_labels and opts.app_label not in app_labels:
            continue
        if not router.allow_migrate_model(connection.alias, model) or opts.db_table in tables:
            continue
        model_state = state.models.get((opts.app_label, opts.model_name))
        index_together = model_state.options.get("index_together", ()) if model_state else ()
        tables[opts.db_table] = _table(model, connection, index_together)
    return tables


def _table(
    model: type[models.Model], connection: BaseDatabaseWrapper, index_together: Iterable[Iterable[str]]
) -> Table:
    opts = model._meta
    table = Table(name=opts.db_table, model=f"{opts.app_label}.{opts.object_name}", app_label=opts.app_label)
    postgres = connection.vendor == "postgresql"
    supports_fks = connection.features.supports_foreign_keys

    for f in opts.local_concrete_fields:
        params = f.db_parameters(connection)
        if f.column is None or params["type"] is None:
            continue  # no column of its own (e.g. a composite primary key)
        generated = bool(getattr(f, "generated", False))
        table.columns[f.column] = Column(
            name=f.column,
            type=params["type"],
            null=f.null or generated,  # a generated column's nullability follows its expression
            db_default=f.db_default is not models.NOT_PROVIDED,
            generated=generated,
        )
        if f.unique and not f.primary_key:
            table.constraints.append(Constraint(UNIQUE, (f.column,), f"field {f.name} (unique)"))
        elif f.db_index and not f.unique:
            table.indexes.append(Index((f.column,), f"field {f.name} (db_index)"))
        if postgres and _needs_like_index(f, params):
            table.indexes.append(Index((f.column,), f"field {f.name} (LIKE lookups)", pattern_ops=True))
        # SQLite keeps a field's CHECK unnamed inside CREATE TABLE, where it
        # cannot be read back reliably: only PostgreSQL's are compared.
        if params.get("check") and postgres:
            table.constraints.append(Constraint(CHECK, (f.column,), f"field {f.name} ({f.get_internal_type()})"))
        if supports_fks and f.remote_field is not None and getattr(f, "db_constraint", False):
            target = f.target_field
            table.constraints.append(
                Constraint(
                    FOREIGN_KEY,
                    (f.column,),
                    f"field {f.name} (ForeignKey)",
                    references=(target.model._meta.db_table, target.column),
                )
            )

    pk = opts.pk
    pk_columns = tuple(p.column for p in pk.fields) if isinstance(pk, models.CompositePrimaryKey) else (pk.column,)
    table.constraints.append(Constraint(PRIMARY_KEY, pk_columns, "primary key"))

    for names in opts.unique_together:
        columns = tuple(opts.get_field(n).column for n in names)
        table.constraints.append(Constraint(UNIQUE, columns, f"unique_together {tuple(names)}"))
    for names in index_together:
        columns = tuple(opts.get_field(n).column for n in names)
        table.indexes.append(Index(columns, f"index_together {tuple(names)}"))
    for index in opts.indexes:
        columns = tuple(opts.get_field(n.lstrip("-")).column for n in index.fields)
        table.indexes.append(Index(columns, f"Meta.indexes {index.name}", name=index.name))
    for constraint in opts.constraints:
        columns = tuple(opts.get_field(n).column for n in getattr(constraint, "fields", ()) or ())
        kind = CHECK if isinstance(constraint, models.CheckConstraint) else UNIQUE
        if not isinstance(constraint, (models.CheckConstraint, models.UniqueConstraint)):
            kind = type(constraint).__name__  # e.g. ExclusionConstraint: matched by name only
        table.constraints.append(Constraint(kind, columns, f"Meta.constraints {constraint.name}", name=constraint.name))
    return table


def _needs_like_index(f: models.Field, params: dict) -> bool:
    """PostgreSQL adds a second, `*_pattern_ops` index to indexed varchar and text columns."""
    db_type = params["type"] or ""
    if not (f.db_index or f.unique) or "[" in db_type:
        return False
    collation = getattr(f, "db_collation", None) or (
        getattr(f.target_field, "db_collation", None) if f.is_relation else None
    )
    if collation:
        return False  # skipped for non-deterministic collations; not worth telling apart
    return db_type.startswith(("varchar", "text"))
