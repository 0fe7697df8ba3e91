"""SSE progress latency: from a worker committing a progress step to the
event arriving at SSE clients, with from 1 to thousands of streams open on
one web process, and tens of thousands held by Pushpin, beside a client
polling `GET /api/v1/tasks/<id>/` every 500 ms.

One repetition:

1. a scratch PostgreSQL database `memstack_bench_<random>` on the server of
   DATABASE_URL, migrated with `manage.py migrate`, dropped at the end;
2. a user, a project, an API token and one TaskLog per phase (status
   processing), made with `manage.py shell`;
3. uvicorn in production mode (the scratch database, Redis pub/sub bridge on
   REDIS_URL), started as the Procfile starts it; with a Pushpin phase, also
   Pushpin in front of it (its own config, loopback ports) and GRIP_URL set
   for the web process and the worker;
4. per phase (N streams on one task, directly or through Pushpin — `p10000`):
   open N streams and wait until each saw `stream-open`; read the web
   process's threads and memory; start the poller; run
   bench/progress_worker.py, a separate process that reports `steps` stages
   through ProgressReporter and records each commit time; wait for the
   stragglers; close everything.

Clients are raw asyncio protocols in this process: `data_received` only
appends `(time.time(), bytes)`, and the bytes are parsed after the phase,
so thousands of streams cost the measuring loop a few microseconds each per
event. Latency = client receive time − worker commit time (one machine, one
clock); with thousands of clients it includes this process's own delay in
reading them (one core of two), so it is an upper bound.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import resource
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

from tests.live import live_env, manage_shell_json, run_manage
from tests.live.processes import PYTHON, PushpinServer, Uvicorn, free_port
from tests.live.sse import parse_frame

BASE_DIR = Path(__file__).resolve().parents[1]
WORKER = str(BASE_DIR / "bench" / "progress_worker.py")
STEP_MESSAGE = re.compile(r"^step (\d+)$")


# -- statistics ----------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values_ms: list[float]) -> dict:
    if not values_ms:
        return {"n": 0}
    return {
        "n": len(values_ms),
        "p50": round(percentile(values_ms, 50), 2),
        "p90": round(percentile(values_ms, 90), 2),
        "p99": round(percentile(values_ms, 99), 2),
        "max": round(max(values_ms), 2),
        "mean": round(statistics.fmean(values_ms), 2),
    }


# -- scratch database ----------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class ScratchDatabase:
    """`memstack_bench_<random>` on the server of `server_url`, dropped on exit.

    It is owned by a login role of the same name with a connection limit, so
    that the benchmark's web process can never take the whole server's
    `max_connections` from others sharing it (superusers ignore per-database
    limits, hence a role of its own).
    """

    def __init__(self, server_url: str, connection_limit: int = 50) -> None:
        parts = urlsplit(server_url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise SystemExit("bench: DATABASE_URL must point at a PostgreSQL server (make bench sets it).")
        self.server_url = server_url
        self.name = f"memstack_bench_{secrets.token_hex(4)}"
        self.connection_limit = connection_limit
        self._password = secrets.token_hex(16)
        netloc = f"{self.name}:{self._password}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        self.url = urlunsplit(parts._replace(netloc=netloc, path=f"/{self.name}"))

    def _admin(self):
        import psycopg

        return psycopg.connect(_with_database(self.server_url, "postgres"), autocommit=True)

    def __enter__(self) -> ScratchDatabase:
        import psycopg
        from psycopg import sql

        name = sql.Identifier(self.name)
        with self._admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} CONNECTION LIMIT {}").format(
                    name, sql.Literal(self._password), sql.Literal(self.connection_limit)
                )
            )
            try:
                conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(name, name))
            except BaseException:
                conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(name))
                raise
        try:
            # The migrations need pgvector, whose extension only a superuser may create.
            with psycopg.connect(_with_database(self.server_url, self.name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        from psycopg import sql

        name = sql.Identifier(self.name)
        with self._admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(name))


# -- web server ----------------------------------------------------------------


class ProductionUvicorn(Uvicorn):
    """uvicorn with the Procfile's flags (no access log, no lifespan)."""

    def __init__(self, env: dict[str, str], port: int | None = None) -> None:
        super().__init__(env, port)
        self.args += ["--no-access-log", "--lifespan", "off"]


