"""Ingestion speed: memories/s per worker process, where the time goes, one memory's latency.

Runs in a scratch database. The measured process plays the worker: it
creates memories through `memory_create` (the enqueue goes to a queue of this
run's own, deleted at the end) and runs each ingestion with the worker's own
`run_task(memory_ingest)`, one after another, so memories/s is per worker
process, without the broker's pickup delay. Time is split by timers around
the pipeline's parts; a cProfile pass over a smaller set says where it goes.
The `latency` suite measures one memory end to end instead: POST to the
`completed` event on its task's stream, with the Procfile's uvicorn and
worker, against an empty Celery task's round trip in the same run.

    python bench/ingest.py --locomo-turns 200 --synthetic 1000   (make bench runs it)
    python bench/ingest.py --suites latency --latency-memories 30
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import random
import secrets
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

LOCOMO = BASE_DIR.parent / "shared" / "data" / "locomo" / "26.json"

FIRST = ["Alice", "Bob", "Carmen", "Dmitri", "Eun", "Farah", "Goran", "Hana", "Ivan", "Jia", "Kofi", "Lena"]
LAST = ["Chen", "Smith", "Garcia", "Petrov", "Kim", "Haddad", "Novak", "Sato", "Ivanov", "Wang", "Mensah", "Berg"]
ORGS = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Works", "Wayne Foods", "Tyrell Systems"]
CITIES = ["Paris", "Berlin", "Lagos", "Osaka", "Lima", "Toronto", "Madrid", "Seoul"]


def locomo_notes(limit: int) -> list[tuple[str, datetime]]:
    """One memory per turn of the conversation, valid at its session's date."""
    data = json.loads(LOCOMO.read_text())
    notes = []
    for session in data["sessions"]:
        when = datetime.strptime(session["date_time"], "%I:%M %p on %d %B, %Y").replace(tzinfo=UTC)
        for turn in session["turns"]:
            notes.append((f"{turn['speaker']}: {turn['text']}", when))
    return notes[:limit]


def synthetic_notes(count: int, seed: int) -> list[tuple[str, datetime]]:
    """Short notes about a population of people, organisations and cities that grows with `count`."""
    rng = random.Random(seed)
    people = [f"{f} {l}" for f in FIRST for l in LAST]  # noqa: E741
    notes = []
    for index in range(count):
        person = f"{rng.choice(people)} {index // 50}" if index >= 50 else rng.choice(people)
        org, city = rng.choice(ORGS), rng.choice(CITIES)
        text = rng.choice(
            [f"{person} works at {org}.", f"{person} lives in {city}.", f"{person} met {rng.choice(people)} in {city}."]
        )
        notes.append((f"{text} (note {index})", datetime(2024, 1, 1, tzinfo=UTC)))
    return notes


# -- the measured process -------------------------------------------------------------


class Timers:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.depth = 0

    def wrap(self, owner, name: str, category: str) -> None:
        original = getattr(owner, name)
        timers = self

        @wraps(original)
        def timed(*args, **kwargs):
            # Only the outermost timed call counts, so categories never overlap.
            if timers.depth:
                return original(*args, **kwargs)
            timers.depth += 1
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                timers.seconds[category] += time.perf_counter() - start
                timers.calls[category] += 1
                timers.depth -= 1

        setattr(owner, name, timed)


