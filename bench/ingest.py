"""Ingestion speed: memories/s per worker process, where the time goes, one memory's latency.

Runs in a scratch database. The measured process plays the worker: it
creates memories through `memory_create` (the enqueue goes to a queue of this
run's own, deleted at the end) and runs each ingestion with the worker's own
`run_task(memory_ingest)`, one after another, so memories/s is per worker
process, without the broker's pickup delay (not measured here). Time is split
by timers around the pipeline's parts; a cProfile pass over a smaller set says
where it goes.

    python bench/ingest.py --locomo-turns 200 --synthetic 1000   (make bench runs it)
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
    from memstack.celery import app

    queue = f"memstack-bench-{secrets.token_hex(4)}"
    app.conf.task_default_queue = queue  # nothing consumes it; deleted at the end

    timers = Timers()
    timers.wrap(type(get_extractor()), "extract", "extraction")
    for name in ("schema_sync", "communities_update", "_episode_write", "schema_load"):
        timers.wrap(episodes, name, "graph reads/writes")
    timers.wrap(reporter_module, "announce", "events")
    timers.wrap(task_services, "announce", "events")
    for name in ("mark_started", "mark_progress", "mark_completed"):
        timers.wrap(TaskLog, name, "TaskLog")
    timers.wrap(reporter_module.ProgressReporter, "check_cancelled", "TaskLog")
    timers.wrap(task_services, "task_enqueue", "queue (enqueue)")

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
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
            out["profile_top"] = "\n".join(
                line for line in text.getvalue().splitlines() if line.strip() and "{" not in line[:5]
            )[:6000]
        return out

    results["locomo"] = ingest_all("LoCoMo", locomo_notes(args.locomo_turns))
    results["synthetic"] = ingest_all("Synthetic", synthetic_notes(args.synthetic, args.seed))
    results["profile"] = ingest_all("Profiled", synthetic_notes(args.profile, args.seed + 1), profile=True)
    # One short memory at a time, in a project that already holds the synthetic set's entities.
    results["memory_rows"] = Memory.objects.count()
    redis.Redis.from_url(settings.REDIS_URL).delete(queue)
    return results


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
        )
        log(f"  database {database.name}: migrating")
        run_manage(env, "migrate", "--noinput", "-v", "0")
        log(f"  ingesting {args.locomo_turns} LoCoMo turns, {args.synthetic} synthetic, {args.profile} profiled")
        command = [
            sys.executable, __file__, "--child", "--locomo-turns", str(args.locomo_turns),
            "--synthetic", str(args.synthetic), "--profile", str(args.profile), "--seed", str(args.seed),
        ]  # fmt: skip
        done = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"bench/ingest.py child failed:\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def report(result: dict) -> str:
    lines = [f"extractor: {result['extractor']}"]
    for name in ("locomo", "synthetic"):
        r = result[name]
        lines.append(
            f"{name}: {r['memories']} memories in {r['seconds']} s = {r['memories_per_second']} memories/s "
            f"(one process); create->completed p50 {r['create_to_completed_ms']['p50']} ms; "
            f"{r['entities']} entities; statuses {r['statuses']}; overhead/extraction {r['overhead_vs_extraction']}"
        )
        lines.append(f"  split (s): {r['split_seconds']}")
        lines.append(f"  stage gaps p50 (ms): {r['stage_ms_p50']}")
    lines.append("profile (cumulative, top):\n" + result["profile"].get("profile_top", ""))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locomo-turns", type=int, default=200)
    parser.add_argument("--synthetic", type=int, default=10_000)
    parser.add_argument("--profile", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
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
