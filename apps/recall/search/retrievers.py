"""The four retrievers. Each returns ranked hits, best first, within the memories a search may see.

lexical: full-text rank over passages (PostgreSQL ts_rank_cd over a GIN-indexed
         tsvector; SQLite FTS5's bm25);
dense:   cosine over passage vectors (pgvector's HNSW; numpy over the project's
         float32 vectors on SQLite, exact);
graph:   entities the question names -> the memories that mention them;
time:    dates the question names -> the memories of that day, month or year.
"""

from __future__ import annotations

import math
import re
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.db.models import QuerySet

from apps.graph import selectors as graph
from apps.graph.extraction import find_dates
from apps.memories.models import Memory
from apps.projects.models import Project
from apps.recall import indexes, text
from apps.recall.models import Passage


@dataclass(frozen=True)
class Hit:
    memory_id: object
    passage_id: int | None  # None: the retriever found the memory, not a passage of it


def _passage_filter(memories: QuerySet[Memory] | None) -> tuple[str, list]:
    """SQL restricting passages to the memories a search may see (None: the whole project)."""
    if memories is None:
        return "", []
    sql, params = memories.values("id").query.sql_with_params()
    return f" AND p.memory_id IN ({sql})", list(params)


# --- lexical ----------------------------------------------------------------------


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
STATS_SECONDS = 300.0
_stats: dict[tuple, tuple[float, object]] = {}
_stats_lock = threading.Lock()


def _cached_many(keys: list[tuple], compute) -> dict:
    """The cached value of each key; `compute(missing keys)` -> {key: value} fills in the rest at once."""
    now = time.monotonic()
    out, missing = {}, []
    with _stats_lock:
        for key in keys:
            hit = _stats.get(key)
            if hit is not None and now - hit[0] < STATS_SECONDS:
                out[key] = hit[1]
            else:
                missing.append(key)
    if missing:
        fresh = compute(missing)
        with _stats_lock:
            if len(_stats) > 50_000:
                _stats.clear()
            for key, value in fresh.items():
                _stats[key] = (now, value)
        out.update(fresh)
    return out


def _cached(key: tuple, compute):
    return _cached_many([key], lambda keys: {keys[0]: compute()})[key]


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

    found = _cached_many([("df", project.pk, w) for w in words], count)
    return {w: found[("df", project.pk, w)] for w in words}


def candidate_words(words: list[str], df: dict[str, int], total: int) -> list[str]:
    """The words whose passages are taken whole as candidates: the rarest, while their passages add up to
    about CANDIDATE_ROWS; never a stop-word-like one unless the question has nothing rarer."""
    chosen, rows = [], 0
    for word in sorted(words, key=lambda w: (df[w], w)):
        common = df[word] > COMMON_SHARE * total
        if chosen and (rows + df[word] > CANDIDATE_ROWS or common):
            break
        chosen.append(word)
        rows += df[word]
    return chosen


def _lexical_postgresql(project, words, memories, limit) -> list[Hit]:
    where, params = _passage_filter(memories)
    total, average = _cached(("size", project.pk), lambda: _size(project))
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


# A turn of a conversation often means something only with the turns around it
# ("Yes, last Tuesday!"). For memories of type conversation, a share of the
# neighbouring turns' scores (the memories created just before and after, of
# the same type) is added to each turn's own; a turn with no word of the
# question can so be found through its neighbours.
CONTEXT_SHARE = 0.5
CONTEXT_OF = 30  # the best hits whose neighbours are looked up


def _with_context(
    scored: list[tuple[float, int, object]], memories, limit: int, *, conversations: set | None = None
) -> list[Hit]:
    """`scored`: (negated score, passage id, memory id) → Hits ranked by score with context.
    `conversations`: which of them are conversation turns, when known (None: look it up)."""
    scored.sort()
    best: dict = {}  # memory id -> (negated score, passage id)
    for score, pid, memory_id in scored:
        best.setdefault(memory_id, (score, pid))
    top = list(best)[:CONTEXT_OF]
    if conversations is not None:
        top = [m for m in top if m in conversations]
    neighbours = _conversation_neighbours(top, memories)
    if not neighbours:
        return [Hit(m, pid) for _, pid, m in scored[:limit]]
    total: dict = {m: -s for m, (s, _) in best.items()}
    for memory_id, around in neighbours.items():
        for other in around:
            share = CONTEXT_SHARE * -best[other][0] if other in best else 0.0
            if memory_id in best:
                total[memory_id] += share
            # a neighbour of a strong hit, itself without the question's words
            if other not in best:
                total[other] = total.get(other, 0.0) + CONTEXT_SHARE * -best[memory_id][0]
    ranked = sorted(total, key=lambda m: -total[m])[:limit]
    return [Hit(m, best[m][1] if m in best else None) for m in ranked]


