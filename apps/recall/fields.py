"""Column types of the recall index that differ between PostgreSQL and SQLite."""

from __future__ import annotations

import numpy as np
from django.db import models


class VectorField(models.Field):
    """A float32 vector: pgvector's `vector` on PostgreSQL, raw float32 bytes on SQLite.

    The column has no fixed dimension, so one table holds vectors of any model;
    each row records its model and dimension, and the HNSW index is built on
    the rows of one dimension (apps.recall.migrations, apps.recall.schema).
    """

    description = "A float32 vector"

    def db_type(self, connection) -> str:
        return "vector" if connection.vendor == "postgresql" else "blob"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, (bytes, memoryview)):
            return np.frombuffer(bytes(value), dtype=np.float32)
        return np.array(value.strip("[]").split(","), dtype=np.float32)  # pgvector's text form

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        array = np.asarray(value, dtype=np.float32)
        if connection.vendor == "postgresql":
            return "[" + ",".join(map(repr, array.tolist())) + "]"
        return array.tobytes()


class LexemesField(models.TextField):
    """What the lexical index reads: a `tsvector` on PostgreSQL, made by the
    `simple` configuration from the words apps.recall.text found; on SQLite the
    words themselves, which an FTS5 table indexes (migration 0001)."""

    description = "Words for full-text search"

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value, compiler, connection) -> str:
        # Used by inserts and bulk inserts: the database makes the tsvector.
        return "to_tsvector('simple', %s)" if connection.vendor == "postgresql" else "%s"

    def from_db_value(self, value, expression, connection):
        return value