def process_usage(pid: int | None, *, tree: bool = False) -> dict:
    """Threads and resident memory of a process (with `tree`, and all its descendants), from /proc."""
    pids = [pid] if not tree else _descendants(pid)
    threads = rss_kib = 0
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("Threads:"):
                    threads += int(line.split()[1])
                elif line.startswith("VmRSS:"):
                    rss_kib += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return {"threads": threads, "rss_mib": round(rss_kib / 1024, 1), "processes": len(pids)}


def _descendants(root: int | None) -> list[int]:
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
                parents[int(name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    found, frontier = [root], [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def raise_open_files_limit() -> int:
    """As many open files as the hard limit allows (a stream is a socket on each side)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# -- SSE client ----------------------------------------------------------------


class StreamClient(asyncio.Protocol):
    """One SSE stream over a raw HTTP/1.1 connection; parsing happens later."""

    def __init__(self, host: str, port: int, path: str, token: str) -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"Cache-Control: no-cache\r\nAuthorization: Token {token}\r\n\r\n"
        ).encode()
        self.pieces: list[tuple[float, bytes]] = []
        self.opened = asyncio.Event()
        self.lost = asyncio.Event()
        self.transport: asyncio.Transport | None = None
        self.lost_at: float | None = None  # the server ended the stream before we closed it
        self._closing = False
        self._tail = b""

    def connection_made(self, transport: asyncio.Transport) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.pieces.append((time.time(), data))
        if not self.opened.is_set():
            window = self._tail + data
            if b"event: stream-open" in window:
                self.opened.set()
            self._tail = window[-32:]

    def saw(self, marker: bytes) -> bool:
        """Whether `marker` arrived (in the last few reads: what is waited for is recent)."""
        return any(marker in data for _, data in self.pieces[-4:]) or (
            len(self.pieces) > 1 and marker in b"".join(data for _, data in self.pieces[-4:])
        )

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._closing:
            self.lost_at = time.time()
        self.lost.set()
        self.opened.set()  # wake a waiter; it checks `lost`

    def close(self) -> None:
        self._closing = True
        if self.transport is not None:
            self.transport.close()

    def events(self) -> tuple[int | None, list[tuple[float, str, str | None, str]]]:
        """(status, [(receive time, event type, id, data)]), each event stamped
        with the time of the read that completed it."""
        return parse_http_sse(self.pieces)


def parse_http_sse(pieces: list[tuple[float, bytes]]):
    status: int | None = None
    chunked = False
    head = b""
    in_body = False
    raw = b""  # body bytes not yet de-chunked
    sse = b""  # de-chunked bytes not yet split into frames
    events = []
    for t, data in pieces:
        if not in_body:
            head += data
            if b"\r\n\r\n" not in head:
                continue
            header_block, _, data = head.partition(b"\r\n\r\n")
            lines = header_block.decode("latin-1").split("\r\n")
            status = int(lines[0].split()[1])
            chunked = any(
                line.lower().startswith("transfer-encoding:") and "chunked" in line.lower() for line in lines[1:]
            )
            in_body = True
        if chunked:
            raw += data
            while True:
                line_end = raw.find(b"\r\n")
                if line_end < 0:
                    break
                size = int(raw[:line_end].split(b";")[0], 16)
                if len(raw) < line_end + 2 + size + 2:
                    break
                sse += raw[line_end + 2 : line_end + 2 + size]
                raw = raw[line_end + 2 + size + 2 :]
                if size == 0:
                    break
        else:
            sse += data
        while b"\n\n" in sse:
            frame, _, sse = sse.partition(b"\n\n")
            if (fields := parse_frame(frame.decode().split("\n"))) is not None:
                event_type, event_id, data_lines = fields
                events.append((t, event_type, event_id, "\n".join(data_lines)))
    return status, events


def step_of(message: str | None) -> int | None:
    match = STEP_MESSAGE.match(message or "")
    return int(match.group(1)) if match else None


# -- one phase -----------------------------------------------------------------


@dataclass
class Phase:
    clients: int
    task_id: str
    steps: int
    seed: int
    via_pushpin: bool = False
    gap: tuple[float, float] = (0.05, 0.10)

    @property
    def name(self) -> str:
        return f"p{self.clients}" if self.via_pushpin else str(self.clients)


def parse_phases(spec: str) -> list[tuple[int, bool]]:
    """ "1,1000,p10000" -> [(1, False), (1000, False), (10000, True)]: `p` goes through Pushpin."""
    phases = []
    for part in spec.split(","):
        part = part.strip()
        phases.append((int(part.removeprefix("p")), part.startswith("p")))
    return phases


async def _poll(url: str, token: str, interval: float, stop: asyncio.Event, polls: list) -> None:
    loop = asyncio.get_running_loop()
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(timeout=10, trust_env=False, headers=headers) as client:
        next_at = loop.time()
        while not stop.is_set():
            t_sent = time.time()
            try:
                response = await client.get(url)
                body = response.json()
                polls.append((t_sent, time.time(), response.status_code, body.get("message")))
            except (httpx.HTTPError, ValueError) as exc:
                polls.append((t_sent, time.time(), None, repr(exc)))
            next_at += interval
            try:
                await asyncio.wait_for(stop.wait(), max(0.0, next_at - loop.time()))
            except TimeoutError:
                pass


async def run_phase(
    server: Uvicorn,
    env: dict[str, str],
    token: str,
    phase: Phase,
    work_dir: Path,
    activity: Callable[[], dict],
    pushpin: PushpinServer | None = None,
) -> dict:
    loop = asyncio.get_running_loop()
    host, port = "127.0.0.1", (pushpin.port if phase.via_pushpin else server.port)
    stream_path = f"/api/v1/tasks/{phase.task_id}/stream"

    clients: list[StreamClient] = []
    gate = asyncio.Semaphore(100)
    web_before = process_usage(server.pid)
    pushpin_before = process_usage(pushpin.pid, tree=True) if phase.via_pushpin else None

    failed_to_open: list[str] = []

    async def open_one() -> None:
        # A stream that does not open within a minute is counted, not fatal:
        # at ten thousand, one slow request must not void the whole phase.
        async with gate:
            client = StreamClient(host, port, stream_path, token)
            try:
                await loop.create_connection(lambda: client, host, port)
                await asyncio.wait_for(client.opened.wait(), 60)
            except (TimeoutError, OSError) as exc:
                failed_to_open.append(repr(exc))
                client.close()
                return
            if client.lost.is_set():
                failed_to_open.append(f"closed before it opened: {client.pieces[:1]!r}"[:300])
                return
            clients.append(client)

    load = os.getloadavg()  # the machine is shared: how busy it was when the phase began
    t_open = time.time()
    await asyncio.gather(*(open_one() for _ in range(phase.clients)))
    open_seconds = time.time() - t_open
    await asyncio.sleep(1.0)  # let the server settle after the burst of opens
    web_open = process_usage(server.pid)
    pushpin_open = process_usage(pushpin.pid, tree=True) if phase.via_pushpin else None
    # PostgreSQL publishes its statistics about once a second, so these
    # counts are approximate; they show the order of magnitude.
    opened_activity = activity()

    stop_polling = asyncio.Event()
    polls: list = []
    poller = asyncio.create_task(_poll(f"{server.url}/api/v1/tasks/{phase.task_id}/", token, 0.5, stop_polling, polls))

    steps_file = work_dir / f"steps-{phase.clients}.json"
    worker = await asyncio.create_subprocess_exec(
        PYTHON, WORKER, "--task-id", phase.task_id, "--steps", str(phase.steps),
        "--seed", str(phase.seed), "--out", str(steps_file),
        "--min-gap", str(phase.gap[0]), "--max-gap", str(phase.gap[1]),
        env=env, cwd=str(BASE_DIR), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await worker.communicate()
    if worker.returncode != 0:
        raise RuntimeError(f"the worker exited with {worker.returncode}:\n{output.decode()[-3000:]}")
    # Stragglers: every stream should get the last step; a late one is late,
    # not lost, so wait for it (up to a minute) before counting what is missing.
    last_step = f'"message": "step {phase.steps}"'.encode()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not all(client.saw(last_step) for client in clients):
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.5)  # one more poll after the last step
    stop_polling.set()
    await poller
    await asyncio.sleep(1.0)
    done_activity = activity()
    for client in clients:
        client.close()
    await asyncio.sleep(0.2)

    web_during = process_usage(server.pid)
    worker_steps = json.loads(steps_file.read_text())["steps"]
    result = analyse(phase, worker_steps, clients, polls, open_seconds)
    result["phase"] = phase.name
    result["loadavg"] = [round(x, 2) for x in load]
    result["load_1min"] = round(load[0], 2)
    result["opened_per_second"] = round(len(clients) / open_seconds, 1) if open_seconds else None
    result["failed_to_open"] = len(failed_to_open)
    result["failed_to_open_examples"] = failed_to_open[:3]
    result["via_pushpin"] = phase.via_pushpin
    result["web_process"] = {
        "before": web_before,
        "streams_open": web_open,
        "after_steps": web_during,
        "kib_per_stream": None
        if phase.via_pushpin
        else round((web_open["rss_mib"] - web_before["rss_mib"]) * 1024 / phase.clients, 1),
    }
    if phase.via_pushpin:
        result["pushpin"] = {
            "before": pushpin_before,
            "streams_open": pushpin_open,
            "kib_per_stream": round((pushpin_open["rss_mib"] - pushpin_before["rss_mib"]) * 1024 / phase.clients, 1),
        }
    # Everyone's: the web process, the worker (one session) and the poller.
    result["database_during_steps"] = {key: done_activity[key] - opened_activity[key] for key in done_activity}
    return result


def database_activity(database: ScratchDatabase) -> dict:
    """Cumulative sessions and transactions of the scratch database (PostgreSQL's statistics)."""
    with database._admin() as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT sessions, xact_commit + xact_rollback, tup_returned FROM pg_stat_database WHERE datname = %s",
            [database.name],
        ).fetchone()
    return {"sessions": row[0], "transactions": row[1], "tuples_returned": row[2]}


def analyse(
    phase: Phase, worker_steps: list[dict], clients: list[StreamClient], polls: list, open_seconds: float
) -> dict:
    commit = {s["step"]: s["t_commit"] for s in worker_steps}
    announced = {s["step"]: s["t_announced"] for s in worker_steps}
    last_step = max(commit)

    sse_ms: list[float] = []
    first_step_ms: list[float] = []
    steady_ms: list[float] = []
    after_announce_ms: list[float] = []
    arrivals: dict[int, list[float]] = {}
    missed = duplicates = non_200 = 0
    lost = sum(1 for client in clients if client.lost_at is not None)
    for client in clients:
        status, events = client.events()
        if status != 200:
            non_200 += 1
        seen: dict[int, float] = {}
        for t, event_type, _event_id, data in events:
            if event_type != "progress":
                continue
            try:
                step = step_of(json.loads(data).get("message"))
            except ValueError:
                continue
            if step is None:
                continue
            if step in seen:
                duplicates += 1
                continue
            seen[step] = t
        missed += len(set(commit) - set(seen))
        for step, t in seen.items():
            latency = (t - commit[step]) * 1000
            sse_ms.append(latency)
            (first_step_ms if step == 1 else steady_ms).append(latency)
            after_announce_ms.append((t - announced[step]) * 1000)
            arrivals.setdefault(step, []).append(t)

    # Fan-out: from the first to the last of the N clients, per step.
    spread_ms = [(max(ts) - min(ts)) * 1000 for ts in arrivals.values() if len(ts) > 1]
    # The course of the run: per step, the median and the slowest client.
    per_step = [
        [step, round((statistics.median(ts) - commit[step]) * 1000, 1), round((max(ts) - commit[step]) * 1000, 1)]
        for step, ts in sorted(arrivals.items())
    ]

    # Polling: for each step, the first response that shows that step or a
    # later one (the poller cannot see steps that came and went between two
    # polls; it learns that the task got at least that far).
    poll_ms: list[float] = []
    poll_missed = 0
    answered = sorted((t_recv, step_of(message)) for _, t_recv, code, message in polls if code == 200)
    for step, t_commit in commit.items():
        hit = next(
            (t for t, seen_step in answered if seen_step is not None and seen_step >= step and t >= t_commit), None
        )
        if hit is None:
            poll_missed += 1
        else:
            poll_ms.append((hit - t_commit) * 1000)
    request_ms = [(t_recv - t_sent) * 1000 for t_sent, t_recv, code, _ in polls if code == 200]

    worker_ms = {
        "commit_to_announced": summary([(announced[s] - commit[s]) * 1000 for s in commit]),
        "stage_call_to_commit": summary([(s["t_commit"] - s["t_call"]) * 1000 for s in worker_steps]),
        "stage_call_to_return": summary([(s["t_return"] - s["t_call"]) * 1000 for s in worker_steps]),
    }
    return {
        "clients": phase.clients,
        "steps": len(commit),
        "last_step": last_step,
        "open_seconds": round(open_seconds, 2),
        "sse": summary(sse_ms),
        "sse_first_step": summary(first_step_ms),
        "sse_steady": summary(steady_ms),
        "sse_after_announce": summary(after_announce_ms),
        "fanout_spread": summary(spread_ms),
        "sse_missed": missed,
        "sse_duplicates": duplicates,
        "sse_non_200": non_200,
        "streams_lost": lost,
        "poll": summary(poll_ms),
        "poll_missed": poll_missed,
        "poll_requests": len(polls),
        "poll_errors": sum(1 for p in polls if p[2] != 200),
        "poll_request_ms": summary(request_ms),
        "worker_ms": worker_ms,
        "per_step_median_max_ms": per_step,
    }


# -- one repetition --------------------------------------------------------------

SETUP = """
import json
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token
from apps.projects.services import project_create
from apps.tasks.models import Status, TaskLog
user = User.objects.create_user("bench", "bench@example.com", "bench-password")
project = project_create(owner=user, name="Bench")
token = Token.objects.create(user=user).key
now = timezone.now()
tasks = [
    str(TaskLog.objects.create(
        project=project, task_type="bench", status=Status.PROCESSING, progress=0,
        message="bench ready", started_at=now, heartbeat_at=now, created_by=user,
    ).id)
    for _ in range({phases})
]
print(json.dumps({{"token": token, "project_id": str(project.id), "tasks": tasks}}))
"""


# Thousands of streams take longer per event; real stages are seconds apart.
BIG = 1000


def run_once(
    *,
    database_server_url: str,
    redis_url: str,
    phases_spec: list[tuple[int, bool]],
    steps: int,
    big_steps: int,
    big_gap: tuple[float, float],
    seed: int,
    log=print,
) -> dict:
    started = time.time()
    load = os.getloadavg()  # the machine may be shared: say how busy it was
    raise_open_files_limit()  # before uvicorn and Pushpin start: they inherit it
    with ScratchDatabase(database_server_url) as database, tempfile.TemporaryDirectory(prefix="memstack-bench-") as tmp:
        env = live_env(
            DATABASE_URL=database.url,
            REDIS_URL=redis_url,
            DEBUG="false",
            SECRET_KEY=os.environ.get("SECRET_KEY") or "bench-only-secret-key",
            MEMSTACK_AUTO_MIGRATE="false",
        )
        log(f"  database {database.name}: migrating")
        run_manage(env, "migrate", "--noinput", "-v", "0")
        setup = manage_shell_json(env, SETUP.format(phases=len(phases_spec)))
        port = free_port()
        pushpin = PushpinServer(origin_port=port) if any(via for _, via in phases_spec) else None
        if pushpin is not None:
            env["GRIP_URL"] = pushpin.grip_url
            pushpin.start()
        try:
            with ProductionUvicorn(env, port) as server:
                phases = []
                for index, ((count, via), task_id) in enumerate(zip(phases_spec, setup["tasks"])):
                    big = count >= BIG
                    phase = Phase(
                        clients=count,
                        task_id=task_id,
                        steps=big_steps if big else steps,
                        seed=seed + index,
                        via_pushpin=via,
                        gap=big_gap if big else (0.05, 0.10),
                    )
                    log(
                        f"  phase {phase.name}: {count} client(s){' through Pushpin' if via else ''}, {phase.steps} steps"
                    )
                    result = asyncio.run(
                        run_phase(
                            server, env, setup["token"], phase, Path(tmp), lambda: database_activity(database), pushpin
                        )
                    )
                    log("    " + one_line(result))
                    phases.append(result)
                server_log = server.log()
        finally:
            if pushpin is not None:
                pushpin.cleanup()
    return {
        "seconds": round(time.time() - started, 1),
        "loadavg_at_start": load,
        "phases": phases,
        "server_errors": server_errors(server_log),
    }


def server_errors(log: str) -> dict:
    """What went wrong in the web process: error lines counted by kind, and the first traceback."""
    counts: dict[str, int] = {}
    for line in log.splitlines():
        if re.match(r"^[\w.]+(Error|Exception): ", line):
            kind = re.sub(r"\d+|\"[^\"]*\"", "#", line)[:160]
            counts[kind] = counts.get(kind, 0) + 1
    first = ""
    start = log.find("Traceback (most recent call last)")
    if start >= 0:
        first = "\n".join(log[start:].splitlines()[:80])
    return {"counts": counts, "first_traceback": first}


def one_line(result: dict) -> str:
    sse, poll = result["sse"], result["poll"]
    web = result.get("web_process")
    usage = (
        f"; web process: {web['streams_open']['threads']} threads, {web['streams_open']['rss_mib']} MiB with the "
        f"streams open ({web['before']['rss_mib']} MiB before, {web['kib_per_stream']} KiB per stream)"
        if web
        else ""
    )
    if result.get("pushpin"):
        usage += f"; Pushpin {result['pushpin']['kib_per_stream']} KiB per stream"
    return (
        f"opened {result.get('opened_per_second')} streams/s (load {result.get('loadavg', ['?'])[0]}); "
        f"SSE p50 {sse.get('p50')} ms, p99 {sse.get('p99')} ms, max {sse.get('max')} ms "
        f"(n={sse['n']}, missed {result['sse_missed']}, streams lost {result['streams_lost']}/{result['clients']}, "
        f"failed to open {result.get('failed_to_open', 0)}, "
        f"duplicates {result['sse_duplicates']}); "
        f"polling p50 {poll.get('p50')} ms, p99 {poll.get('p99')} ms"
        + (
            f"; database sessions during the steps: {result['database_during_steps']['sessions']}"
            if "database_during_steps" in result
            else ""
        )
        + usage
    )


def seeded(seed: int | None) -> int:
    return seed if seed is not None else random.SystemRandom().randrange(1, 1_000_000)
