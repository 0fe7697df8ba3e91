"""Indexes on large tables, built by a migration without blocking writes.

`CREATE INDEX` holds a lock that stops every write to the table until the
index is built; on a table of millions of rows that is minutes of a live
service answering errors. PostgreSQL's `CONCURRENTLY` builds while writes go
on, but only outside a transaction (the migration needs `atomic = False`),
and a build that is interrupted half-way leaves an INVALID index of the same
name that `IF NOT EXISTS` would keep. So every build first drops any leftover,
then builds for real.

SQLite (the embedded mode) has no concurrent build and small tables: a plain
`CREATE INDEX`, unless the index is PostgreSQL-only.

    migrations.RunPython(*concurrent_indexes(Index(...), ...), elidable=False)
    migrations.RunPython(*replacing_indexes(new=(...), old=(...)), elidable=False)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Index:
    name: str
    on: str  # everything after the name: 'ON "table" (...) [WHERE ...]' or 'ON table USING gin (...)'
    unique: bool = False
    postgresql_only: bool = False

    def create(self, how: str) -> str:
        return " ".join(
            part
            for part in ("CREATE", "UNIQUE" if self.unique else "", "INDEX", how, f'"{self.name}"', self.on)
            if part
        )


def _postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


def _drop(schema_editor, indexes) -> None:
    how = "CONCURRENTLY IF EXISTS" if _postgresql(schema_editor) else "IF EXISTS"
    for index in indexes:
        if _postgresql(schema_editor) or not index.postgresql_only:
            schema_editor.execute(f'DROP INDEX {how} "{index.name}"')


def _build(schema_editor, indexes) -> None:
    # Drop first: a leftover of an interrupted build would otherwise stay, INVALID.
    _drop(schema_editor, indexes)
    for index in indexes:
        if _postgresql(schema_editor):
            schema_editor.execute(index.create("CONCURRENTLY"))
        elif not index.postgresql_only:
            schema_editor.execute(index.create(""))


def concurrent_indexes(*indexes: Index, extensions: tuple[str, ...] = ()):
    """The forward and backward functions for RunPython that build and drop `indexes`.

    `extensions` are created (if missing) before the build on PostgreSQL and
    kept on the way back: other schemas of the database may use them.
    """

    def build(apps, schema_editor) -> None:
        if _postgresql(schema_editor):
            for extension in extensions:
                schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
        _build(schema_editor, indexes)

    def drop(apps, schema_editor) -> None:
        _drop(schema_editor, indexes)

    return build, drop


def replacing_indexes(new: tuple[Index, ...], old: tuple[Index, ...]):
    """RunPython's functions that build `new`, then drop the `old` it covers: no moment without one.

    Reversing builds `old` again before dropping `new`.
    """

    def forwards(apps, schema_editor) -> None:
        _build(schema_editor, new)
        _drop(schema_editor, old)

    def backwards(apps, schema_editor) -> None:
        _build(schema_editor, old)
        _drop(schema_editor, new)

    return forwards, backwards
