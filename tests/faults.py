"""The fault kit: a private PostgreSQL cluster, a private Redis and Celery workers that the
fault tests (tests/test_fault_*.py) may stop, kill and start again.

Nothing here touches the shared PostgreSQL (5432) or Redis (6379) that other test runs use:
the cluster is made by ``initdb`` in a temporary directory and listens on a free port; Redis is
a ``redis-server`` of our own, without persistence, on another. Each is stopped only through
its own pid file or process. When the tests run as root (CI containers), PostgreSQL runs as the
``postgres`` system user, since it refuses to run as root.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from tests import celery_kit

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_ROLE = "tongxin_app"
# Bounds for waiting loops: how long to keep trying before calling it a failure.
GIVE_UP_AFTER = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(fn, what: str, timeout: float = GIVE_UP_AFTER, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what}")


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class PrivatePostgres:
    """One PostgreSQL cluster of our own: ``start``, ``stop`` (fast shutdown, as an outage or a
    restart would), ``start`` again on the same port and data."""

    root: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @classmethod
    def create(cls) -> "PrivatePostgres":
        root = Path(tempfile.mkdtemp(prefix="txpg-"))  # short: the socket path has a length limit
        pg = cls(root)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(root, user.pw_uid, user.pw_gid)
        subprocess.run(_as_postgres([f"{pg.bin}/initdb", "-D", str(pg.data), "-U", "postgres", "-A", "trust",
                                     "-E", "UTF8", "--locale=C", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        pg.start()
        pg.sql(f"CREATE ROLE {RUNTIME_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        pg.sql("CREATE DATABASE tongxin")
        return pg

    @property
    def bin(self) -> str:
        return sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1]

    def start(self) -> None:
        subprocess.run(_as_postgres([f"{self.bin}/pg_ctl", "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                                     "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                                           "-c fsync=off -c synchronous_commit=off", "start"]),
                       check=True, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        subprocess.run(_as_postgres([f"{self.bin}/pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def sql(self, statement: str, dbname: str = "postgres") -> None:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}", autocommit=True) as conn:
            conn.execute(statement)

    def urls(self, dbname: str = "tongxin") -> tuple[str, str]:
        """The runtime role's URL and the owner's."""
        return (f"postgresql+psycopg://{RUNTIME_ROLE}@127.0.0.1:{self.port}/{dbname}",
                f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}")

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class PrivateRedis:
    """A redis-server of our own, without persistence (a restart loses what it held, as the
    outage the outbox is for would)."""

    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, "the private Redis to answer", timeout=30)

    def ping(self) -> bool:
        try:
            return redis.Redis(port=self.port, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc = None


class Worker:
    """A `celery -A core.tasks.celery_app worker` (prefork, as in docker-compose.yml) in a
    process group of its own, so that it can be killed as a whole."""

    def __init__(self, env: dict, log: Path, *extra: str):
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "core.tasks.celery_app", "worker", "--loglevel=INFO",
                 "--without-heartbeat", "--without-gossip", "--without-mingle", *extra,
                 "-n", f"fault-{os.getpid()}-{time.monotonic_ns()}@%h"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def kill_group(self) -> None:
        """SIGKILL the worker's whole process group: main process and pool children at once."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def worker_env(settings, broker_url: str, **extra: str) -> dict:
    """A worker's environment as every real worker of the suite has it (tests/celery_kit.py)."""
    return celery_kit.environment(settings, broker_url, **extra)


def load_world(pg: PrivatePostgres) -> None:
    """Migrate the cluster's ``tongxin`` database and load the test world into it: the template
    each test copies (``fresh_database``)."""
    from tests.conftest import _load_world, world_settings
    runtime, admin = pg.urls()
    _load_world(world_settings(database_url=runtime, admin_database_url=admin, runtime_role=RUNTIME_ROLE))


def fresh_database(pg: PrivatePostgres, tmp_path: Path, clock, **kw):
    """Settings for a new copy of the world on the private cluster (runtime role, RLS in force)."""
    from tests.conftest import world_settings
    name = f"t_{time.monotonic_ns()}"
    pg.sql(f'CREATE DATABASE "{name}" TEMPLATE tongxin')
    runtime, admin = pg.urls(name)
    return world_settings(database_url=runtime, admin_database_url=admin, runtime_role=RUNTIME_ROLE,
                          storage_dir=str(tmp_path / "files"), clock=clock, **kw)