def _conversation_neighbours(memory_ids: list, memories) -> dict:
    """For each of these memories of type conversation, the ids of the conversation memories created
    just before and just after it in its project (and visible to the search). One query, on the
    (project, created_at) index."""
    if not memory_ids:
        return {}
    from django.db.models import OuterRef, Subquery

    same = Memory.objects.filter(project_id=OuterRef("project_id"), content_type="conversation")
    rows = list(
        Memory.objects.filter(pk__in=memory_ids, content_type="conversation")
        .annotate(
            before=Subquery(
                same.filter(created_at__lt=OuterRef("created_at")).order_by("-created_at").values("id")[:1]
            ),
            after=Subquery(same.filter(created_at__gt=OuterRef("created_at")).order_by("created_at").values("id")[:1]),
        )
        .values_list("id", "before", "after")
    )
    found = {n for _, before, after in rows for n in (before, after) if n is not None}
    if memories is not None and found:
        found = set(memories.filter(pk__in=found).values_list("id", flat=True))
    return {m: [n for n in (before, after) if n in found] for m, before, after in rows}


def _size(project: Project) -> tuple[int, float]:
    """Passages of the project, and their mean length in distinct words (a tsvector's length)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), avg(length(lexemes)) FROM recall_passage WHERE project_id = %s", [project.pk])
        count, average = cursor.fetchone()
    return count or 0, float(average or 1)


def _memory_id(value):
    import uuid

    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


# --- dense ------------------------------------------------------------------------

# HNSW's candidate list; with iterative scans (pgvector 0.8) filtered queries
# and limits above it still fill their limit. Set once per database connection
# (only HNSW scans read these), not per query: on a busy server every round
# trip counts.
EF_SEARCH = 100
_tuned: weakref.WeakSet = weakref.WeakSet()


def _tune_hnsw(cursor) -> None:
    # Inside a transaction a SET is undone by a rollback: there it is set for the transaction, each time.
    scope = "LOCAL " if connection.in_atomic_block else ""
    raw = connection.connection
    if not scope and raw in _tuned:
        return
    cursor.execute(f"SET {scope}hnsw.ef_search = {EF_SEARCH}")
    try:
        with transaction.atomic():
            cursor.execute(f"SET {scope}hnsw.iterative_scan = relaxed_order")
    except Exception:  # pgvector before 0.8: no iterative scans
        pass
    if not scope:
        _tuned.add(raw)


def dense(
    project: Project, vector: np.ndarray, model: str, memories: QuerySet[Memory] | None, *, limit: int
) -> list[Hit]:
    if connection.vendor == "postgresql":
        return _dense_postgresql(project, vector, model, memories, limit)
    return _dense_numpy(project, vector, model, memories, limit)


def _dense_postgresql(project, vector, model, memories, limit) -> list[Hit]:
    dimension = int(vector.shape[0])
    where, params = _passage_filter(memories)
    literal = "[" + ",".join(repr(float(x)) for x in vector) + "]"
    # The expression and the dimension test must be the partial HNSW index's own, literally.
    sql = (
        f"SELECT p.id, p.memory_id FROM recall_passage p WHERE p.project_id = %s AND p.embedding_model = %s "
        f"AND p.embedding_dimension = {dimension}{where} "
        f"ORDER BY p.embedding::vector({dimension}) <=> %s::vector({dimension}) LIMIT %s"
    )
    with connection.cursor() as cursor:
        _tune_hnsw(cursor)
        cursor.execute(sql, [project.pk, model, *params, literal, limit])
        return [Hit(m, pid) for pid, m in cursor.fetchall()]


@dataclass
class _Matrix:
    key: tuple
    ids: np.ndarray
    memory_ids: list
    vectors: np.ndarray


_matrices: dict[tuple, _Matrix] = {}
_matrices_lock = threading.Lock()


def _project_matrix(project: Project, model: str) -> _Matrix:
    """The project's vectors as one matrix, read again only when its passages changed (count or newest id)."""
    rows = Passage.objects.filter(project=project, embedding_model=model)
    from django.db.models import Count, Max

    state = rows.aggregate(n=Count("id"), newest=Max("id"))
    key = (project.pk, model, state["n"], state["newest"])
    with _matrices_lock:
        cached = _matrices.get((project.pk, model))
    if cached is not None and cached.key == key:
        return cached
    ids, memory_ids, blobs = [], [], []
    for pid, memory_id, vector in rows.values_list("id", "memory_id", "embedding").iterator(chunk_size=5000):
        ids.append(pid)
        memory_ids.append(memory_id)
        blobs.append(vector)
    vectors = np.vstack(blobs) if blobs else np.zeros((0, 1), dtype=np.float32)
    matrix = _Matrix(key, np.array(ids), memory_ids, vectors)
    with _matrices_lock:
        if len(_matrices) > 16:
            _matrices.clear()
        _matrices[(project.pk, model)] = matrix
    return matrix


