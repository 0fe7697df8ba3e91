"""Recall benchmark: quality on LoCoMo against BM25, and search speed at 100,000 memories.

    python bench/recall.py --database-server postgres://postgres@127.0.0.1:54329 [--quality] [--speed]

(`make bench` runs it.) It makes a scratch database `memstack_recall_<random>`
on that server, migrates it, and drops it at the end.

Quality: every turn of the conversations in ../shared/data/locomo/ becomes a
memory ("<speaker>: <text>", valid_at the session's date), ingested through
the real pipeline (offline graph extraction, then the recall index). Each
question is asked through the search service; it is a hit at k when one of
its evidence turns is among the first k memories (any@k), fully answered when
all of them are (all@k). The baseline, computed here on the same turns, is a
plain Okapi BM25 (k1 1.2, b 0.75, lowercase word tokens, a short English stop
list). What indexing adds to ingestion: every turn is also ingested, right
after, into a second project by the pipeline without its recall part (no
"Indexing for recall..." stage, no passages), and the two are compared:
wall time of the task (started to completed) and CPU time of this process
per memory, medians; and the time from "Indexing for recall..." to
completion, against the rest of the task.

Embedding (--embedding): the configured backend alone (EMBEDDINGS_BACKEND):
the median time to embed one turn and one question, each on its own as
ingestion and search do, and the process's resident memory with the model
loaded (run it alone for a figure that is the model's and Django's only).

Speed: a second project of 100,000 synthetic memories (8 to 40 words drawn
from a Zipf distribution over 40,000 words, seeded: see _vocabulary), their
passages and vectors inserted in bulk (COPY), indexed, then ANALYZEd;
questions are timed at the search service (the server side of the API,
without HTTP), next to a BM25-only query of the same words (the lexical
retriever alone), in two classes reported apart: "mixed" (a few words of one
document, rare and common alike) and "common" (only very common words). For
every fifth question the bounded lexical candidates are compared with an
exhaustive BM25 over every passage sharing a word (top-10 overlap).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parents[1]
LOCOMO = BASE_DIR.parent / "shared" / "data" / "locomo"
sys.path.insert(0, str(BASE_DIR))

KS = (5, 10)
CATEGORIES = {1: "multi-hop", 2: "temporal", 3: "open-domain", 4: "single-hop"}


# --- the baseline -----------------------------------------------------------------

_STOP = frozenset(
    "a an and are as at be by for from has have i in is it of on or that the to was were with you".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def _tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


class BM25:
    def __init__(self, docs: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.docs = [Counter(_tokens(d)) for d in docs]
        self.lengths = [sum(c.values()) for c in self.docs]
        self.avg = sum(self.lengths) / max(len(self.docs), 1)
        df = Counter(w for c in self.docs for w in c)
        n = len(self.docs)
        self.idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        self.k1, self.b = k1, b

    def rank(self, query: str, k: int) -> list[int]:
        words = set(_tokens(query))
        scores = []
        for i, doc in enumerate(self.docs):
            s = 0.0
            for w in words:
                tf = doc.get(w)
                if tf:
                    s += (
                        self.idf[w]
                        * tf
                        * (self.k1 + 1)
                        / (tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg))
                    )
            if s:
                scores.append((-s, i))
        return [i for _, i in sorted(scores)[:k]]


# --- scoring ----------------------------------------------------------------------


def score(ranked: list, evidence: set) -> dict:
    return {
        **{f"any@{k}": float(bool(evidence & set(ranked[:k]))) for k in KS},
        "all@10": float(evidence <= set(ranked[:10])),
    }


def mean(rows: list[dict]) -> dict:
    return {key: round(statistics.fmean(r[key] for r in rows), 3) for key in rows[0]} if rows else {}


def _session_date(text: str) -> datetime:
    return datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)


# --- quality ----------------------------------------------------------------------


def quality(names: list[str], *, index_only: bool = False) -> dict:
    from django.contrib.auth.models import User

    from apps.memories.models import Memory, content_hash
    from apps.projects.services import project_create
    from apps.recall.embeddings import get_embedder
    from apps.recall.search import SearchQuery, search
    from apps.recall.services import memories_index

    owner = User.objects.get_or_create(username="bench")[0]
    out = {"conversations": {}, "categories": {}, "ingestion": {}}
    by_category: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    total_seconds, indexing_seconds, ingested = [], [], 0
    bare_seconds, cpu_seconds, bare_cpu_seconds = [], [], []
    for name in names:
        data = json.loads((LOCOMO / f"{name}.json").read_text())
        project = project_create(owner=owner, name=f"LoCoMo {name}")
        bare_project = None if index_only else project_create(owner=owner, name=f"LoCoMo {name}, without recall")
        turn_of: dict[str, str] = {}
        contents: list[str] = []
        turn_ids: list[str] = []
        started = time.perf_counter()
        for session in data["sessions"]:
            when = _session_date(session["date_time"])
            for i, turn in enumerate(session["turns"]):
                content = f"{turn['speaker']}: {turn['text']}"
                fields = {
                    "author": owner,
                    "title": f"{turn['speaker']} ({turn['id']})",
                    "content": content,
                    "content_type": "conversation",
                    "valid_at": when + timedelta(seconds=i),
                }
                if index_only:
                    memory = Memory.objects.create(
                        project=project,
                        content_hash=content_hash(f"{turn['id']} {content}"),
                        processing_status="completed",
                        **fields,
                    )
                    memories_index(memories=[memory], embedder=get_embedder())
                else:
                    # Each first half the time: the second of the two meets caches the first warmed.
                    memory, timings = _ingest_twice(project, bare_project, fields, bare_first=i % 2 == 1)
                    if memory is None:
                        continue
                    if len(timings) == 2:
                        (total, cpu, task), (bare_total, bare_cpu, _) = timings[project.pk], timings[bare_project.pk]
                        stages = {s.message: s.at for s in task.stages.all()}
                        total_seconds.append(total)
                        indexing_seconds.append((task.completed_at - stages["Indexing for recall..."]).total_seconds())
                        bare_seconds.append(bare_total)
                        cpu_seconds.append(cpu)
                        bare_cpu_seconds.append(bare_cpu)
                    ingested += 1
                turn_of[str(memory.id)] = turn["id"]
                contents.append(content)
                turn_ids.append(turn["id"])
        ingest_wall = time.perf_counter() - started
        bm25 = BM25(contents)
        ours_rows, bm25_rows, took = [], [], []
        for qa in data["qa"]:
            evidence = set(qa["evidence"])
            result = search(project=project, query=SearchQuery(q=qa["question"], limit=10))
            took.append(result.took_ms)
            ours = [turn_of[str(r.memory.id)] for r in result.results]
            base = [turn_ids[i] for i in bm25.rank(qa["question"], 10)]
            ours_rows.append(score(ours, evidence))
            bm25_rows.append(score(base, evidence))
            category = CATEGORIES.get(qa["category"], str(qa["category"]))
            by_category[category]["ours"].append(ours_rows[-1])
            by_category[category]["bm25"].append(bm25_rows[-1])
        out["conversations"][name] = {
            "turns": len(turn_ids),
            "questions": len(data["qa"]),
            "ours": mean(ours_rows),
            "bm25": mean(bm25_rows),
            "search_ms_p50": round(statistics.median(took), 1),
            "ingest_seconds": round(ingest_wall, 1),
        }
        print(f"  conversation {name}: {out['conversations'][name]}", flush=True)
    for category, rows in sorted(by_category.items()):
        out["categories"][category] = {
            "questions": len(rows["ours"]),
            "ours": mean(rows["ours"]),
            "bm25": mean(rows["bm25"]),
        }
    if not total_seconds:
        return out
    out["ingestion"] = {
        "memories": ingested,
        "task_seconds_p50": round(statistics.median(total_seconds), 4),
        "indexing_seconds_p50": round(statistics.median(indexing_seconds), 4),
        "indexing_share_of_task_median": round(
            statistics.median(i / t for i, t in zip(indexing_seconds, total_seconds, strict=True) if t), 3
        ),
        "indexing_over_rest_median": round(
            statistics.median(i / (t - i) for i, t in zip(indexing_seconds, total_seconds, strict=True) if t > i), 3
        ),
        "task_seconds_p50_without_recall": round(statistics.median(bare_seconds), 4),
        "wall_added_by_recall": round(statistics.median(total_seconds) / statistics.median(bare_seconds) - 1, 3),
        "cpu_seconds_p50": round(statistics.median(cpu_seconds), 4),
        "cpu_seconds_p50_without_recall": round(statistics.median(bare_cpu_seconds), 4),
        "cpu_added_by_recall": round(statistics.median(cpu_seconds) / statistics.median(bare_cpu_seconds) - 1, 3),
    }
    return out


def _ingest_twice(project, bare_project, fields: dict, *, bare_first: bool) -> tuple:
    """Ingest one turn into `project`, and into `bare_project` without recall: (the memory in `project`,
    or None if it was not made; {project pk: (task seconds, CPU seconds, task)} for each that completed)."""
    from apps.memories.services import memory_create
    from apps.memories.tasks import ingest_memory
    from apps.tasks.models import TaskLog

    memory, timings = None, {}
    for target in (bare_project, project) if bare_first else (project, bare_project):
        try:
            created = memory_create(project=target, **fields)
        except Exception:  # the same words twice in one conversation: kept once, as the product does
            break
        cpu = time.process_time()
        if target is project:
            memory = created
            ingest_memory(str(created.current_task_id))
        else:
            with _without_recall():
                ingest_memory(str(created.current_task_id))
        cpu = time.process_time() - cpu
        task = TaskLog.objects.get(pk=created.current_task_id)
        if task.status == "completed":
            timings[target.pk] = ((task.completed_at - task.started_at).total_seconds(), cpu, task)
    return memory, timings


@contextmanager
def _without_recall():
    """Ingestion as it would be without recall: no "Indexing for recall..." stage, nothing embedded or indexed."""
    from apps.memories import services
    from apps.tasks.reporter import ProgressReporter

    stage, memory_index, embedding_start = (
        ProgressReporter.stage,
        services.recall.memory_index,
        services.recall.embedding_start,
    )
    services.recall.memory_index = lambda **kwargs: {"passages": 0}
    services.recall.embedding_start = lambda memories: None
    ProgressReporter.stage = lambda self, progress, message: (
        None if message == services.INDEXING_FOR_RECALL[1] else stage(self, progress, message)
    )
    try:
        yield
    finally:
        services.recall.memory_index, services.recall.embedding_start = memory_index, embedding_start
        ProgressReporter.stage = stage


# --- the embedding model alone ---------------------------------------------------


def embedding(names: list[str]) -> dict:
    """The configured backend's time to embed one LoCoMo turn (a passage) and one question, each on its
    own as ingestion and search do, after a warm-up that loads the model; and the process's memory."""
    from apps.recall.embeddings import get_embedder

    embedder = get_embedder()
    started = time.perf_counter()
    embedder.embed(["warm up"])
    load_seconds = time.perf_counter() - started
    passages, questions = [], []
    for name in names:
        data = json.loads((LOCOMO / f"{name}.json").read_text())
        passages += [f"{t['speaker']}: {t['text']}" for s in data["sessions"] for t in s["turns"]][:100]
        questions += [qa["question"] for qa in data["qa"]][:100]

    def median_ms(texts: list[str]) -> dict:
        """Wall-clock time, and the process's CPU time (less swayed by other people's load)."""
        wall, cpu = [], []
        for one in texts:
            t, c = time.perf_counter(), time.process_time()
            embedder.embed([one])
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        return {"wall": round(statistics.median(wall), 2), "cpu": round(statistics.median(cpu), 2)}

    rss = {
        k: int(v.split()[0]) // 1024
        for k, v in (line.split(":") for line in open("/proc/self/status"))
        if k in ("VmRSS", "VmHWM")
    }
    return {
        "model": embedder.name,
        "load_seconds": round(load_seconds, 2),
        "passage_ms_p50": median_ms(passages),
        "question_ms_p50": median_ms(questions),
        "passages": len(passages),
        "questions": len(questions),
        "rss_mb": rss.get("VmRSS"),
        "peak_rss_mb": rss.get("VmHWM"),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


# --- speed ------------------------------------------------------------------------

# The synthetic text: words drawn from a Zipf distribution (rank r has weight 1/r^ZIPF_S, as word
# counts in real text roughly do) over a vocabulary of about 200 common English words followed by
# tens of thousands of made-up words, so a document and a question mix a few very common words with
# rarer ones, as real ones do. Nothing in it comes from the quality data.
_COMMON = (
    "the of and to a in is it that was for on with he as i his at by be had not are but from or have an they "
    "which one you were her all she there would their we him been has when who will more no if out so said what "
    "up its about into than them can only other new some could time these two may then do first any my now such "
    "like our over man me even most made after also did many before must through back years where much your way "
    "well down should because each just those people how too little state good very make world still own see men "
    "work long get here between both life being under never day same another know while last might us great old "
    "year off come since against go came right used take three"
).split()
_ONSETS = "b c d f g h j k l m n p r s t v w z br ch cl dr fl gr pl pr sh st th tr".split()
_NUCLEI = "a e i o u ai ea ee io ou".split()
_CODAS = ["", "", "n", "r", "s", "l", "t", "nd", "st", "rk"]
ZIPF_S = 1.05
VOCABULARY_SIZE = 40_000
# Named people of the synthetic set: about half its memories name one or two of them, a few people
# (Zipf) in thousands of memories, most in a handful, so questions that name someone exercise the
# graph retriever as a real project's do.
PEOPLE = 2_000


def _vocabulary(seed: int) -> list[str]:
    rng = random.Random(seed)
    words = list(dict.fromkeys(_COMMON))
    seen = set(words)
    while len(words) < VOCABULARY_SIZE:
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS) for _ in range(rng.choice((1, 2, 2, 3)))
        )
        if word not in seen and len(word) > 2:
            seen.add(word)
            words.append(word)
    return words


