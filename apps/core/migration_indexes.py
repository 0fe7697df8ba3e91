"""Indexes on large tables, built by a migration without blocking writes.

`CREATE INDEX` holds a lock that stops every write to the table until the
index is built; on a table of millions of rows that is minutes of a live
service answering errors. PostgreSQL's `CONCURRENTLY` builds while writes go
on, but only outside a transaction (the migration needs `atomic = False`),
and a build that is interrupted half-way leaves an INVALID index of the same
name that `IF NOT EXISTS` would keep. So every build first drops any leftover,
then builds for real.

SQLite (the embedded mode) has no concurrent build and small tables: a plain
`CREATE INDEX IF NOT EXISTS`, unless the index is PostgreSQL-only.

    migrations.RunPython(*concurrent_indexes(Index(...), ...), elidable=False)
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
        return f'CREATE {"UNIQUE " if self.unique else ""}INDEX {how} "{self.name}" {self.on}'


def concurrent_indexes(*indexes: Index, extensions: tuple[str, ...] = ()):
    """The forward and backward functions for RunPython that build and drop `indexes`.

    `extensions` are created (if missing) before the build on PostgreSQL and
    kept on the way back: other schemas of the database may use them.
    """

    def build(apps, schema_editor) -> None:
        postgresql = schema_editor.connection.vendor == "postgresql"
        if postgresql:
            for extension in extensions:
                schema_editor.execute(f"CREATE EXTENSION IF NOT EXISTS {extension}")
            drop(apps, schema_editor)
        for index in indexes:
            if postgresql:
                schema_editor.execute(index.create("CONCURRENTLY"))
            elif not index.postgresql_only:
                schema_editor.execute(index.create("IF NOT EXISTS"))

    def drop(apps, schema_editor) -> None:
        postgresql = schema_editor.connection.vendor == "postgresql"
        for index in indexes:
            if postgresql:
                schema_editor.execute(f'DROP INDEX CONCURRENTLY IF EXISTS "{index.name}"')
            elif not index.postgresql_only:
                schema_editor.execute(f'DROP INDEX IF EXISTS "{index.name}"')

    return build, drop
