"""Run docker-compose.yml's own service commands here, against the local PostgreSQL and Redis.

Docker does not run on the CI machine, so this proves the next best thing: the very commands
and environment written in docker-compose.yml work. For each service it takes `command` and
`environment` as written (after compose-style ${VAR:-default} interpolation), rewrites what
only makes sense inside compose's network, and runs the command from the repository root
(the image's WORKDIR) with the project's venv on PATH:

- hosts `postgres` and `redis` -> 127.0.0.1; the database -> a fresh tongxin_ci_<random>;
  the compose owner role -> the local superuser `postgres` (in the postgres image the owner
  is the superuser too); the runtime role keeps its name (tongxin_app);
- Redis db -> a free db number held with a lock key, flushed before and after;
- the services' volume paths -> directories in a temporary folder;
- gunicorn's --bind -> 127.0.0.1 on a free port.

Checks: the postgres init script runs; `migrate` exits 0 and leaves tenants behind; `web`
answers GET /, a tenant's home and /api/openapi.json with 200; `worker` processes a real task: a project submitted through the services with the compose broker sends the panel
notification over Redis, and the worker writes the Notification rows; `beat` starts, writes
its schedule file into its volume and stays up. Everything is stopped and the database dropped.
"""
from __future__ import annotations

import io
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import redis
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMPOSE = ROOT / "docker-compose.yml"
PG_HOST = os.environ.get("TONGXIN_TEST_PG", "127.0.0.1:5432")
REDIS_BASE = os.environ.get("TONGXIN_TEST_REDIS", "redis://127.0.0.1:6379")
LOCAL_SUPERUSER = "postgres"
DEMO_TODAY = "2023-03-15"
WAIT = 120  # seconds: an upper bound for each wait, not an expectation

results: list[tuple[str, bool, str]] = []


