"""Helpers for tests that run the real thing: uvicorn, redis-server, manage.py
and (later) Celery workers and browsers, each in its own process.

Everything here starts processes that a test must stop, so each of them is a
context manager; a failed start stops what it started and raises with the
process's own output. Nothing here mocks our code: a test talks to these
processes over HTTP and SSE, as a user's browser or script would.
"""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests import pgvector_server

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
MANAGE = str(BASE_DIR / "manage.py")

# Generous: a loaded CI machine may take a while to import Django; none of
# these is a speed assertion.
STARTUP_TIMEOUT = 40.0
STOP_TIMEOUT = 10.0
MANAGE_TIMEOUT = 120.0

# httpx logs every request at INFO: in a failure report that buries the
# server's log under hundreds of /healthz polls.
logging.getLogger("httpx").setLevel(logging.WARNING)


def _ephemeral_ports() -> range:
    """The ports the kernel hands out as the local end of outgoing connections."""
    try:
        low, high = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        low, high = 32768, 60999  # Linux's default
    return range(low, high + 1)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, and that no
    outgoing connection will take before our server binds it.

    A port from the kernel (bind to 0) is an ephemeral one: between picking it
    and a server binding it, any process's outgoing connection (a Pushpin
    starting, a worker connecting to Redis) may get it as its local end, and
    the server then fails with "address already in use" (seen under load).
    So the port comes from below the ephemeral range, at random, checked free.
    """
    ephemeral = _ephemeral_ports()
    for _ in range(100):
        port = random.randrange(10_000, max(ephemeral.start, 11_000))  # noqa: S311 - a port, not a secret
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free TCP port found between 10000 and {ephemeral.start}")


def live_env(**overrides: str | None) -> dict[str, str]:
    """The environment for a subprocess: ours, plus what every MemStack process needs.

    An override of None removes the variable (e.g. DATABASE_URL=None for the
    embedded mode).
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="memstack.settings",
        PYTHONUNBUFFERED="1",
        # DEBUG is off in the suite, and then no host is allowed by default.
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.pop("PYTEST_CURRENT_TEST", None)
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = str(value)
    return env


def tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


# -- processes -----------------------------------------------------------------