def _documents(vocabulary: list[str], count: int, seed: int) -> list[str]:
    import numpy as np

    gen = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(vocabulary) + 1) ** ZIPF_S
    lengths = gen.integers(8, 41, size=count)
    drawn = gen.choice(len(vocabulary), size=int(lengths.sum()), p=weights / weights.sum())
    out, at = [], 0
    for n in lengths:
        picked = [vocabulary[i] for i in drawn[at : at + n]]
        at += n
        out.append(f"{picked[0].capitalize()} {' '.join(picked[1:])}.")
    return out


def _people(count: int, seed: int) -> tuple[list[str], list[list[int]]]:
    """PEOPLE made-up full names, and for each of `count` memories the people it names (none, one or two)."""
    import numpy as np

    rng = random.Random(seed + 1)

    def part() -> str:
        return "".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS) for _ in range(2)).capitalize()

    names: dict[str, None] = {}  # distinct, in the order drawn
    while len(names) < PEOPLE:
        names[f"{part()} {part()}"] = None
    gen = np.random.default_rng(seed + 1)
    weights = 1.0 / np.arange(1, PEOPLE + 1) ** ZIPF_S
    how_many = gen.choice(3, size=count, p=[0.5, 0.35, 0.15])
    drawn = gen.choice(PEOPLE, size=int(how_many.sum()), p=weights / weights.sum())
    named, at = [], 0
    for n in how_many:
        named.append(sorted(set(int(i) for i in drawn[at : at + n])))
        at += n
    return list(names), named


