"""Refusing to run a production deployment with settings anyone can look up.

With a production database configured (``Settings.production``: PostgreSQL), the entry points
that read the environment (the WSGI app, ``tongxin serve``, the Celery worker and beat) call
``refuse_unsafe`` before they serve anything. Each refusal names the variable to set, because the
person reading it is an operator at a terminal, not a developer reading this file:

- the session secret: the published default or one shorter than ``MIN_SECRET`` characters would
  let anyone forge a signed-in session cookie (``TONGXIN_SECRET_KEY``);
- the database passwords: the ones this repository's docker-compose.yml once defaulted to, or
  other well-known ones, in either connection URL (``TONGXIN_APP_PASSWORD`` /
  ``TONGXIN_OWNER_PASSWORD``, which compose puts into the URLs);
- a pinned day (``TONGXIN_TODAY``): deadlines, phases and timestamps must follow the real date.

The embedded profile (SQLite: the demo, a developer's machine) is never refused, nor a test
suite's own processes (``TONGXIN_PROFILE=test``, ``core.config.Settings.profile``).
"""
from __future__ import annotations

import sys
from urllib.parse import unquote, urlsplit

from core.config import Settings

DEFAULT_SECRET = Settings.secret_key
MIN_SECRET = 32  # characters: `openssl rand -hex 32` gives 64
# Passwords published in this repository's history or in every tutorial: never a real one.
PUBLISHED_PASSWORDS = frozenset({
    "tongxin-app-dev", "tongxin-owner-dev", "tongxin", "tongxin_app", "postgres", "password", "secret",
    "changeme", "change-me", "admin", "123456", "12345678", "tongxin-demo",
})


# The exit status: gunicorn's "worker failed to boot", on which its master stops too instead of
# starting worker after worker; celery and click exit with it as they find it.
EXIT_STATUS = 3


class UnsafeSettings(SystemExit):
    """The settings are unsafe for production; ``message`` lists what to set (printed to
    standard error before raising). A ``SystemExit`` so that gunicorn, celery and click stop
    without a traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        self.message = ("同心拒绝以不安全的设置在生产环境启动 / Tongxin refuses to start in production "
                        f"with unsafe settings:\n{lines}")
        super().__init__(EXIT_STATUS)


def problems(settings: Settings) -> list[str]:
    """What is unsafe about ``settings`` for production, one message per variable to set
    (empty: safe, or not a production database)."""
    if not settings.production:
        return []
    found = []
    if settings.secret_key == DEFAULT_SECRET:
        found.append("TONGXIN_SECRET_KEY 仍是公开的默认值，请设置随机密钥（如 openssl rand -hex 32） / "
                     "TONGXIN_SECRET_KEY is the published default: set a random one (openssl rand -hex 32)")
    elif len(settings.secret_key or "") < MIN_SECRET:
        found.append(f"TONGXIN_SECRET_KEY 过短（至少{MIN_SECRET}个字符），请设置随机密钥（如 openssl rand -hex 32） / "
                     f"TONGXIN_SECRET_KEY is too short (at least {MIN_SECRET} characters): openssl rand -hex 32")
    for variable, url, role in (("TONGXIN_DATABASE_URL", settings.database_url, "TONGXIN_APP_PASSWORD"),
                                ("TONGXIN_ADMIN_DATABASE_URL", settings.admin_database_url, "TONGXIN_OWNER_PASSWORD")):
        password = _password_of(url)
        # No password at all is refused over the network (a Unix socket's peer authentication,
        # with no host in the URL, needs none).
        if url and urlsplit(url).hostname and (password is None or password.lower() in PUBLISHED_PASSWORDS):
            said = "没有密码" if password is None else "使用公开的默认密码"
            found.append(f"{variable} 的数据库密码{said}，请设置 {role}（或在 {variable} 中写入强密码） / "
                         f"the database password in {variable} is {'missing' if password is None else 'a published default'}: "
                         f"set {role} (or a strong password in {variable})")
    if settings.today:
        found.append(f"TONGXIN_TODAY={settings.today} 固定了日期，生产环境必须使用真实日期，请删除该变量 / "
                     f"TONGXIN_TODAY pins the day to {settings.today}: production runs on the real date, unset it")
    return found


def _password_of(url: str | None) -> str | None:
    if not url:
        return None
    password = urlsplit(url).password
    return unquote(password) if password else None


def refuse_unsafe(settings: Settings) -> None:
    """Stop the program (``UnsafeSettings``) when ``settings`` are unsafe for production."""
    found = problems(settings)
    if found:
        error = UnsafeSettings(found)
        print(error.message, file=sys.stderr, flush=True)
        raise error