def child(args) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")
    django.setup()
    import redis
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from apps.graph.extraction import get_extractor
    from apps.graph.models import Entity
    from apps.graph.services import episodes
    from apps.memories import services as memories
    from apps.memories.models import Memory
    from apps.projects.services import project_create
    from apps.tasks import reporter as reporter_module
    from apps.tasks import services as task_services
    from apps.tasks.models import TaskLog, TaskStage
    from apps.tasks.services import control, creation, status
    from memstack.celery import app

    queue = f"memstack-bench-{secrets.token_hex(4)}"
    app.conf.task_default_queue = queue  # nothing consumes it; deleted at the end

    timers = Timers()
    timers.wrap(type(get_extractor()), "extract", "extraction")
    for name in ("schema_sync", "communities_update", "_episode_write", "schema_load"):
        timers.wrap(episodes, name, "graph reads/writes")
    # A stage is one statement: its row, its stage row and its events.
    timers.wrap(reporter_module.ProgressReporter, "_record", "stages (row, stage row, events)")
    timers.wrap(reporter_module, "announce", "events")
    for module in (status, creation, control):
        timers.wrap(module, "announce", "events")
    for name in ("mark_started", "mark_progress", "mark_completed"):
        timers.wrap(TaskLog, name, "TaskLog")
    timers.wrap(reporter_module.ProgressReporter, "check_cancelled", "TaskLog")
    timers.wrap(creation, "task_enqueue", "queue (enqueue)")

    user = get_user_model().objects.create_user(username=f"bench-{secrets.token_hex(3)}", password=None)
    results: dict = {"queue": queue, "extractor": settings.GRAPH_EXTRACTOR}

    def ingest_all(label: str, notes, *, profile: bool = False) -> dict:
        project = project_create(owner=user, name=label)
        for key in list(timers.seconds):
            timers.seconds[key] = 0.0
        created_s = 0.0
        run_s = 0.0
        profiler = cProfile.Profile() if profile else None
        latencies = []
        for text, valid_at in notes:
            start = time.perf_counter()
            memory = memories.memory_create(
                project=project, author=user, title=text[:40], content=text, valid_at=valid_at
            )
            created = time.perf_counter()
            if profiler:
                profiler.enable()
            task_services.run_task(
                str(memory.current_task_id), memories.memory_ingest, done_message=memories.DONE_MESSAGE
            )
            if profiler:
                profiler.disable()
            done = time.perf_counter()
            created_s += created - start
            run_s += done - created
            latencies.append(done - start)
        tasks = TaskLog.objects.filter(project=project)
        statuses = dict((s, tasks.filter(status=s).count()) for s in ("completed", "failed", "cancelled", "pending"))
        stage_gaps: dict[str, list[float]] = defaultdict(list)
        for task in tasks.filter(status="completed")[:500]:
            stages = list(TaskStage.objects.filter(task=task).order_by("at", "id"))
            marks = (
                [("start", task.started_at)] + [(f"{s.progress}%", s.at) for s in stages] + [("end", task.completed_at)]
            )
            for (name, at), (_next, next_at) in zip(marks, marks[1:]):
                stage_gaps[name].append((next_at - at).total_seconds() * 1000)
        total = created_s + run_s
        out = {
            "memories": len(notes),
            "statuses": statuses,
            "entities": Entity.objects.filter(project=project).count(),
            "seconds": round(total, 2),
            "memories_per_second": round(len(notes) / total, 1),
            "create_seconds": round(created_s, 2),
            "run_seconds": round(run_s, 2),
            "create_to_completed_ms": {
                "p50": round(statistics.median(latencies) * 1000, 1),
                "p90": round(statistics.quantiles(latencies, n=10)[-1] * 1000, 1) if len(latencies) >= 10 else None,
            },
            "split_seconds": {k: round(v, 2) for k, v in sorted(timers.seconds.items())},
            "stage_ms_p50": {k: round(statistics.median(v), 1) for k, v in stage_gaps.items()},
        }
        accounted = sum(timers.seconds.values())
        out["split_seconds"]["other (memory rows, stage rows, transactions, Python)"] = round(total - accounted, 2)
        extraction = timers.seconds.get("extraction", 0.0)
        graph = timers.seconds.get("graph reads/writes", 0.0)
        out["overhead_vs_extraction"] = round((total - extraction - graph) / extraction, 2) if extraction else None
        if profiler:
            out["profile_top"] = profile_top(profiler)
        return out

    def profile_top(profiler: cProfile.Profile) -> str:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        return "\n".join(line for line in text.getvalue().splitlines() if line.strip() and "{" not in line[:5])[:6000]

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.graph.models import EntityType
    from apps.graph.resolution import normalize_name
    from apps.graph.services.schema import ensure_default_types
    from apps.memories.imports import parsing
    from apps.memories.imports import services as imports
    from apps.memories.imports.ingestion import INGEST_BATCH_SIZE, import_ingest_batch

    class Statements:
        """Counts the SQL statements the process sends (what each costs is mostly a round trip)."""

        def __init__(self) -> None:
            self.count = 0

        def __call__(self, execute, sql, params, many, context):
            self.count += 1
            return execute(sql, params, many, context)

    statements = Statements()
    counting = connection.execute_wrapper(statements)  # kept: collected, it would stop counting
    counting.__enter__()

    def import_all(label: str, notes, *, project=None, profile: bool = False) -> dict:
        """A batch import as the worker runs it: the parent reads the items, then each batch is ingested
        (under cProfile with `profile`: it slows the run, so memories/s is then not comparable)."""
        project = project or project_create(owner=user, name=label)
        items = [{"title": text[:40], "content": text, "valid_at": valid_at.isoformat()} for text, valid_at in notes]
        counted = statements.count
        start = time.perf_counter()
        task = imports.import_start(project=project, author=user, parsed=parsing.read_import(items=items))
        task_services.run_task(str(task.id), imports.import_run, done_message=imports.NOTHING_NEW_MESSAGE)
        read = time.perf_counter()
        ids = list(task.children.order_by("created_at", "id").values_list("id", flat=True))
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        for first in range(0, len(ids), INGEST_BATCH_SIZE):
            import_ingest_batch([str(i) for i in ids[first : first + INGEST_BATCH_SIZE]])
        if profiler:
            profiler.disable()
        done = time.perf_counter()
        task.refresh_from_db()
        children = dict((s, task.children.filter(status=s).count()) for s in ("completed", "failed", "cancelled"))
        return {
            "memories": len(notes),
            "parent": task.status,
            "children": children,
            "entities": Entity.objects.filter(project=project).count(),
            "seconds": round(done - start, 2),
            "read_seconds": round(read - start, 2),
            "ingest_seconds": round(done - read, 2),
            "memories_per_second": round(len(notes) / (done - start), 1),
            "statements_per_memory": round((statements.count - counted) / len(notes), 1),
            **({"profile_top": profile_top(profiler)} if profiler else {}),
        }

    def single_statements(label: str, notes) -> float:
        """SQL statements per memory, creation to completed, on the single-memory path."""
        project = project_create(owner=user, name=label)
        counted = statements.count
        for text, valid_at in notes:
            memory = memories.memory_create(
                project=project, author=user, title=text[:40], content=text, valid_at=valid_at
            )
            task_services.run_task(
                str(memory.current_task_id), memories.memory_ingest, done_message=memories.DONE_MESSAGE
            )
        return round((statements.count - counted) / len(notes), 1)

    def entity_scale(entities: int, notes) -> dict:
        """Per-memory ingestion time in a project that already holds `entities` entities."""
        project = project_create(owner=user, name=f"{entities:,} entities")
        ensure_default_types(project)
        person = EntityType.objects.get(project=project, name="Person")
        now = datetime(2023, 1, 1, tzinfo=UTC)
        rng = random.Random(entities)
        syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "do", "fu", "gi"]
        batch = []
        for index in range(entities):
            name = (
                "".join(rng.choice(syllables) for _ in range(3)).title()
                + " "
                + "".join(rng.choice(syllables) for _ in range(4)).title()
                + f" {index}"
            )
            batch.append(Entity(project=project, name=name, normalized_name=normalize_name(name), entity_type=person,
                                first_seen_at=now, last_seen_at=now))  # fmt: skip
            if len(batch) == 5000:
                Entity.objects.bulk_create(batch)
                batch = []
        Entity.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE graph_entity")
        single_notes, import_notes = notes[: len(notes) // 4], notes[len(notes) // 4 :]
        start = time.perf_counter()
        for text, valid_at in single_notes:
            memory = memories.memory_create(
                project=project, author=user, title=text[:40], content=text, valid_at=valid_at
            )
            task_services.run_task(
                str(memory.current_task_id), memories.memory_ingest, done_message=memories.DONE_MESSAGE
            )
        single = (time.perf_counter() - start) / len(single_notes)
        imported = import_all(f"import at {entities}", import_notes, project=project)
        return {
            "entities_before": entities,
            "single_ms_per_memory": round(single * 1000, 1),
            "import_ms_per_memory": round(imported["seconds"] * 1000 / len(import_notes), 1),
            "import": imported,
        }

    def pages_at_scale(rows: int) -> dict:
        """The memory list and the task dashboard of a project with `rows` memories and tasks, at the server.

        Each page type is timed through Django's test client (middleware, view,
        template; no network), `--page-repeats` times, round-robin, against a
        baseline measured in the same rounds: the New memory page (the same
        session, access check and base template, and no list). One row in a
        hundred failed, one task in five hundred an export: the filtered pages.
        """
        from apps.core.pagination import Position
        from apps.tasks.models import Status

        project = project_create(owner=user, name=f"{rows:,} rows")
        now = datetime(2024, 1, 1, tzinfo=UTC)
        for first in range(0, rows, 5000):
            numbers = range(first, min(rows, first + 5000))
            tasks = [
                TaskLog(project=project, task_type="export_memories" if n % 500 == 7 else "ingest_memory",
                        status=Status.FAILED if n % 100 == 3 else Status.COMPLETED, progress=100,
                        message="Episode ingestion completed", subject_type="memories.memory",
                        subject_label=f"Page note {n}", result={"entities": 1, "relationships": 0})
                for n in numbers
            ]  # fmt: skip
            TaskLog.objects.bulk_create(tasks)
            Memory.objects.bulk_create(
                Memory(project=project, author=user, title=f"Page note {n}", content=f"Page note {n} body",
                       content_hash=f"{project.id}-{n}", valid_at=now, processing_status=task.status,
                       current_task=task)
                for n, task in zip(numbers, tasks, strict=True)
            )  # fmt: skip
        with connection.cursor() as cursor:
            # As autovacuum leaves a table that has taken many inserts.
            cursor.execute("VACUUM ANALYZE memories_memory")
            cursor.execute("VACUUM ANALYZE tasks_tasklog")

        def cursor_at(model, offset: int) -> str:
            """The Older link's cursor that leads to the page starting after row `offset` (as links reach it)."""
            row = model.objects.filter(project=project).order_by("-created_at", "id")[offset]
            return Position.of(row).encode()

        memories_url, tasks_url = f"/project/{project.id}/memories/", f"/project/{project.id}/tasks/"
        deep_memory, deep_task = cursor_at(Memory, rows // 2), cursor_at(TaskLog, rows // 2)
        pages = {
            "baseline: New memory page": f"/project/{project.id}/memories/new/",
            "memory list, first page": memories_url,
            f"memory list, page at row {rows // 2:,} (cursor)": f"{memories_url}?cursor={deep_memory}",
            "memory list, failed only": f"{memories_url}?status=failed",
            "memory list, ?page=2000 (old link)": f"{memories_url}?page=2000",
            "task dashboard, first page": tasks_url,
            f"task dashboard, page at row {rows // 2:,} (cursor)": f"{tasks_url}?cursor={deep_task}",
            "task dashboard, failed only": f"{tasks_url}?status=failed",
            "task dashboard, exports only": f"{tasks_url}?type=export_memories",
            "task dashboard, ?page=1000 (old link)": f"{tasks_url}?page=1000",
            "API memories, first page": f"/api/v1/memories/?project_id={project.id}",
            "API memories, deep page (cursor)": f"/api/v1/memories/?project_id={project.id}&cursor={deep_memory}",
            "API tasks, first page": f"/api/v1/tasks/?project={project.id}",
            "API tasks, deep page (cursor)": f"/api/v1/tasks/?project={project.id}&cursor={deep_task}",
        }
        client = Client()
        client.force_login(user)
        timings: dict[str, list[float]] = defaultdict(list)
        cpu: dict[str, list[float]] = defaultdict(list)  # this process's CPU: what the load average does not stretch
        sql: dict[str, list[float]] = defaultdict(list)  # waiting for the database's answers, all statements
        queries: dict[str, set[int]] = defaultdict(set)
        list_sql: dict[str, str] = {}
        for _ in range(args.page_repeats):
            for name, url in pages.items():
                with CaptureQueriesContext(connection) as captured:
                    start, start_cpu = time.perf_counter(), time.process_time()
                    response = client.get(url, HTTP_HOST="localhost")
                    timings[name].append(time.perf_counter() - start)
                    cpu[name].append(time.process_time() - start_cpu)
                assert response.status_code == 200, (url, response.status_code)
                queries[name].add(len(captured))
                sql[name].append(sum(float(query["time"]) for query in captured.captured_queries))
                # The statement that reads the page's rows, for its plan below.
                for query in captured.captured_queries:
                    if "ORDER BY" in query["sql"] and "LIMIT" in query["sql"] and "COUNT(" not in query["sql"]:
                        list_sql[name] = query["sql"]
        baseline = statistics.median(timings["baseline: New memory page"])
        out: dict = {"rows": rows, "load_average": os.getloadavg()}
        for name in pages:
            p50 = statistics.median(timings[name])
            out[name] = {"p50_ms": round(p50 * 1000, 1), "x_baseline": round(p50 / baseline, 2),
                         "cpu_p50_ms": round(statistics.median(cpu[name]) * 1000, 1),
                         "sql_p50_ms": round(statistics.median(sql[name]) * 1000, 1),
                         "queries": sorted(queries[name])}  # fmt: skip
        with connection.cursor() as cursor:
            for name, sql in list_sql.items():
                cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}")
                plan = [row[0] for row in cursor.fetchall()]
                out[name]["plan"] = [line.strip() for line in plan if "Scan" in line or "Sort" in line]
                out[name]["plan"] += [line for line in plan if line.startswith("Execution Time")]
        return out

    if args.suites in ("all", "ingest"):
        results["locomo"] = ingest_all("LoCoMo", locomo_notes(args.locomo_turns))
        results["synthetic"] = ingest_all("Synthetic", synthetic_notes(args.synthetic, args.seed))
        if args.profile:  # --profile 0: no profiled pass
            results["profile"] = ingest_all("Profiled", synthetic_notes(args.profile, args.seed + 1), profile=True)
    if args.suites in ("all", "import"):
        # The same notes as above (another project), through a batch import.
        results["import_locomo"] = import_all("LoCoMo import", locomo_notes(args.locomo_turns))
        results["import_synthetic"] = import_all("Synthetic import", synthetic_notes(args.synthetic, args.seed))
        if args.profile:
            # Where a batch's time goes: the same LoCoMo turns again, in a project of their own, profiled.
            results["import_profile"] = import_all(
                "Profiled import", locomo_notes(min(args.locomo_turns, args.profile * 2)), profile=True
            )
        few = synthetic_notes(40, args.seed + 2)
        results["statements_single"] = single_statements("Statements", few)
    if args.suites in ("all", "scale"):
        notes = synthetic_notes(args.scale_memories, args.seed + 3)
        results["scale"] = [entity_scale(n, notes) for n in args.scale_entities]
    if args.suites in ("all", "pages"):
        results["pages"] = pages_at_scale(args.page_rows)
    # One short memory at a time, in a project that already holds the synthetic set's entities.
    results["memory_rows"] = Memory.objects.count()
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)
    return results