def check(name: str, ok: bool, detail: str = "") -> bool:
    results.append((name, ok, detail))
    print(f"{'PASS' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else ""), flush=True)
    return ok


# ---------------------------------------------------------------------------- compose file

_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value, env: dict[str, str]):
    """Compose's variable substitution: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
    ${VAR:?error}, ${VAR?error}, and $$ for a literal $."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def sub(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2), m.group(3) or ""
        present = name in env
        empty = not env.get(name)
        if op in (":-", "-"):
            missing = empty if op == ":-" else not present
            return arg if missing else env[name]
        if op in (":?", "?"):
            missing = empty if op == ":?" else not present
            if missing:
                raise SystemExit(f"docker-compose.yml requires {name}: {arg}")
            return env[name]
        return env.get(name, "")

    return _VAR.sub(sub, value)


def load_compose(env: dict[str, str]) -> dict:
    return interpolate(yaml.safe_load(COMPOSE.read_text(encoding="utf-8")), env)


def command_of(service: dict) -> list[str]:
    cmd = service["command"]
    return shlex.split(cmd) if isinstance(cmd, str) else [str(c) for c in cmd]


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, os.environ.get(item, "")) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def volume_paths(service: dict, volumes_root: Path) -> dict[str, Path]:
    """Container path -> local directory, for each named volume or bind mount of a service."""
    mapped = {}
    for spec in service.get("volumes") or []:
        source, target = (spec.split(":")[:2] if isinstance(spec, str) else (spec["source"], spec["target"]))
        if source.startswith((".", "/")):
            mapped[target] = (ROOT / source).resolve()
        else:
            mapped[target] = volumes_root / source
            mapped[target].mkdir(parents=True, exist_ok=True)
    return mapped


# ---------------------------------------------------------------------------- rewriting

class Rewriter:
    def __init__(self, compose: dict, dbname: str, redis_db: int, volumes_root: Path):
        pg_env = environment_of(compose["services"]["postgres"])
        self.owner = pg_env.get("POSTGRES_USER", "postgres")
        self.dbname = dbname
        self.redis_db = redis_db
        self.volumes_root = volumes_root
        pg_host, _, pg_port = PG_HOST.partition(":")
        self.pg_netloc_host, self.pg_port = pg_host, int(pg_port or 5432)
        r = urlsplit(REDIS_BASE)
        self.redis_host, self.redis_port = r.hostname or "127.0.0.1", r.port or 6379

    def url(self, value: str) -> str:
        parts = urlsplit(value)
        if parts.hostname == "postgres" and parts.scheme.startswith("postgresql"):
            user = parts.username or ""
            if user == self.owner:
                user = LOCAL_SUPERUSER
            auth = user + (f":{parts.password}" if parts.password else "")
            return urlunsplit((parts.scheme, f"{auth}@{self.pg_netloc_host}:{self.pg_port}", f"/{self.dbname}",
                               parts.query, parts.fragment))
        if parts.hostname == "redis" and parts.scheme.startswith("redis"):
            return urlunsplit((parts.scheme, f"{self.redis_host}:{self.redis_port}", f"/{self.redis_db}",
                               parts.query, parts.fragment))
        return value

    def paths(self, value: str, volumes: dict[str, Path]) -> str:
        for target, local in sorted(volumes.items(), key=lambda kv: -len(kv[0])):
            if value == target or value.startswith(target + "/"):
                return str(local) + value[len(target):]
            if "=" in value:  # --schedule=/path
                flag, _, rest = value.partition("=")
                if rest == target or rest.startswith(target + "/"):
                    return f"{flag}={local}{rest[len(target):]}"
        return value

    def env(self, service: dict, volumes: dict[str, Path]) -> dict[str, str]:
        out = {}
        for key, value in environment_of(service).items():
            out[key] = self.paths(self.url(value), volumes)
        return out

    def command(self, service: dict, volumes: dict[str, Path], port: int | None = None) -> list[str]:
        args = [self.paths(a, volumes) for a in command_of(service)]
        if port is not None:
            for i, a in enumerate(args):
                if a in ("--bind", "-b") and i + 1 < len(args):
                    args[i + 1] = f"127.0.0.1:{port}"
                elif a.startswith("--bind="):
                    args[i] = f"--bind=127.0.0.1:{port}"
        return args


# ---------------------------------------------------------------------------- helpers

def pg_admin(sql: str) -> None:
    with psycopg.connect(f"postgresql://{LOCAL_SUPERUSER}@{PG_HOST}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def pg_owner_query(dbname: str, sql: str, params=()):
    with psycopg.connect(f"postgresql://{LOCAL_SUPERUSER}@{PG_HOST}/{dbname}") as conn:
        return conn.execute(sql, params).fetchall()


LOCK_KEY = "tongxin:smoke-lock"


def acquire_redis_db(token: str) -> int:
    """A Redis db number no other smoke or test run is using: the first one whose lock we get."""
    for number in range(8, 16):
        r = redis.Redis.from_url(f"{REDIS_BASE}/{number}")
        if r.set(LOCK_KEY, token, nx=True, ex=3600):
            r.flushdb()  # leftovers of a run that died
            r.set(LOCK_KEY, token, ex=3600)
            return number
    raise SystemExit("no free Redis db between 8 and 15")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name: str, args: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen:
    log = open(logs / f"{name}.log", "wb")
    print(f"---- {name}: {shlex.join(args)}", flush=True)
    # A new process group, so stopping it stops gunicorn's and celery's children too.
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def wait_until(predicate, what: str, timeout: float = WAIT, procs: tuple[subprocess.Popen, ...] = ()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if any(p.poll() is not None for p in procs):
            return None
        time.sleep(0.5)
    print(f"gave up waiting for {what}", flush=True)
    return None


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# ---------------------------------------------------------------------------- the checks

def submit_a_project(env: dict[str, str]) -> tuple[int, int]:
    """Submit one 一居一品 project through the services, configured exactly as the compose
    services are (same broker), so the notify task goes over Redis to the worker.
    Returns (tenant_id, number of panel members)."""
    os.environ.update(env)
    from sqlalchemy import func, select

    from core.config import Settings
    from core.models import PanelMember
    from core.platform import Platform
    from core.services import projects
    from core.services.tenant_definitions import load_file
    from tests.factories import PDF, acting, application, programme_id, tenant_id, unit_id

    # The demo's day (inside 共和新路's 2023 application window), for this process only: the
    # services run on the real date, as production does.
    settings = Settings.from_env(today=DEMO_TODAY)
    assert settings.broker_url and not settings.tasks_in_process, "the compose environment must name a broker"
    platform = Platform.build(settings)
    try:
        # The people of the shipped tenant files, which production never creates from them
        # (their password is the demo's): the smoke plays them, so it creates them itself.
        load_file(platform, ROOT / "tenants" / "jingan.yaml", logins=True)
        pid = programme_id(platform)
        with acting(platform, "jingan", "luochuan") as ctx:
            p = projects.create_project(ctx, pid, unit_id(platform, "jingan", "ghxl-luochuan"), "yiju_yipin", "楼组议事会")
            projects.save_form(ctx, p.id, "application", application("楼组议事会"))
            projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": "3000", "category": "活动组织与物料"}])
            projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
            # 静安区's fund stacks on the street's programme in the shipped tenants: the meeting
            # that formed the project, with its minutes, and each budget row in a listed category.
            projects.save_form(ctx, p.id, "jingan_fund_formation", {
                "money_kind": "zizhi", "platform": "sanhui_yidaili", "meeting_date": "2023-02-20", "participants": 30,
                "resolution": "居民议定申报“楼组议事会”自治项目"})
            projects.attach(ctx, p.id, "jingan_fund_minutes", "议事会议记录.pdf", io.BytesIO(PDF), platform.storage)
        with acting(platform, "jingan", "luochuan") as ctx:
            projects.submit(ctx, p.id)  # commits, then enqueues tongxin.notify_panel
        tid = tenant_id(platform, "jingan")
        with platform.db.session(tenant_id=tid) as s:
            panel = s.scalar(select(func.count()).select_from(PanelMember).where(PanelMember.programme_id == pid))
        return tid, panel
    finally:
        platform.db.dispose()


def main() -> int:
    token = secrets.token_hex(8)
    dbname = f"tongxin_ci_{token}"
    tmp = Path(tempfile.mkdtemp(prefix="tongxin-compose-smoke-"))
    logs = tmp / "logs"
    logs.mkdir()
    redis_db = acquire_redis_db(token)
    host_env = dict(os.environ)
    # What an operator puts in .env: compose publishes no default for any of them, and the
    # services refuse weak ones (core/production.py), so the smoke generates its own. The day is
    # the real date, as in production; only the submission below runs on the demo's day.
    for variable in ("TONGXIN_SECRET_KEY", "TONGXIN_OWNER_PASSWORD", "TONGXIN_APP_PASSWORD"):
        host_env.setdefault(variable, secrets.token_hex(32))
    host_env.pop("TONGXIN_TODAY", None)
    compose = load_compose(host_env)
    services = compose["services"]
    rw = Rewriter(compose, dbname, redis_db, tmp / "volumes")
    bin_dir = str(Path(sys.executable).parent)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    base_env["PATH"] = bin_dir + os.pathsep + base_env.get("PATH", "")

    def service_env(name: str) -> tuple[dict[str, str], dict[str, Path]]:
        volumes = volume_paths(services[name], tmp / "volumes")
        return {**base_env, **rw.env(services[name], volumes)}, volumes

    procs: dict[str, subprocess.Popen] = {}
    print(f"compose-smoke: database {dbname}, redis db {redis_db}, files in {tmp}", flush=True)
    try:
        check("compose services", {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(services),
              ", ".join(sorted(services)))
        pg_admin(f'CREATE DATABASE "{dbname}"')

        # postgres: the init script the image runs on a new volume (idempotent here).
        pg = services["postgres"]
        init = next((v for v in pg.get("volumes", []) if "docker-entrypoint-initdb.d" in v), None)
        if init and shutil.which("psql"):
            script = (ROOT / init.split(":")[0]).resolve()
            pg_env = environment_of(pg)
            host, _, port = PG_HOST.partition(":")
            r = subprocess.run(["sh", str(script)], cwd=ROOT, capture_output=True, text=True,
                               env={**base_env, "PGHOST": host, "PGPORT": port or "5432",
                                    "POSTGRES_USER": LOCAL_SUPERUSER, "POSTGRES_DB": dbname,
                                    "TONGXIN_APP_PASSWORD": pg_env.get("TONGXIN_APP_PASSWORD", "")})
            check("postgres init script", r.returncode == 0, (r.stdout + r.stderr).strip()[-500:])

        # migrate: one shot, must exit 0 and leave the tenants behind.
        env, _ = service_env("migrate")
        cmd = rw.command(services["migrate"], {})
        print(f"---- migrate: {shlex.join(cmd)}", flush=True)
        r = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        print(r.stdout[-2000:] + r.stderr[-2000:], flush=True)
        if not check("migrate exits 0", r.returncode == 0, f"exit {r.returncode}"):
            return 1
        slugs = {row[0] for row in pg_owner_query(dbname, "SELECT slug FROM tenants")}
        check("migrate loaded tenants/*.yaml", {"jingan", "jinjiang", "putuo"} <= slugs, ", ".join(sorted(slugs)))
        owner = pg_owner_query(dbname, "SELECT tableowner FROM pg_tables WHERE tablename = 'projects'")[0][0]
        check("tables owned by the owner, not the runtime role", owner == LOCAL_SUPERUSER, owner)
        logins = pg_owner_query(dbname, "SELECT count(*) FROM users")[0][0]
        check("migrate created no logins (the tenant files' are the demo's)", logins == 0, f"{logins} users")

        # The first administrator, as docs/operations.md tells the operator to create it.
        admin_password = secrets.token_urlsafe(18)
        r = subprocess.run(["tongxin", "users", "create-admin", "--tenant", "jingan", "--username", "ops_admin",
                            "--name", "区民政局管理员"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                           env={**env, "TONGXIN_ADMIN_PASSWORD": admin_password})
        check("tongxin users create-admin", r.returncode == 0, (r.stdout + r.stderr).strip()[-300:])

        # worker, beat and web, all at once as compose starts them.
        env, vols = service_env("worker")
        procs["worker"] = start("worker", rw.command(services["worker"], vols), env, logs)
        env, beat_vols = service_env("beat")
        procs["beat"] = start("beat", rw.command(services["beat"], beat_vols), env, logs)
        port = free_port()
        env, vols = service_env("web")
        procs["web"] = start("web", rw.command(services["web"], vols, port=port), env, logs)

        # web: gunicorn serves the app; the directory, a tenant home and the OpenAPI document answer 200.
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: http_status(base + "/"), "gunicorn", procs=(procs["web"],))
        for path in ("/", "/t/jingan/", "/api/openapi.json"):  # a tenant page reads through RLS
            got = http_status(base + path)
            check(f"web GET {path}", got == 200, f"HTTP {got}")
        check("web gunicorn stays up", procs["web"].poll() is None)

        # worker: a real task over Redis.
        tid, panel = submit_a_project(service_env("web")[0])
        count_sql = ("SELECT count(*) FROM notifications WHERE tenant_id = %s AND kind = 'project_submitted'")
        got = wait_until(lambda: pg_owner_query(dbname, count_sql, (tid,))[0][0] >= panel or None,
                         "the worker's notifications", procs=(procs["worker"],))
        n = pg_owner_query(dbname, count_sql, (tid,))[0][0]
        check("worker processed tongxin.notify_panel", bool(got) and n == panel > 0,
              f"{n} notifications for {panel} panel members")
        check("worker log shows the task", "tongxin.notify_panel" in (logs / "worker.log").read_text(errors="replace"))

        # beat: starts, writes its schedule into its volume, stays up.
        started = wait_until(lambda: "beat: Starting" in (logs / "beat.log").read_text(errors="replace"),
                             "beat to start", procs=(procs["beat"],))
        beat_cmd = rw.command(services["beat"], beat_vols)
        schedule = Path(next(a.split("=", 1)[1] for a in beat_cmd if a.startswith("--schedule=")))
        written = lambda: sorted(p.name for p in schedule.parent.glob(schedule.name + "*"))  # noqa: E731
        wrote = wait_until(written, "beat's schedule file", procs=(procs["beat"],))
        time.sleep(5)  # "stays up": still running a few seconds after it started
        check("beat starts and stays up", bool(started) and procs["beat"].poll() is None)
        check("beat writes its schedule into its volume",
              bool(wrote) and any(schedule.parent == d for d in beat_vols.values()), ", ".join(wrote or []))
        check("worker stays up", procs["worker"].poll() is None)
    finally:
        for name, proc in procs.items():
            stop(proc)
        failed = [name for name, ok, _ in results if not ok]
        if failed:
            for name in procs:
                print(f"---- last lines of {name}.log\n{tail(logs / f'{name}.log')}", flush=True)
        try:
            pg_admin(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        finally:
            redis.Redis.from_url(f"{REDIS_BASE}/{redis_db}").flushdb()
            shutil.rmtree(tmp, ignore_errors=True)
    passed = sum(ok for _, ok, _ in results)
    failed = len(results) - passed
    print(f"compose-smoke: {passed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
