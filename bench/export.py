"""Export speed and memory: memories/s and peak Python memory of an export,
streamed (what the task does) against loading every memory first (the baseline).

Runs in a scratch database. The measured process plays the worker: it runs
each export with the worker's own `run_task(export_run)`. The baseline writes
the same file with the same writer from `list(queryset)`, in the same run.
Time and memory are measured in separate passes (tracemalloc slows Python).

    python bench/export.py --database-server postgres://postgres@127.0.0.1:54329 --memories 20000
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

PARAGRAPH = (
    "Alice Chen met Bob Stone in Paris to talk about the Initech contract. They agreed on a plan for "
    "the spring, and Bob will send the draft to Carol Diaz at Acme Corp before the end of the month. "
)


def child(args) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from apps.memories.exports.formats import FORMATS
    from apps.memories.exports.selectors import export_path, memories_to_export
    from apps.memories.exports.services import DONE_MESSAGE, REPORT_EVERY, export_request, export_run
    from apps.memories.models import Memory, content_hash
    from apps.projects.services import project_create
    from apps.tasks import services as task_services
    from apps.tasks.models import TaskLog
    from memstack.celery import app

    app.conf.task_default_queue = f"memstack-bench-{secrets.token_hex(4)}"  # nothing consumes it
    settings.EXPORT_DIR = Path(tempfile.mkdtemp(prefix="memstack-bench-exports-"))
    user = get_user_model().objects.create_user(username=f"bench-{secrets.token_hex(3)}", password=None)
    project = project_create(owner=user, name="Export bench")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    content_chars = 0
    for offset in range(0, args.memories, 1000):
        batch = []
        for n in range(offset, min(offset + 1000, args.memories)):
            content = f"Note {n}. " + PARAGRAPH * args.paragraphs
            content_chars += len(content)
            batch.append(
                Memory(
                    project=project, title=f"Meeting {n}", content=content, content_hash=content_hash(content),
                    tags=["bench", f"t{n % 7}"], valid_at=start + timedelta(minutes=n), processing_status="completed",
                )
            )  # fmt: skip
        Memory.objects.bulk_create(batch)

    def as_task(format: str) -> Path:
        """What the worker does: the task recorded, run, its stages reported and published."""
        task = export_request(project=project, by=user, format=format)
        task_services.run_task(str(task.id), export_run, done_message=DONE_MESSAGE)
        task.refresh_from_db()
        assert task.status == "completed", task.error
        return export_path(task)

    def streamed(format: str) -> Path:
        """The task's writing alone: memories read with .iterator(), each written at once."""
        path = Path(settings.EXPORT_DIR) / f"streamed-{secrets.token_hex(3)}{FORMATS[format].extension}"
        with FORMATS[format].writer(path, "bench") as write:
            for memory in memories_to_export(project).iterator(chunk_size=REPORT_EVERY):
                write(memory)
        return path

    def loaded_first(format: str) -> Path:
        """The baseline: every memory loaded, then written."""
        path = Path(settings.EXPORT_DIR) / f"baseline-{secrets.token_hex(3)}{FORMATS[format].extension}"
        memories = list(memories_to_export(project))
        with FORMATS[format].writer(path, "bench") as write:
            for memory in memories:
                write(memory)
        return path

    def timed(run, format: str) -> float:
        began = time.perf_counter()
        path = run(format)
        seconds = time.perf_counter() - began
        path.unlink()
        return seconds

    def peak_mib(run, format: str) -> float:
        tracemalloc.start()
        path = run(format)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        path.unlink()
        return peak / 2**20

    if args.profile:
        import cProfile
        import io
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        as_task("jsonl").unlink()
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
        sys.stderr.write(text.getvalue())

    results: dict = {"memories": args.memories, "content_mib": round(content_chars / 2**20, 1), "formats": {}}
    runs = {"task": as_task, "streamed": streamed, "loaded_first": loaded_first}
    for format in ("jsonl", "markdown"):
        size = as_task(format).stat().st_size  # a warm-up pass, and the file's size
        seconds: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, run in runs.items():
                seconds[name].append(timed(run, format))
        peak = {name: peak_mib(runs[name], format) for name in ("streamed", "loaded_first")}
        median = {name: statistics.median(values) for name, values in seconds.items()}
        results["formats"][format] = {
            "file_mib": round(size / 2**20, 1),
            "seconds_median": {name: round(value, 2) for name, value in median.items()},
            "seconds_all": {name: [round(v, 2) for v in values] for name, values in seconds.items()},
            "memories_per_second_task": round(args.memories / median["task"]),
            "time_ratio_streamed_to_loaded": round(median["streamed"] / median["loaded_first"], 2),
            "time_ratio_task_to_streamed": round(median["task"] / median["streamed"], 2),
            "peak_python_mib": {name: round(value, 1) for name, value in peak.items()},
            "peak_ratio_loaded_to_streamed": round(peak["loaded_first"] / peak["streamed"], 1),
        }
    last = TaskLog.objects.filter(project=project).order_by("-created_at").first()
    results["stages_per_export"] = last.stages.count()
    shutil.rmtree(settings.EXPORT_DIR, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-server", help="a PostgreSQL server URL; a scratch database is made on it")
    parser.add_argument("--memories", type=int, default=20_000)
    parser.add_argument("--paragraphs", type=int, default=6, help="paragraphs of ~200 characters per memory")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print where one streamed export's time goes")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args)))
        return 0
    from bench.sse_latency import ScratchDatabase
    from tests.live.processes import live_env, run_manage

    with ScratchDatabase(args.database_server) as database:
        # The scratch database's owner is no superuser: the recall app's extension is made for it.
        import psycopg

        admin = urlsplit(args.database_server)._replace(path=f"/{database.name}").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        env = live_env(
            DATABASE_URL=database.url,
            REDIS_URL=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/9",
            DEBUG="false",
            SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key",
            LOG_LEVEL="ERROR",
        )
        run_manage(env, "migrate", "--noinput", "-v", "0")
        command = [
            sys.executable, __file__, "--child", "--memories", str(args.memories),
            "--paragraphs", str(args.paragraphs), "--repeat", str(args.repeat),
        ] + (["--profile"] if args.profile else [])  # fmt: skip
        done = subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise SystemExit(f"bench/export.py child failed:\n{done.stderr[-4000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if args.profile:
            print(done.stderr[-6000:])
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
