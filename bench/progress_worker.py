"""The "worker" side of the SSE latency benchmark: a separate process that
reports progress on one task the way an ingestion task does, through
`ProgressReporter.stage`, and writes when each step was committed.

Run by bench/sse_latency.py with the web server's environment:

    python bench/progress_worker.py --task-id <uuid> --steps 200 --out steps.json

Timestamps (`time.time()`, the same clock as the clients on this machine):

* `t_call`      just before `stage()` is called;
* `t_commit`    right after the stage's transaction committed, before any
                event is stored or published. Taken by an on_commit hook that
                is registered, inside the stage's own transaction, just before
                `announce()` registers its publish hooks, so it runs first;
                the transaction itself is not changed. On PostgreSQL a
                stage outside a transaction is one statement (the change and
                its events) that commits as it returns: there, right after
                that statement returned, before the events are announced;
* `t_announced` right after the task channel's event was stored and sent to
                Redis (the bridge's `announce` returned);
* `t_return`    when `stage()` returned (both channels published).

Latencies are measured from `t_commit`: what a reader of the row could see.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "memstack.settings")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--task-id", required=True)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--min-gap", type=float, default=0.05)
    parser.add_argument("--max-gap", type=float, default=0.10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    import django
    import redis  # noqa: F401 - loaded in a Celery worker already (its broker); not a first-step cost

    django.setup()

    from django.db import transaction

    from apps.tasks import reporter as reporter_module
    from apps.tasks.bridge import get_bridge
    from apps.tasks.channels import task_channel
    from apps.tasks.eventstorage import EventStorage
    from apps.tasks.models import TaskLog

    task = TaskLog.objects.get(pk=args.task_id)
    channel = task_channel(task.id)
    current: dict = {}

    original_announce = reporter_module.announce

    def timed_announce(task_log: TaskLog) -> None:
        record = current
        transaction.on_commit(lambda: record.setdefault("t_commit", time.time()))
        original_announce(task_log)

    bridge = get_bridge()
    original_bridge_announce = bridge.announce

    def timed_bridge_announce(event) -> None:
        original_bridge_announce(event)
        if event.channel == channel:
            current.setdefault("t_announced", time.time())
            current.setdefault("event_id", event.id)

    # On PostgreSQL a stage's change and its events are one statement, which
    # commits as it returns: that return is the commit.
    original_append = EventStorage.append_events

    def timed_append(storage, events, *, after=None):
        stored = original_append(storage, events, after=after)
        if after is not None and any(event.channel == channel for event in stored):
            current.setdefault("t_commit", time.time())
        return stored

    reporter_module.announce = timed_announce
    EventStorage.append_events = timed_append
    bridge.announce = timed_bridge_announce

    reporter = reporter_module.ProgressReporter(task)
    rng = random.Random(args.seed)
    steps = []
    for step in range(1, args.steps + 1):
        # Progress only goes up, as in a real task (streams drop a state older
        # than one they sent), and stays under 100 (the row's CheckConstraint);
        # the message is what identifies a step.
        progress = 1 + (step - 1) * 98 // max(1, args.steps - 1)
        current = {"step": step, "progress": progress}
        current["t_call"] = time.time()
        reporter.stage(progress, f"step {step}")
        current["t_return"] = time.time()
        steps.append(current)
        time.sleep(rng.uniform(args.min_gap, args.max_gap))

    Path(args.out).write_text(json.dumps({"task_id": str(task.id), "steps": steps}))
    missing = [s["step"] for s in steps if "t_commit" not in s or "t_announced" not in s]
    if missing:
        print(f"steps not committed or not announced: {missing}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