class ServerProcess:
    """A long-running subprocess: started, waited for until it answers, stopped.

    Readiness is an HTTP URL that answers with any status (`ready_url`), a
    TCP port that accepts connections (`ready_port`) or a line the process
    writes to its log (`ready_log`). Output (stdout and
    stderr) goes to a file so that failure messages can quote it
    (`log_tail()`), also after the process was stopped.
    """

    def __init__(
        self,
        name: str,
        args: list[str],
        env: dict[str, str],
        *,
        ready_url: str | None = None,
        ready_port: int | None = None,
        ready_log: str | None = None,
        cwd: Path = BASE_DIR,
        startup_timeout: float = STARTUP_TIMEOUT,
        stop_timeout: float = STOP_TIMEOUT,
    ) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.ready_url = ready_url
        self.ready_port = ready_port
        self.ready_log = ready_log
        self.cwd = cwd
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen | None = None
        self._log_dir = tempfile.mkdtemp(prefix=f"memstack-{name}-")
        self.log_path = Path(self._log_dir) / f"{name}.log"
        self._log_file = None
        self._starts = 0

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> ServerProcess:
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        self._starts += 1
        self._log_file = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self._log_file.write(f"--- start #{self._starts}: {' '.join(self.args)}\n".encode())
        self._log_file.flush()
        self.process = subprocess.Popen(  # noqa: S603 - our own commands
            self.args,
            env=self.env,
            cwd=self.cwd,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            # Its own process group, so stop() also reaches anything it forks.
            start_new_session=True,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after `stop_timeout`; returns the exit code."""
        process, self.process = self.process, None
        returncode = None
        if process is not None:
            if process.poll() is None:
                self._signal(process, signal.SIGTERM)
                try:
                    process.wait(self.stop_timeout)
                except subprocess.TimeoutExpired:
                    self._signal(process, signal.SIGKILL)
                    process.wait(self.stop_timeout)
            returncode = process.returncode
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        return returncode

    def restart(self) -> ServerProcess:
        self.stop()
        return self.start()

    def cleanup(self) -> None:
        """Stop, and remove the log folder."""
        self.stop()
        shutil.rmtree(self._log_dir, ignore_errors=True)

    def __enter__(self) -> ServerProcess:
        if not self.running:
            _start_or_clean_up(self)
        return self

    def __exit__(self, *exc_info) -> None:
        self.cleanup()

    # -- state ---------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, lines: int = 60) -> str:
        return f"--- last lines of the {self.name} log ---\n{tail(self.log(), lines)}"

    # -- internals -----------------------------------------------------------------

    @staticmethod
    def _signal(process: subprocess.Popen, signum: int) -> None:
        try:
            # The group we created in start(): the process and its children only.
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            pass

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode} while starting\n" + self.log_tail()
                )
            if self._answers():
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name} did not answer within {self.startup_timeout:.0f} s\n" + self.log_tail()
                )
            time.sleep(0.1)

    def _answers(self) -> bool:
        if self.ready_url:
            try:
                httpx.get(self.ready_url, timeout=5, trust_env=False)
            except httpx.HTTPError:
                return False
            return True
        if self.ready_port:
            try:
                socket.create_connection(("127.0.0.1", self.ready_port), timeout=1).close()
            except OSError:
                return False
            return True
        if self.ready_log:
            return self.ready_log in self.log()
        return True


class Uvicorn(ServerProcess):
    """The web process, as the Procfile runs it."""

    def __init__(self, env: dict[str, str], port: int | None = None, **kwargs: Any) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            PYTHON, "-m", "uvicorn", "memstack.asgi:application",
            "--host", "127.0.0.1", "--port", str(self.port),
            # Open SSE streams never end by themselves: without a limit a
            # graceful shutdown would wait for them forever.
            "--timeout-graceful-shutdown", "2",
        ]  # fmt: skip
        super().__init__("uvicorn", args, env, ready_url=f"{self.url}/healthz", **kwargs)

    def health(self) -> tuple[int, dict]:
        """/healthz as a monitor sees it: the status code and the JSON body."""
        response = httpx.get(f"{self.url}/healthz", timeout=10, trust_env=False)
        return response.status_code, response.json()


def _start_or_clean_up(server: ServerProcess) -> ServerProcess:
    try:
        return server.start()
    except BaseException:
        server.cleanup()
        raise


def start_uvicorn(env: dict[str, str], port: int | None = None) -> Uvicorn:
    """Start uvicorn on `env` and return it once /healthz answers (any status).

    Use it as a context manager (`with start_uvicorn(env) as server:`) so it
    is stopped and its log removed however the test ends.
    """
    return _start_or_clean_up(Uvicorn(env, port))


class RedisServer(ServerProcess):
    """A private, throw-away redis-server: no persistence, so a restart starts empty."""

    def __init__(self, port: int | None = None, **kwargs: Any) -> None:
        self.port = port or free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        redis_server = shutil.which("redis-server")
        if redis_server is None:
            raise RuntimeError("redis-server is not on PATH")
        args = [
            redis_server, "--port", str(self.port), "--bind", "127.0.0.1",
            "--save", "", "--appendonly", "no",
        ]  # fmt: skip
        super().__init__("redis", args, live_env(), ready_port=self.port, **kwargs)


def start_redis(port: int | None = None) -> RedisServer:
    """Start a private redis-server; `.stop()` and `.start()` again reuse the same port."""
    return _start_or_clean_up(RedisServer(port))


class CeleryWorker(ServerProcess):
    """A real Celery worker, as the Procfile runs it (prefork, late acks)."""

    def __init__(self, env: dict[str, str], concurrency: int = 1, **kwargs: Any) -> None:
        args = [
            PYTHON, "-m", "celery", "-A", "memstack", "worker",
            "--loglevel", "INFO", "--concurrency", str(concurrency),
            "--without-gossip", "--without-mingle", "--hostname", f"test-{free_port()}@%h",
        ]  # fmt: skip
        super().__init__("celery", args, env, ready_log=" ready.", **kwargs)


def start_celery_worker(env: dict[str, str], concurrency: int = 1) -> CeleryWorker:
    """Start a Celery worker on `env`; returns once it says it is ready."""
    return _start_or_clean_up(CeleryWorker(env, concurrency))


class PostgresServer(ServerProcess):
    """A throw-away PostgreSQL cluster of the test's own (initdb in a temp
    dir, a free loopback port), with pgvector as the recall index needs: the
    suite's bundled PostgreSQL (tests/pgvector_server.py), run as its system
    user when we are root, as PostgreSQL requires. `restart()` keeps the data."""

    def __init__(self, port: int | None = None, **kwargs: Any) -> None:
        self.BIN = pgvector_server.binaries()
        self.port = port or free_port()
        self.data_dir = tempfile.mkdtemp(prefix="memstack-pg-")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        user = pgvector_server.system_user()
        self._as_postgres = ["runuser", "-u", user.pw_name, "--"] if user else []
        if user:
            os.chmod(self.data_dir, 0o700)
            shutil.chown(self.data_dir, user.pw_uid, user.pw_gid)
        subprocess.run(  # noqa: S603 - our own command
            [*self._as_postgres, str(self.BIN / "initdb"), "-D", self.data_dir, "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        args = [
            *self._as_postgres, str(self.BIN / "postgres"), "-D", self.data_dir, "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.data_dir}",
            "-c", "fsync=off", "-c", "full_page_writes=off",
        ]  # fmt: skip
        super().__init__("postgres", args, live_env(), ready_port=self.port, **kwargs)

    def database_url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> int | None:
        # SIGINT is PostgreSQL's fast shutdown: it ends open connections,
        # where SIGTERM would wait for every client to leave.
        if self.running:
            self._signal(self.process, signal.SIGINT)
            try:
                self.process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                pass
        return super().stop()

    def create_database(self, name: str) -> str:
        subprocess.run(  # noqa: S603 - our own command
            [*self._as_postgres, str(self.BIN.parent / "bin" / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", name],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        return self.database_url(name)

    def cleanup(self) -> None:
        super().cleanup()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start_postgres(port: int | None = None) -> PostgresServer:
    """Start a private PostgreSQL; `.restart()` stops it (fast shutdown) and starts it on the same data."""
    return _start_or_clean_up(PostgresServer(port))


class PushpinServer(ServerProcess):
    """Pushpin (Debian's `pushpin`) in front of `origin_port`, with a config of
    its own in a temp dir and free loopback ports; `.url` is where clients
    connect, `.grip_url` what Django publishes to (GRIP_URL)."""

    KEY = "memstack-test-grip-key"

    def __init__(self, origin_port: int, **kwargs: Any) -> None:
        binary = shutil.which("pushpin")
        if binary is None:
            raise RuntimeError("pushpin is not installed: `make pushpin` (apt-get install pushpin)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        publish_port, push_in, push_sub, command = (free_port() for _ in range(4))
        self.grip_url = f"http://127.0.0.1:{publish_port}/?iss=pushpin&key={self.KEY}"
        self.config_dir = Path(tempfile.mkdtemp(prefix="memstack-pushpin-"))
        for folder in ("run", "log"):
            (self.config_dir / folder).mkdir()
        (self.config_dir / "routes").write_text(f"* 127.0.0.1:{origin_port}\n")
        (self.config_dir / "pushpin.conf").write_text(
            pushpin_config(
                run_dir=self.config_dir / "run", log_dir=self.config_dir / "log", http_port=self.port,
                publish_port=publish_port, push_in=push_in, push_sub=push_sub, command=command, key=self.KEY,
                prefix=f"memstack-{self.port}-",
            )
        )  # fmt: skip
        args = [binary, "--config", str(self.config_dir / "pushpin.conf")]
        super().__init__("pushpin", args, live_env(), ready_port=self.port, **kwargs)

    def services_log(self, lines: int = 20) -> str:
        """What Pushpin's services (condure, zurl, proxy, handler) logged: the runner's own log says
        only that one stopped."""
        return "\n".join(
            f"--- last lines of {path.name} ---\n{tail(path.read_text(errors='replace'), lines)}"
            for path in sorted((self.config_dir / "log").glob("*.log"))
        )

    def cleanup(self) -> None:
        super().cleanup()
        shutil.rmtree(self.config_dir, ignore_errors=True)


# Pushpin binds five loopback ports picked just before it starts; on a machine
# where other test runs start servers too, one may be taken in between, and
# Pushpin's runner then stops at once. Such a start is tried again with other ports.
PUSHPIN_STARTS = 3


def start_pushpin(origin_port: int) -> PushpinServer:
    """Start Pushpin in front of 127.0.0.1:`origin_port`; returns once it listens."""
    for start in range(1, PUSHPIN_STARTS + 1):
        server = PushpinServer(origin_port)
        try:
            return server.start()
        except RuntimeError as error:
            detail = f"{error}\n{server.services_log()}"
            server.cleanup()
            if start == PUSHPIN_STARTS or "while starting" not in str(error):
                raise RuntimeError(detail) from None
            logging.getLogger(__name__).warning("Pushpin stopped while starting; again with other ports.\n%s", detail)
        except BaseException:
            server.cleanup()
            raise


def pushpin_config(
    *,
    run_dir,
    log_dir,
    http_port: int,
    publish_port: int,
    push_in: int,
    push_sub: int,
    command: int,
    key: str,
    prefix: str,
) -> str:
    """A Pushpin 1.36 config on loopback ports (the one docs/operations.md describes)."""
    return f"""[global]
include={{libdir}}/internal.conf
rundir={run_dir}
ipc_prefix={prefix}
port_offset=0

[runner]
services=condure,zurl,pushpin-proxy,pushpin-handler
http_port=127.0.0.1:{http_port}
logdir={log_dir}
log_level=2
client_maxconn=50000

[proxy]
routesfile=routes
# The runner's own zurl (requests to the origin), not a system-wide one.
zurl_out_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in
zurl_out_stream_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-in-stream
zurl_in_specs=ipc://{{rundir}}/{{ipc_prefix}}zurl-out
sig_iss=pushpin
sig_key={key}
updates_check=off

[handler]
push_in_spec=tcp://127.0.0.1:{push_in}
push_in_sub_specs=tcp://127.0.0.1:{push_sub}
push_in_sub_connect=false
push_in_http_addr=127.0.0.1
push_in_http_port={publish_port}
stats_spec=ipc://{{rundir}}/{{ipc_prefix}}stats
command_spec=tcp://127.0.0.1:{command}
message_rate=100000
message_hwm=100000
"""


# -- one-off manage.py commands ------------------------------------------------


def run_manage(env: dict[str, str], *args: str, timeout: float = MANAGE_TIMEOUT) -> str:
    """Run `manage.py <args>` in a subprocess; its stdout, or an AssertionError with its output."""
    try:
        result = subprocess.run(  # noqa: S603 - our own command
            [PYTHON, MANAGE, *args],
            env=env,
            cwd=BASE_DIR,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f"manage.py {' '.join(args)} did not finish within {timeout:.0f} s\n"
            f"stdout:\n{tail(_text(exc.stdout))}\nstderr:\n{tail(_text(exc.stderr))}"
        ) from None
    if result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited with {result.returncode}\n"
            f"stdout:\n{tail(result.stdout)}\nstderr:\n{tail(result.stderr)}"
        )
    return result.stdout


def manage_shell(env: dict[str, str], code: str, timeout: float = MANAGE_TIMEOUT) -> str:
    """Run Python `code` in `manage.py shell` in a separate process; its stdout.

    `-v 0` keeps Django's auto-import banner out of the output.
    """
    return run_manage(env, "shell", "-v", "0", "-c", code, timeout=timeout)


def manage_shell_json(env: dict[str, str], code: str, timeout: float = MANAGE_TIMEOUT) -> Any:
    """Like manage_shell, for code whose last line of output is JSON."""
    output = manage_shell(env, code, timeout=timeout)
    lines = output.strip().splitlines()
    if not lines:
        raise AssertionError(f"manage.py shell printed nothing; code was:\n{code}")
    return json.loads(lines[-1])


def publish_from_another_process(env: dict[str, str], channel: str, event_type: str, payload: dict) -> None:
    """Publish one event the way a worker does: from a process that is not the web server."""
    code = (
        "import json; from apps.tasks.events import publish; "
        f"publish({channel!r}, {event_type!r}, json.loads({json.dumps(payload)!r}))"
    )
    manage_shell(env, code)


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode(errors="replace") if isinstance(value, bytes) else value


# -- Server-Sent Events --------------------------------------------------------