def _questions(
    rng: random.Random, vocabulary: list[str], documents: list[str], count: int, people: list[str], named: list
) -> list[tuple]:
    """(class, question, index of the document it was taken from or None); `documents` without their names.

    "mixed": 2 to 5 words of one document (whatever their frequency), as someone looking for it would ask;
    "named": a person a document names and 1 to 3 of its words, as "what did <someone> say about ...";
    "common": 2 to 5 of the 150 commonest words that are not on the stop list, and nothing rarer: the
    slow case, reported apart rather than hidden in the mix."""
    from apps.recall import text

    common = [w for w in vocabulary[:300] if w not in text.STOPWORDS][:150]
    naming = [i for i, who in enumerate(named) if who]
    out = []
    for i in range(count):
        if i % 4 == 3:
            out.append(("common", " ".join(rng.sample(common, rng.randint(2, 5))), None))
            continue
        at = rng.choice(naming) if i % 4 == 2 else rng.randrange(len(documents))
        words = list(dict.fromkeys(documents[at].rstrip(".").lower().split()))
        if i % 4 == 2:
            asked = " ".join(rng.sample(words, min(len(words), rng.randint(1, 3))))
            out.append(("named", f"What did {people[rng.choice(named[at])]} say about {asked}?", at))
        else:
            out.append(("mixed", " ".join(rng.sample(words, min(len(words), rng.randint(2, 5)))), at))
    return out