def _dense_numpy(project, vector, model, memories, limit) -> list[Hit]:
    matrix = _project_matrix(project, model)
    if not len(matrix.ids) or matrix.vectors.shape[1] != vector.shape[0]:
        return []
    scores = matrix.vectors @ vector
    if memories is not None:
        allowed = set(memories.values_list("id", flat=True))
        scores = np.where([m in allowed for m in matrix.memory_ids], scores, -np.inf)
    k = min(limit, len(scores))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [Hit(matrix.memory_ids[i], int(matrix.ids[i])) for i in top if np.isfinite(scores[i])]


# --- graph ------------------------------------------------------------------------

_PHRASE_SPLIT = re.compile(r"[^\w'’&.-]+")


def phrases(question: str, max_words: int = 4) -> list[str]:
    """Pieces of a question that could name an entity: runs of 1..4 words, and Chinese words and pairs."""
    tokens = [t.strip(".'’-") for t in _PHRASE_SPLIT.split(question) if t.strip(".'’-")]
    out = {" ".join(tokens[i : i + n]) for n in range(1, max_words + 1) for i in range(len(tokens) - n + 1)}
    cjk = [w for w in text.words(question) if not w.isascii()]
    out |= set(cjk) | {a + b for a, b in zip(cjk, cjk[1:], strict=False)}
    return sorted(p for p in out if p.casefold() not in text.STOPWORDS and len(p) >= 2)


def entities(project: Project, question: str) -> list:
    return graph.entities_named_in(project, phrases(question))


def graph_hits(entity_ids: list[int], memories: QuerySet[Memory], candidates: list, *, limit: int) -> list[Hit]:
    """Memories that mention the entities: first those the other retrievers found, in their order (the
    question's words and its names agree there), then the others that mention the most of them, newest first."""
    if not entity_ids:
        return []
    mentioning = set(graph.memories_mentioning(entity_ids, memories, limit=len(candidates), among=candidates))
    ordered = [m for m in candidates if m in mentioning]
    rest = [m for m in graph.memories_mentioning(entity_ids, memories, limit=limit) if m not in mentioning]
    return [Hit(m, None) for m in [*ordered, *rest][:limit]]


# --- time -------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime


def spans(question: str) -> list[Span]:
    """The days, months or years a question names ("on 8 May 2023", "in June 2023", "2023年5月")."""
    out = []
    for found in find_dates(question):
        written = question[found.start : found.end]
        start = found.value
        if re.search(
            r"\d{4}-\d{1,2}-\d{1,2}|[日号]|\b\d{1,2}(?:st|nd|rd|th)?\b(?!\d)", written.replace(str(start.year), "")
        ):
            end = start + timedelta(days=1)
        elif re.search(r"[a-zA-Z]{3,}|月", written.replace("in ", "").replace("since ", "")):
            end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        else:
            end = start.replace(year=start.year + 1)
        out.append(Span(start, end))
    return out


# A question that asks when ("When did…", "what year…", "什么时候…") is answered by a memory that says
# when: a date, a day or month name, or words like "yesterday", "last week", "两年前".
_ASKS_WHEN = re.compile(
    r"^\W*(?:when|since when|until when|what (?:year|month|day|date|time)|which (?:year|month|day|date)|"
    r"how long ago)\b|什么时候|何时|哪天|哪一天|哪年|哪一年|几月|几号|哪个月",
    re.IGNORECASE,
)
_SAYS_WHEN = re.compile(
    r"\b(?:yesterday|today|tonight|tomorrow|ago|weekend|(?:last|next|this|past|coming) (?:week|month|year|"
    r"night|weekend|summer|winter|spring|fall|autumn|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|january|february|march|april|june|july|august|september|"
    r"october|november|december|(?:19|20)\d\d)\b|昨天|今天|明天|前天|后天|上周|下周|上个月|下个月|去年|今年|明年|周末|星期|\d+\s*[年月日号]",
    re.IGNORECASE,
)
WHEN_CANDIDATES = 30


def asks_when(question: str) -> bool:
    return bool(_ASKS_WHEN.search(question))


def time_hits(
    found: list[Span], memories: QuerySet[Memory], candidates: list, *, limit: int, asks: bool = False
) -> list[Hit]:
    """Memories dated within the named spans: the other retrievers' candidates first, in their order,
    then the rest of the span, oldest first. A question that asks when and names no date: the best
    candidates that say when, in their order."""
    if not found:
        if not asks or not candidates:
            return []
        top = candidates[:WHEN_CANDIDATES]
        contents = dict(memories.filter(pk__in=top).values_list("id", "content"))
        return [Hit(m, None) for m in top if m in contents and _SAYS_WHEN.search(contents[m])][:limit]
    from django.db.models import Q

    within = Q()
    for span in found:
        within |= Q(valid_at__gte=span.start, valid_at__lt=span.end)
    dated = memories.filter(within)
    first = set(dated.filter(pk__in=candidates).values_list("id", flat=True)) if candidates else set()
    ordered = [m for m in candidates if m in first]
    rest = (
        dated.exclude(pk__in=first)
        .order_by("valid_at", "id")
        .values_list("id", flat=True)[: max(limit - len(ordered), 0)]
    )
    return [Hit(m, None) for m in [*ordered, *rest][:limit]]
