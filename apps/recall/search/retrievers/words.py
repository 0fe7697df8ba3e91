"""The lexical retriever: passages ranked by the question's words (Okapi BM25 on PostgreSQL, FTS5's bm25 on
SQLite), with the cached per-project word statistics it ranks by."""

from __future__ import annotations

import math

from django.db import connection
from django.db.models import QuerySet

from apps.memories.models import Memory
from apps.projects.models import Project
from apps.recall import indexes
from apps.recall.search.retrievers.conversations import _with_context
from apps.recall.search.retrievers.hits import Hit, _passage_filter, cached, cached_many


def lexical(project: Project, words: list[str], memories: QuerySet[Memory] | None, *, limit: int) -> list[Hit]:
    if not words:
        return []
    if connection.vendor == "postgresql":
        return _lexical_postgresql(project, words, memories, limit)
    where, params = _passage_filter(memories)
    query = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
    sql = (
        f"SELECT p.id, p.memory_id, bm25({indexes.FTS_TABLE}) FROM {indexes.FTS_TABLE} f "
        f"JOIN recall_passage p ON p.id = f.rowid WHERE {indexes.FTS_TABLE} MATCH %s AND p.project_id = %s{where} "
        f"ORDER BY bm25({indexes.FTS_TABLE}), p.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, project.pk.hex, *params, max(limit, LEXICAL_POOL)])
        scored = [(rank, pid, _memory_id(m)) for pid, m, rank in cursor.fetchall()]  # bm25() is negative
    return _with_context(scored, memories, limit)


# PostgreSQL's own ranks know nothing of how rare a word is, and ranking every
# passage that shares any word with the question costs as much as the commonest
# word is common. So candidates are taken by rarity, each part with a row limit
# (GIN): the passages holding all the question's words, then those holding its
# rarest words, in order of document frequency until about CANDIDATE_ROWS rows
# are in hand. A word in more than COMMON_SHARE of the project's passages (a
# stop word the list does not know) brings no candidates of its own unless the
# question has nothing rarer, but still counts in the score. Candidates are
# ranked with Okapi BM25 over all the question's words (a passage's length
# counted in distinct words, as a tsvector's length is): first with each word
# counted once, then the best EXACT_TOP again with the words' real frequencies
# (positions in the tsvector). Document frequencies are counted per project
# and word (GIN; cached for a while: they move slowly), as SQLite's FTS5 does.
LEXICAL_POOL = 300
EXACT_TOP = 100  # the best candidates whose word frequencies are then read exactly
CANDIDATE_ROWS = 2000
COMMON_SHARE = 0.2
BM25_K1, BM25_B = 1.2, 0.75


def _tsquery_word(word: str) -> str:
    return "'" + word.replace("\\", "").replace("'", "''") + "'"


def _document_frequencies(project: Project, words: list[str]) -> dict[str, int]:
    """How many of the project's passages hold each word (one query for the words not cached)."""

    def count(keys: list[tuple]) -> dict:
        missing = [key[2] for key in keys]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT w, (SELECT count(*) FROM recall_passage WHERE project_id = %s "
                "AND lexemes @@ to_tsquery('simple', quote_literal(w))) FROM unnest(%s::text[]) w",
                [project.pk, missing],
            )
            return {("df", project.pk, w): n for w, n in cursor.fetchall()}

    found = cached_many([("df", project.pk, w) for w in words], count)
    return {w: found[("df", project.pk, w)] for w in words}


def candidate_words(words: list[str], df: dict[str, int], total: int) -> list[str]:
    """The words whose passages are taken whole as candidates: the rarest, while their passages add up to
    about CANDIDATE_ROWS; never a stop-word-like one unless the question has nothing rarer that some
    passage holds."""
    chosen, rows = [], 0
    for word in sorted(words, key=lambda w: (df[w], w)):
        if not df[word]:
            continue  # in no passage: it brings nothing, and must not stand for something rarer
        common = df[word] > COMMON_SHARE * total
        if chosen and (rows + df[word] > CANDIDATE_ROWS or common):
            break
        chosen.append(word)
        rows += df[word]
    return chosen


def _lexical_postgresql(project, words, memories, limit) -> list[Hit]:
    where, params = _passage_filter(memories)
    total, average = cached(("size", project.pk), lambda: _size(project))
    df = _document_frequencies(project, words)
    idf = {w: max(math.log(1 + (total - df[w] + 0.5) / (df[w] + 0.5)), 0.0) for w in words}
    rare = candidate_words(words, df, total)
    pool = max(limit, LEXICAL_POOL)
    # First pass, for every candidate: which of the words it holds (tested in C on the row the index
    # scan already read) and its length in distinct words; BM25 with a frequency of one per word.
    has = ", ".join(["p.lexemes @@ to_tsquery('simple', %s)"] * len(words))
    parts, part_params = [], []
    for tsquery, rows in (
        (" & ".join(map(_tsquery_word, words)), pool),
        (" | ".join(map(_tsquery_word, rare)), CANDIDATE_ROWS),
    ):
        parts.append(
            f"(SELECT p.id, p.memory_id, length(p.lexemes), {has} FROM recall_passage p WHERE p.project_id = %s "
            f"AND p.lexemes @@ to_tsquery('simple', %s){where} LIMIT %s)"
        )
        part_params += [*map(_tsquery_word, words), project.pk, tsquery, *params, rows]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), part_params)
        rows = cursor.fetchall()
    if not rows:
        return []
    first: dict[int, tuple] = {}
    for pid, memory_id, length, *holds in rows:
        found = {w: 1 for w, held in zip(words, holds, strict=True) if held}
        first[pid] = (_bm25(found, length, average, idf), memory_id, length)
    # Second pass, for the best of them: the words' real frequencies (positions in the tsvector).
    best = sorted(first, key=lambda pid: (-first[pid][0], pid))[: max(limit * 2, EXACT_TOP)]
    # (With the memory's type: only conversation turns look up their neighbours, below.)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, m.content_type = 'conversation', "
            "array_agg(u.lexeme || ' ' || coalesce(array_length(u.positions, 1), 1)) "
            "FROM recall_passage p JOIN memories_memory m ON m.id = p.memory_id, unnest(p.lexemes) u "
            "WHERE p.id = ANY(%s) AND u.lexeme = ANY(%s) GROUP BY p.id, m.content_type",
            [best, words],
        )
        frequencies, turns = {}, set()
        for pid, turn, pairs in cursor.fetchall():
            frequencies[pid] = pairs
            if turn:
                turns.add(first[pid][1])
    scored = []
    for pid in best:
        _, memory_id, length = first[pid]
        found = {pair.rsplit(" ", 1)[0]: int(pair.rsplit(" ", 1)[1]) for pair in frequencies.get(pid, ())}
        scored.append((-_bm25(found, length, average, idf), pid, memory_id))
    return _with_context(scored, memories, limit, conversations=turns)


def _bm25(frequencies: dict[str, int], length: int, average: float, idf: dict[str, float]) -> float:
    norm = BM25_K1 * (1 - BM25_B + BM25_B * (length or 0) / (average or 1))
    return sum(idf[w] * f * (BM25_K1 + 1) / (f + norm) for w, f in frequencies.items())


def _size(project: Project) -> tuple[int, float]:
    """Passages of the project, and their mean length in distinct words (a tsvector's length)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), avg(length(lexemes)) FROM recall_passage WHERE project_id = %s", [project.pk])
        count, average = cursor.fetchone()
    return count or 0, float(average or 1)


def _memory_id(value):
    import uuid

    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
