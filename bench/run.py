"""`make bench`: run the benchmarks and print what goes in docs/benchmarks.md.

Three benchmarks, each in scratch databases of its own: SSE progress latency
(bench/sse_latency.py; the summary is the median over repetitions of each
statistic), recall quality and speed (bench/recall.py, run as a subprocess),
and ingestion speed (bench/ingest.py, `--synthetic 1000` for a shorter run).
Raw results go to bench/results/ (git-ignored).

    make bench                                # all three; SSE: 1, 200, 1,000, 5,000 streams, 10,000 via Pushpin
    make bench BENCH_ARGS="--suites sse --repeat 3 --clients 1,200"
    make bench BENCH_ARGS="--suites sse --clients 1,1000,p2000"  # `p`: through Pushpin
    make bench BENCH_ARGS="--suites recall"
    make bench BENCH_ARGS="--suites ingest --synthetic 1000"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BASE_DIR))

from bench import ingest, sse_latency  # noqa: E402 - needs the repository on sys.path

RESULTS_DIR = BASE_DIR / "bench" / "results"


def machine() -> dict:
    def first(path: str, prefix: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip() if ":" in line else line.split("=", 1)[1].strip('"')
        except OSError:
            pass
        return "unknown"

    mem_kb = first("/proc/meminfo", "MemTotal").split()[0]
    try:
        with sse_latency.ScratchDatabase(os.environ.get("DATABASE_URL", ""))._admin() as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception:  # noqa: BLE001 - a description of the machine must not stop the benchmark
        pg = "unknown"
    try:
        redis = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, timeout=10).stdout
        redis = redis.split()[2].removeprefix("v=") if redis else "unknown"
    except (OSError, subprocess.SubprocessError, IndexError):
        redis = "unknown"
    return {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "ram_gib": round(int(mem_kb) / 1024 / 1024, 1) if mem_kb.isdigit() else None,
        "cpu": first("/proc/cpuinfo", "model name"),
        "os": f"{first('/etc/os-release', 'PRETTY_NAME=')}, Linux {platform.release()}",
        "python": platform.python_version(),
        "postgresql": pg or "unknown",
        "redis": redis,
        "loadavg_at_start": os.getloadavg(),
    }


def phase_name(phase: dict) -> str:
    return phase.get("phase") or str(phase["clients"])


def median_of(runs: list[dict], name: str, *keys: str):
    values = []
    for run in runs:
        for phase in run["phases"]:
            if phase_name(phase) == name:
                value = phase
                for key in keys:
                    value = value.get(key) if isinstance(value, dict) else None
                if value is not None:
                    values.append(value)
    return round(statistics.median(values), 1) if values else None


def total_of(runs: list[dict], name: str, key: str) -> int:
    return sum(p[key] for run in runs for p in run["phases"] if phase_name(p) == name)


def report(runs: list[dict], clients: list[str], info: dict, args) -> str:
    def m(count: str, *keys: str):
        value = median_of(runs, count, *keys)
        return "–" if value is None else value

    lines = [
        f"Machine: {info['nproc']} vCPU ({info['cpu']}), {info['ram_gib']} GiB RAM, {info['os']}; "
        f"Python {info['python']}, PostgreSQL {info['postgresql']}, Redis {info['redis']}. "
        f"Date: {info['date_utc']}. {len(runs)} repetition(s); {args.steps} steps per phase, "
        f"{getattr(args, 'big_steps', args.steps)} from 1,000 streams. `p` marks streams held by Pushpin.",
        "",
        "Latency from commit to arrival, ms; each cell is the median over repetitions:",
        "",
        "| clients | SSE p50 | SSE p90 | SSE p99 | SSE max | first step p50 | fan-out spread p50 / p99 "
        "| polling p50 | polling p99 | polling p50 / SSE p50 |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count in clients:
        sse50, poll50 = m(count, "sse", "p50"), m(count, "poll", "p50")
        ratio = f"{poll50 / sse50:.1f}x" if sse50 not in ("–", 0) and poll50 != "–" else "–"
        lines.append(
            f"| {count} | {sse50} | {m(count, 'sse', 'p90')} | {m(count, 'sse', 'p99')} | {m(count, 'sse', 'max')} "
            f"| {m(count, 'sse_first_step', 'p50')} | {m(count, 'fanout_spread', 'p50')} / {m(count, 'fanout_spread', 'p99')} "
            f"| {poll50} | {m(count, 'poll', 'p99')} | {ratio} |"
        )
    lines += [
        "",
        "Delivery health, totals over repetitions (database: median per repetition, during the steps):",
        "",
        "| clients | events delivered | streams lost | events missed | duplicates | poll request p99 ms "
        "| database sessions | worker commit to announced p50 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count in clients:
        delivered = sum(p["sse"]["n"] for run in runs for p in run["phases"] if phase_name(p) == count)
        expected = sum(p["clients"] * p["steps"] for run in runs for p in run["phases"] if phase_name(p) == count)
        opened = sum(p["clients"] for run in runs for p in run["phases"] if phase_name(p) == count)
        lines.append(
            f"| {count} | {100 * delivered / expected:.1f}% | {total_of(runs, count, 'streams_lost')} of {opened} "
            f"| {total_of(runs, count, 'sse_missed')} | {total_of(runs, count, 'sse_duplicates')} "
            f"| {m(count, 'poll_request_ms', 'p99')} | {m(count, 'database_during_steps', 'sessions')} "
            f"| {m(count, 'worker_ms', 'commit_to_announced', 'p50')} |"
        )
    lines += [
        "",
        "The web process (uvicorn) with the streams open, median over repetitions "
        "(Pushpin phases: the web process serves only Pushpin's requests; Pushpin's own memory beside):",
        "",
        "| clients | streams opened per s | threads before | threads with streams open | threads after the steps "
        "| RSS before MiB | RSS open MiB | KiB per stream | Pushpin KiB per stream | load average at the phase |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for count in clients:
        lines.append(
            f"| {count} | {m(count, 'opened_per_second')} "
            f"| {m(count, 'web_process', 'before', 'threads')} | {m(count, 'web_process', 'streams_open', 'threads')} "
            f"| {m(count, 'web_process', 'after_steps', 'threads')} "
            f"| {m(count, 'web_process', 'before', 'rss_mib')} | {m(count, 'web_process', 'streams_open', 'rss_mib')} "
            f"| {m(count, 'web_process', 'kib_per_stream')} | {m(count, 'pushpin', 'kib_per_stream')} "
            f"| {m(count, 'load_1min')} |"
        )
    lines += ["", "Per repetition:", ""]
    for index, run in enumerate(runs, 1):
        load = run.get("loadavg_at_start")
        load = f", load average {load[0]:.1f}" if load else ""
        for phase in run["phases"]:
            lines.append(
                f"* run {index} ({run['seconds']} s{load}), {phase['clients']} client(s): {sse_latency.one_line(phase)}"
            )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--clients",
        default="1,200,1000,5000,p10000",
        help="comma-separated stream counts, one phase each; p10000: 10,000 streams through Pushpin",
    )
    parser.add_argument("--steps", type=int, default=200, help="progress steps per phase (50-100 ms apart)")
    parser.add_argument("--big-steps", type=int, default=30, help="steps of a phase of 1,000 streams or more")
    parser.add_argument("--big-gap", default="0.25,0.35", help="seconds between those steps (min,max)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--from-results", metavar="JSON", help="print the report of a raw results file again")
    parser.add_argument(
        "--suites", default="sse,recall,ingest", help="which benchmarks: sse, recall, ingest (comma-separated)"
    )
    parser.add_argument("--locomo-turns", type=int, default=200, help="ingest: LoCoMo turns, one memory each")
    parser.add_argument("--synthetic", type=int, default=10_000, help="ingest: size of the synthetic set")
    parser.add_argument("--profile", type=int, default=100, help="ingest: memories run under cProfile")
    args = parser.parse_args()

    if args.from_results:
        saved = json.loads(Path(args.from_results).read_text())
        saved_args = argparse.Namespace(**saved["args"])
        print(report(saved["runs"], [c.strip() for c in saved_args.clients.split(",")], saved["machine"], saved_args))
        return 0

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url or not redis_url:
        print(
            "bench: needs DATABASE_URL (a PostgreSQL server) and REDIS_URL; run it with `make bench`.", file=sys.stderr
        )
        return 2
    suites = set(args.suites.split(","))
    if "recall" in suites:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"recall-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
        done = subprocess.run(
            [
                sys.executable,
                str(BASE_DIR / "bench" / "recall.py"),
                "--database-server",
                database_url,
                "--json",
                str(out),
            ]
        )
        if done.returncode:
            return done.returncode
    clients = [c.strip() for c in args.clients.split(",")]
    info = machine()
    if "ingest" in suites:
        print(f"Ingestion: {args.locomo_turns} LoCoMo turns, {args.synthetic} synthetic memories")
        ingest_args = argparse.Namespace(
            locomo_turns=args.locomo_turns, synthetic=args.synthetic, profile=args.profile, seed=args.seed or 7,
            suites="all", scale_memories=200, scale_entities=[1_000, 100_000], page_rows=100_000, page_repeats=20,
            latency_memories=40, latency_concurrency=2,
        )  # fmt: skip
        result = ingest.run_once(database_server_url=database_url, redis_url=redis_url, args=ingest_args)
        print(ingest.report(result))
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        out = RESULTS_DIR / f"ingest-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
        out.write_text(json.dumps({"machine": info, "args": vars(ingest_args), "result": result}, indent=1))
        print(f"raw results: {out.relative_to(BASE_DIR)}\n")
    if "sse" not in suites:
        return 0
    big_gap = tuple(float(x) for x in args.big_gap.split(","))
    print(f"SSE progress latency: clients {clients}, {args.steps} steps, {args.repeat} repetition(s)")
    runs = []
    for index in range(args.repeat):
        print(f"repetition {index + 1}/{args.repeat}")
        runs.append(
            sse_latency.run_once(
                database_server_url=database_url,
                redis_url=redis_url,
                phases_spec=sse_latency.parse_phases(args.clients),
                steps=args.steps,
                big_steps=args.big_steps,
                big_gap=big_gap,
                seed=sse_latency.seeded(args.seed),
            )
        )
    text = report(runs, clients, info, args)
    print()
    print(text)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"sse-latency-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.json"
    out.write_text(json.dumps({"machine": info, "args": vars(args), "runs": runs}, indent=1))
    print(f"\nraw results: {out.relative_to(BASE_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