# -- one memory end to end, with the Procfile's web and worker ---------------------

LATENCY_SETUP = """
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from apps.projects.services import project_create
user = User.objects.create_user("bench-latency")
project = project_create(owner=user, name="Latency")
print(json.dumps({"token": Token.objects.create(user=user).key, "project_id": str(project.id)}))
"""


def _parse_time(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def latency(env: dict[str, str], args, log=print) -> dict:
    """POST /api/v1/memories/ to the `completed` event on the task's stream, as a user's script sees it.

    uvicorn and the worker run as the Procfile runs them (the worker also
    loads bench.noop_task). Each round sends the baseline first, an empty
    Celery task through the same broker and pool (bench/noop_task.py), then
    posts one short memory and reads its task's stream until `completed`.
    The first rounds warm both processes up and are not counted.
    """
    import httpx
    import redis
    from celery import Celery

    from bench.sse_latency import ProductionUvicorn
    from tests.live.processes import PYTHON, ServerProcess, manage_shell_json

    env = {**env, "ALLOWED_HOSTS": "127.0.0.1"}
    setup = manage_shell_json(env, LATENCY_SETUP)
    worker = ServerProcess(
        "celery",
        [PYTHON, "-m", "celery", "-A", "memstack", "worker", "--loglevel", "INFO",
         "--concurrency", str(args.latency_concurrency), "--include", "bench.noop_task",
         "--hostname", f"bench-{secrets.token_hex(3)}@%h"],
        env,
        ready_log=" ready.",
    )  # fmt: skip
    broker = Celery(broker=env["REDIS_URL"])
    notes = redis.Redis.from_url(env["REDIS_URL"])
    key = f"memstack-bench-noop-{secrets.token_hex(4)}"
    warmup = 3
    rounds: list[dict] = []
    with ProductionUvicorn(env) as web, worker:
        api = httpx.Client(
            base_url=web.url, headers={"Authorization": f"Token {setup['token']}"}, timeout=60, trust_env=False
        )
        for index, (text, valid_at) in enumerate(locomo_notes(args.latency_memories + warmup)):
            start = time.perf_counter()
            broker.send_task("bench.noop", args=[key])
            if notes.blpop([key], timeout=60) is None:
                raise SystemExit("bench/ingest.py: the no-op task did not run within 60 s\n" + worker.log_tail())
            noop = time.perf_counter() - start

            posted_at = time.time()
            start = time.perf_counter()
            response = api.post(
                "/api/v1/memories/",
                json={"project_id": setup["project_id"], "title": text[:40], "content": text,
                      "valid_at": valid_at.isoformat()},
            )  # fmt: skip
            if response.status_code != 201:
                raise SystemExit(f"bench/ingest.py: POST answered {response.status_code}: {response.text[:500]}")
            answered = time.perf_counter()
            task_id = response.json()["task_id"]
            event = None
            with api.stream("GET", f"/api/v1/tasks/{task_id}/stream") as stream:
                for line in stream.iter_lines():
                    if line.startswith("event: ") and line[7:] in ("completed", "failed", "cancelled"):
                        event = line[7:]
                        break
            done = time.perf_counter()
            received_at = time.time()
            if event != "completed":
                raise SystemExit(f"bench/ingest.py: task {task_id} ended {event}\n" + worker.log_tail())
            task = api.get(f"/api/v1/tasks/{task_id}/").json()
            if index < warmup:
                continue
            created, started, completed = (
                _parse_time(task[name]) for name in ("created_at", "started_at", "completed_at")
            )
            rounds.append({
                "noop": noop,
                "post_to_completed": done - start,
                "post_answered": answered - start,
                "created_to_started": started - created,
                "started_to_completed": completed - started,
                "completed_to_received": received_at - completed,
                "posted_to_created": created - posted_at,
            })  # fmt: skip
        notes.delete(key)

    def p50_ms(name: str) -> float:
        return round(statistics.median(r[name] for r in rounds) * 1000, 1)

    post, noop = p50_ms("post_to_completed"), p50_ms("noop")
    return {
        "memories": len(rounds),
        "worker_concurrency": args.latency_concurrency,
        "post_to_completed_ms": {
            "p50": post,
            "p90": round(statistics.quantiles([r["post_to_completed"] for r in rounds], n=10)[-1] * 1000, 1),
        },
        "noop_round_trip_ms_p50": noop,
        "ratio_p50": round(post / noop, 1) if noop else None,
        "split_ms_p50": {
            name: p50_ms(name)
            for name in (
                "post_answered",
                "posted_to_created",
                "created_to_started",
                "started_to_completed",
                "completed_to_received",
            )
        },  # fmt: skip
    }


# -- the orchestrating process ------------------------------------------------------


def run_once(*, database_server_url: str, redis_url: str, args, log=print) -> dict:
    from bench.sse_latency import ScratchDatabase
    from tests.live.processes import live_env, run_manage

    with ScratchDatabase(database_server_url) as database:
        env = live_env(
            DATABASE_URL=database.url,
            REDIS_URL=redis_url,
            DEBUG="false",
            SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key",
            MEMSTACK_AUTO_MIGRATE="false",
            LOG_LEVEL="ERROR",
            ALLOWED_HOSTS="localhost",
        )
        log(f"  database {database.name}: migrating")
        run_manage(env, "migrate", "--noinput", "-v", "0")
        if args.suites in ("all", "latency"):
            log(f"  latency: {args.latency_memories} memories, POST to completed, web and worker as in the Procfile")
            latency_result = latency(env, args, log)
            if args.suites == "latency":
                return {"extractor": env.get("GRAPH_EXTRACTOR", "offline"), "latency": latency_result}
        if args.suites in ("all", "ingest", "import"):
            log(f"  ingesting {args.locomo_turns} LoCoMo turns, {args.synthetic} synthetic, {args.profile} profiled")
        else:
            log(f"  {args.suites}")
        command = [
            sys.executable, __file__, "--child", "--locomo-turns", str(args.locomo_turns),
            "--synthetic", str(args.synthetic), "--profile", str(args.profile), "--seed", str(args.seed),
            "--suites", args.suites, "--scale-memories", str(args.scale_memories),
            "--scale-entities", *[str(n) for n in args.scale_entities],
            "--page-rows", str(args.page_rows), "--page-repeats", str(args.page_repeats),
        ]  # fmt: skip
        done = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"bench/ingest.py child failed:\n{done.stderr[-4000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if args.suites == "all":
            result["latency"] = latency_result
        return result


def report(result: dict) -> str:
    lines = [f"extractor: {result['extractor']}"]
    for name in ("import_locomo", "import_synthetic"):
        if name in result:
            lines.append(f"{name}: {result[name]}")
    for name in ("latency", "statements_single", "scale"):
        if name in result:
            lines.append(f"{name}: {json.dumps(result[name], default=str)}")
    if "pages" in result:
        lines.append(f"pages at {result['pages']['rows']:,} rows (load average {result['pages']['load_average']}):")
        for page, figures in result["pages"].items():
            if isinstance(figures, dict):
                lines.append(f"  {page}: {figures['p50_ms']} ms p50, {figures['x_baseline']}x baseline, "
                             f"CPU {figures['cpu_p50_ms']} ms p50, SQL {figures['sql_p50_ms']} ms p50, "
                             f"queries {figures['queries']}")  # fmt: skip
    for name in ("locomo", "synthetic"):
        if name not in result:
            continue
        r = result[name]
        lines.append(
            f"{name}: {r['memories']} memories in {r['seconds']} s = {r['memories_per_second']} memories/s "
            f"(one process); create->completed p50 {r['create_to_completed_ms']['p50']} ms; "
            f"{r['entities']} entities; statuses {r['statuses']}; overhead/extraction {r['overhead_vs_extraction']}"
        )
        lines.append(f"  split (s): {r['split_seconds']}")
        lines.append(f"  stage gaps p50 (ms): {r['stage_ms_p50']}")
    if "profile" in result:
        lines.append("profile (cumulative, top):\n" + result["profile"].get("profile_top", ""))
    if "import_profile" in result:
        lines.append("batch import profile (cumulative, top):\n" + result["import_profile"].get("profile_top", ""))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locomo-turns", type=int, default=200)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--profile", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--suites", choices=["all", "ingest", "import", "scale", "pages", "latency"], default="all")
    parser.add_argument("--scale-memories", type=int, default=200, help="memories ingested at each entity count")
    parser.add_argument("--scale-entities", type=int, nargs="+", default=[1_000, 100_000])
    parser.add_argument("--page-rows", type=int, default=100_000, help="memories and tasks for the page timings")
    parser.add_argument("--page-repeats", type=int, default=20)
    parser.add_argument("--latency-memories", type=int, default=40, help="memories timed POST to completed")
    parser.add_argument("--latency-concurrency", type=int, default=2, help="the worker's --concurrency (Procfile: 2)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args), default=str))
        return 0
    result = run_once(
        database_server_url=os.environ.get("DATABASE_URL", ""),
        redis_url=os.environ.get("REDIS_URL", ""),
        args=args,
    )
    print(report(result))
    out = BASE_DIR / "bench" / "results" / f"ingest-{datetime.now(UTC):%Y%m%dT%H%M%S}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
