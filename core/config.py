"""Settings read once from the environment (12-factor), with embedded defaults.

Embedded default: SQLite in ./instance, files in ./instance/files, tasks run in-process.
Production profile (docker-compose.yml): PostgreSQL as the runtime role, Redis broker, Celery.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.clock import Clock


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        years = int(value)
    except ValueError:
        raise ValueError(f"TONGXIN_PERSONAL_DATA_RETENTION_YEARS must be a whole number of years, not {value!r}") from None
    if years < 0:
        raise ValueError("TONGXIN_PERSONAL_DATA_RETENTION_YEARS must be 0 or more")
    return years


@dataclass
class Settings:
    # The runtime connection. On PostgreSQL this must be the runtime role (no BYPASSRLS),
    # so that row-level security backs the application's tenant filter.
    database_url: str = "sqlite:///instance/tongxin.db"
    # The owner connection, used only by migrations (it creates tables, policies and grants).
    admin_database_url: str | None = None
    # The PostgreSQL role the web, worker and CLI run as; migrations grant it what it needs.
    runtime_role: str = "tongxin_app"
    # None: tasks run in-process (embedded). A URL: tasks go to Celery workers over it.
    broker_url: str | None = None
    storage_dir: str = "instance/files"
    secret_key: str = "dev-only-change-me"
    max_upload_bytes: int = 10 * 1024 * 1024
    # The session cookie travels only over HTTPS (Secure), unless a profile that serves plain
    # HTTP says otherwise: `tongxin serve` and `tongxin demo` turn it off unless
    # TONGXIN_SECURE_COOKIES is set (core.cli). Always HttpOnly and SameSite=Lax (core.app).
    secure_cookies: bool = True
    # A signed-in browser is signed out after this long without a request, and after this long
    # whatever it does (core.services.login_sessions), on the platform's clock.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # API tokens expire: a token asked for without a lifetime lives token_days_default days, and
    # none lives longer than token_days_max (core.services.auth).
    token_days_default: int = 30
    token_days_max: int = 90
    # Sign-in and token requests (core.login_limits): failed attempts allowed per account and
    # per client address in a window (the `limits` notation), after which both are refused
    # until the window ends. Storage: a Redis URL in production (every web process shares the
    # count); None: the broker's URL when it is Redis, else memory (the embedded profile).
    login_limit_account: str = "10 per 15 minutes"
    login_limit_address: str = "50 per 15 minutes"
    ratelimit_storage_url: str | None = None
    # Keeps the counts of deployments that share one Redis apart.
    ratelimit_key_prefix: str = "tongxin"
    # How many reverse proxies in front of the app to believe about the client's address and
    # scheme (X-Forwarded-For/-Proto): 0 when gunicorn faces the clients itself, as in
    # docker-compose.yml; 1 behind one TLS-terminating proxy. Believing more than there are lets
    # a client pick its own address and escape the per-address limit.
    proxy_hops: int = 0
    default_locale: str = "zh"
    # Argon2 cost profile for passwords: "default" (RFC 9106) for every real deployment;
    # "cheapest" only for test suites that create many users (core.services.auth).
    password_hashing: str = "default"
    # The folder of tenant files `tongxin tenants load` and `tongxin demo` read by default
    # (None: the checkout's tenants/).
    tenants_dir: str | None = None
    # Tests and demos may pin "today" (ISO date) so that phase windows are deterministic: the
    # platform's clock then starts on that day (core.clock).
    today: str | None = None
    # E-mail, the inbox's second channel (core.tasks.mail): off unless an SMTP host is set (the
    # demo and the embedded default leave it off). ``smtp_tls``: STARTTLS after connecting;
    # ``public_url``: where people reach this deployment, for the links in the mails.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "tongxin@localhost"
    smtp_tls: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    public_url: str = "http://localhost:8000"
    # How many times faster than real time a pinned clock runs (1: real time). Only for
    # simulating a stretch of the year on a pinned clock (the beat test runs a month in a minute);
    # it has no effect on a clock that is not pinned.
    clock_rate: float = 1.0
    # Seconds a task taken by a worker stays invisible to the others before the broker hands it
    # out again (Redis transport): what brings back the task of a worker killed as a whole
    # (core.tasks.broker). Longer than any task runs, short enough that "again" is minutes.
    task_visibility_timeout: int = 300
    # Years a project's people registry is kept after the project's period, where none of its
    # policies declares a period (a policy's own setting wins: core.services.retention); None:
    # kept until the street office decides. Applied by `tongxin personal-data retention`.
    personal_data_retention_years: int | None = None
    # The platform's clock itself, when the program embedding Tongxin hands one in (the test
    # suite moves one clock for every platform of a test); None: made from ``today`` on first use
    # (core.clock.of_settings). Not an environment variable.
    clock: Clock | None = None
    # Administrators (district and street offices) must sign in with a second factor (TOTP):
    # an administrator without one is sent to enrol before anything else (core.web.account).
    require_admin_totp: bool = False
    # "test": a test suite's own processes on its PostgreSQL (a pinned day, no passwords), which
    # are not a production deployment; never set in a deployment (it turns the refusals of
    # core.production off). None: the profile follows the database (``production``).
    profile: str | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        s = cls(
            database_url=_env("TONGXIN_DATABASE_URL", cls.database_url),
            admin_database_url=_env("TONGXIN_ADMIN_DATABASE_URL"),
            runtime_role=_env("TONGXIN_RUNTIME_ROLE", cls.runtime_role),
            broker_url=_env("TONGXIN_BROKER_URL"),
            storage_dir=_env("TONGXIN_STORAGE_DIR", cls.storage_dir),
            secret_key=_env("TONGXIN_SECRET_KEY", cls.secret_key),
            max_upload_bytes=int(_env("TONGXIN_MAX_UPLOAD_BYTES", str(cls.max_upload_bytes))),
            today=_env("TONGXIN_TODAY"),
            clock_rate=float(_env("TONGXIN_CLOCK_RATE", "1")),
            password_hashing=_env("TONGXIN_PASSWORD_HASHING", cls.password_hashing),
            tenants_dir=_env("TONGXIN_TENANTS_DIR"),
            secure_cookies=_env("TONGXIN_SECURE_COOKIES", "1").lower() in ("1", "true", "yes"),
            session_idle_minutes=int(_env("TONGXIN_SESSION_IDLE_MINUTES", str(cls.session_idle_minutes))),
            session_absolute_hours=int(_env("TONGXIN_SESSION_ABSOLUTE_HOURS", str(cls.session_absolute_hours))),
            token_days_default=int(_env("TONGXIN_TOKEN_DAYS_DEFAULT", str(cls.token_days_default))),
            token_days_max=int(_env("TONGXIN_TOKEN_DAYS_MAX", str(cls.token_days_max))),
            login_limit_account=_env("TONGXIN_LOGIN_LIMIT_ACCOUNT", cls.login_limit_account),
            login_limit_address=_env("TONGXIN_LOGIN_LIMIT_ADDRESS", cls.login_limit_address),
            ratelimit_storage_url=_env("TONGXIN_RATELIMIT_STORAGE_URL"),
            ratelimit_key_prefix=_env("TONGXIN_RATELIMIT_KEY_PREFIX", cls.ratelimit_key_prefix),
            proxy_hops=int(_env("TONGXIN_PROXY_HOPS", str(cls.proxy_hops))),
            smtp_host=_env("TONGXIN_SMTP_HOST"),
            smtp_port=int(_env("TONGXIN_SMTP_PORT", str(cls.smtp_port))),
            smtp_sender=_env("TONGXIN_SMTP_SENDER", cls.smtp_sender),
            smtp_tls=_env("TONGXIN_SMTP_TLS", "0").lower() in ("1", "true", "yes"),
            smtp_user=_env("TONGXIN_SMTP_USER"),
            smtp_password=_env("TONGXIN_SMTP_PASSWORD"),
            public_url=_env("TONGXIN_PUBLIC_URL", cls.public_url),
            profile=_env("TONGXIN_PROFILE"),
            require_admin_totp=_env("TONGXIN_REQUIRE_ADMIN_TOTP", "0").lower() in ("1", "true", "yes"),
            task_visibility_timeout=int(_env("TONGXIN_TASK_VISIBILITY_TIMEOUT", str(cls.task_visibility_timeout))),
            personal_data_retention_years=_int_or_none(_env("TONGXIN_PERSONAL_DATA_RETENTION_YEARS")),
        )
        for key, value in overrides.items():
            setattr(s, key, value)
        if s.database_url.startswith("sqlite:///") and not s.database_url.startswith("sqlite:////"):
            Path(s.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return s

    @property
    def migration_url(self) -> str:
        return self.admin_database_url or self.database_url

    @property
    def production(self) -> bool:
        """A production database is configured (PostgreSQL): the profile in which the entry
        points refuse unsafe settings (``core.production``) and tenant files create no logins.
        The embedded profile (SQLite) is the demo's and the developer's; ``profile="test"`` is a
        test suite's processes on its own PostgreSQL."""
        return self.database_url.startswith("postgresql") and self.profile != "test"

    @property
    def tasks_in_process(self) -> bool:
        return not self.broker_url

    @property
    def limiter_storage(self) -> str:
        """Where the sign-in limits count (``login_limit_*``): the configured URL, else the
        broker's Redis, else this process's memory."""
        if self.ratelimit_storage_url:
            return self.ratelimit_storage_url
        if self.broker_url and self.broker_url.startswith(("redis://", "rediss://")):
            return self.broker_url
        return "memory://"

    @property
    def mail_enabled(self) -> bool:
        """Whether notifications are also mailed (an SMTP host is configured)."""
        return bool(self.smtp_host)