def _with_people(document: str, people: list[str], who: list[int]) -> str:
    return f"{document} With {' and '.join(people[i] for i in who)}." if who else document


VECTORS_CACHE = BASE_DIR / "var" / "bench-vectors"


def _embed_part(texts: list[str]):
    import django

    django.setup()
    from apps.recall.embeddings import get_embedder

    return get_embedder().embed(texts)


def _vectors(embedder, contents: list[str], seed: int):
    """The synthetic set's vectors: embedded in one process a core, and kept in var/bench-vectors.

    A 100,000-memory set takes MiniLM minutes of CPU; the same documents give
    the same vectors for the same model, so a second run of the speed part
    reads them back."""
    import hashlib

    import numpy as np

    digest = hashlib.sha256("\n".join(contents).encode()).hexdigest()[:12]
    cache = VECTORS_CACHE / f"{embedder.name}-{len(contents)}-{seed}-{digest}.npy"
    if cache.exists():
        vectors = np.load(cache)
        if vectors.shape[0] == len(contents):
            print(f"  vectors read from {cache.relative_to(BASE_DIR)}", flush=True)
            return vectors
    from concurrent.futures import ProcessPoolExecutor

    processes = max(1, os.cpu_count() or 1)
    chunk = -(-len(contents) // processes)
    parts = [contents[i : i + chunk] for i in range(0, len(contents), chunk)]
    with ProcessPoolExecutor(processes) as pool:
        vectors = np.concatenate(list(pool.map(_embed_part, parts)))
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def speed(memories: int, queries: int, seed: int) -> dict:
    import numpy as np
    from django.contrib.auth.models import User
    from django.db import connection

    from apps.memories.models import content_hash
    from apps.projects.services import project_create
    from apps.recall import indexes, text
    from apps.recall.embeddings import get_embedder
    from apps.recall.search import SearchQuery, search
    from apps.recall.search.retrievers import words

    rng = random.Random(seed)
    owner = User.objects.get_or_create(username="bench")[0]
    project = project_create(owner=owner, name="Synthetic")
    embedder = get_embedder()
    start = datetime(2020, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    vocabulary = _vocabulary(seed)
    people, named = _people(memories, seed)
    documents = _documents(vocabulary, memories, seed)  # what questions ask about: the words before the names
    contents = [_with_people(d, people, who) for d, who in zip(documents, named, strict=True)]
    vectors = _vectors(embedder, contents, seed)
    embed_seconds = time.perf_counter() - started
    import uuid

    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in contents]
    now = datetime.now(UTC)
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY memories_memory (id, project_id, title, content, content_type, source_description, tags, metadata, "
            "valid_at, processing_status, content_hash, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i, (memory_id, content) in enumerate(zip(ids, contents, strict=True)):
                copy.write_row(
                    (
                        memory_id,
                        project.pk,
                        f"Note {i}",
                        content,
                        "text",
                        "",
                        "[]",
                        "{}",
                        start + timedelta(minutes=i),
                        "completed",
                        content_hash(content),
                        now,
                        now,
                    )
                )
        # Loading is faster into a table without its search indexes; they are built once at the end.
        dimension = int(vectors.shape[1])
        cursor.execute(f"DROP INDEX IF EXISTS {indexes.GIN_INDEX}, {indexes.hnsw_index_name(dimension)}")
        with raw.cursor().copy(
            "COPY recall_passage (project_id, memory_id, position, start, text, lexemes, analyzer, embedding, "
            "embedding_model, embedding_dimension, created_at) FROM STDIN"
        ) as copy:
            for memory_id, content, vector in zip(ids, contents, vectors, strict=True):
                copy.write_row(
                    (
                        project.pk,
                        memory_id,
                        0,
                        0,
                        content,
                        _tsvector(text.index_text(content)),
                        text.ANALYZER,
                        "[" + ",".join(f"{x:.6f}" for x in vector) + "]",
                        embedder.name,
                        int(vector.shape[0]),
                        now,
                    )
                )
        _load_people(project, people, named, ids, start)
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(f"CREATE INDEX {indexes.GIN_INDEX} ON {indexes.TABLE} USING gin (lexemes)")
        cursor.execute(indexes.hnsw_sql(dimension))
        for table in ("memories_memory", "recall_passage", "graph_entity", "graph_mention"):
            cursor.execute(f"ANALYZE {table}")
    load_seconds = time.perf_counter() - started
    print(f"  {memories:,} memories loaded in {load_seconds:.0f} s (embedding {embed_seconds:.0f} s)", flush=True)

    questions = _questions(rng, vocabulary, documents, queries, people, named)
    for _, q, _ in questions[:5]:  # warm the model
        search(project=project, query=SearchQuery(q=q))
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    found: dict[str, list[float]] = defaultdict(list)
    overlap = []
    for n, (kind, q, source) in enumerate(questions):
        # Whichever runs first pays for the cold pages and the words' document frequencies: alternate.
        for which in ("hybrid", "bm25") if n % 2 else ("bm25", "hybrid"):
            t = time.perf_counter()
            if which == "hybrid":
                result = search(project=project, query=SearchQuery(q=q, limit=10))
                elapsed = (time.perf_counter() - t) * 1000
            else:
                hits = words.lexical(project, text.query_words(q), None, limit=10)
                bm25 = (time.perf_counter() - t) * 1000
        for name in (kind, "all"):
            times[name]["hybrid"].append(elapsed)
            times[name]["bm25"].append(bm25)
        if source is not None:
            found["hybrid"].append(float(ids[source] in {r.memory.id for r in result.results}))
            found["bm25"].append(float(ids[source] in {h.memory_id for h in hits}))
        if n % 5 == 0:  # the bounded candidates against every passage sharing a word, BM25 alike
            bounded = [h.memory_id for h in hits]
            rows, share = words.CANDIDATE_ROWS, words.COMMON_SHARE
            words.CANDIDATE_ROWS, words.COMMON_SHARE = 10**9, 1.0
            try:
                full = [h.memory_id for h in words.lexical(project, text.query_words(q), None, limit=10)]
            finally:
                words.CANDIDATE_ROWS, words.COMMON_SHARE = rows, share
            overlap.append(len(set(bounded) & set(full)) / max(len(full), 1))

    def pct(values: list[float], p: float) -> float:
        return round(float(np.percentile(values, p)), 1)

    by_class = {
        name: {
            "queries": len(t["hybrid"]),
            "hybrid_ms": {"p50": pct(t["hybrid"], 50), "p95": pct(t["hybrid"], 95)},
            "bm25_only_ms": {"p50": pct(t["bm25"], 50), "p95": pct(t["bm25"], 95)},
            "ratio_p50": round(statistics.median(t["hybrid"]) / statistics.median(t["bm25"]), 2),
        }
        for name, t in times.items()
    }
    return {
        "memories": memories,
        "vocabulary": len(vocabulary),
        "queries": by_class,
        "source_in_top10": {name: round(statistics.fmean(v), 3) for name, v in found.items()},
        "bounded_vs_exhaustive_bm25_top10_overlap": round(statistics.fmean(overlap), 3) if overlap else None,
        "load_seconds": round(load_seconds, 1),
        "loadavg_during_queries": [round(x, 2) for x in os.getloadavg()],
    }


def _load_people(project, people: list[str], named: list[list[int]], ids: list, start: datetime) -> None:
    """The people as Person entities of the project, and a mention for each memory that names one."""
    from apps.graph.models import Entity, EntityType, Mention
    from apps.graph.resolution import normalize_name

    person = EntityType.objects.get_or_create(project=project, name="Person")[0]
    entities = Entity.objects.bulk_create(
        [
            Entity(
                project=project,
                name=name,
                normalized_name=normalize_name(name),
                entity_type=person,
                first_seen_at=start,
                last_seen_at=start,
            )
            for name in people
        ]
    )
    Mention.objects.bulk_create(
        [
            Mention(memory_id=memory_id, entity_id=entities[i].pk, entity_type_name="Person")
            for memory_id, who in zip(ids, named, strict=True)
            for i in who
        ],
        batch_size=5_000,
    )


def _tsvector(words: str) -> str:
    """The `simple` configuration's tsvector of already-normalised words, as COPY text: 'word':1,5 ..."""
    positions: dict[str, list[int]] = defaultdict(list)
    for i, word in enumerate(words.split(), start=1):
        positions[word].append(i)
    return " ".join(
        "'" + w.replace("\\", "\\\\").replace("'", "''") + "':" + ",".join(map(str, p)) for w, p in positions.items()
    )


# --- the scratch database ---------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-server", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--quality", action="store_true", help="only the LoCoMo part")
    parser.add_argument("--speed", action="store_true", help="only the 100,000-memory part")
    parser.add_argument(
        "--embedding", action="store_true", help="only the embedding model: ms a passage and a question, memory"
    )
    parser.add_argument("--conversations", default="26,30,41")
    parser.add_argument(
        "--index-only", action="store_true", help="quality without the graph: index turns directly (fast, for tuning)"
    )
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", metavar="FILE", help="write the results here")
    parser.add_argument("--keep-database", action="store_true", help="leave the scratch database (to EXPLAIN)")
    args = parser.parse_args()
    both = not (args.quality or args.speed or args.embedding)
    parts = urlsplit(args.database_server)
    if parts.scheme not in ("postgres", "postgresql"):
        print(
            "bench/recall.py: needs a PostgreSQL server with pgvector (--database-server, or make bench)",
            file=sys.stderr,
        )
        return 2
    import psycopg
    from psycopg import sql

    server = urlunsplit(parts._replace(path=""))
    name = f"memstack_recall_{secrets.token_hex(4)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    var_dir = tempfile.mkdtemp(prefix="memstack-bench-recall-")
    os.environ.update(
        DATABASE_URL=f"{server}/{name}",
        MEMSTACK_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="memstack.settings",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only-secret-key"),
        DEBUG="false",
    )
    os.environ.pop("REDIS_URL", None)  # tasks are run here; their queue is a folder in var_dir
    results: dict = {}
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if both or args.quality:
            print("LoCoMo quality:", flush=True)
            results["quality"] = quality(args.conversations.split(","), index_only=args.index_only)
        if both or args.embedding:
            print("Embedding model:", flush=True)
            results["embedding"] = embedding(args.conversations.split(","))
        if both or args.speed:
            print(f"Search speed at {args.memories:,} memories:", flush=True)
            results["speed"] = speed(args.memories, args.queries, args.seed)
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep_database:
            print(f"kept the database {server}/{name}", file=sys.stderr)
        else:
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    print(json.dumps(results, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
