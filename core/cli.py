"""The ``tongxin`` command line. Every command builds its own platform from the environment
(TONGXIN_* variables) and names the tenant explicitly where it touches tenant data."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from sqlalchemy import select

from core.config import Settings
from core.platform import Platform

ROOT = Path(__file__).resolve().parent.parent


def _tenants_dir() -> Path:
    """Where the default tenant files (and the demo year) live: TONGXIN_TENANTS_DIR, or the
    checkout's tenants/."""
    return Path(Settings.from_env().tenants_dir or ROOT / "tenants")


def _platform() -> Platform:
    return Platform.build(Settings.from_env())


# sysexits' EX_TEMPFAIL: "a temporary failure; the user is invited to retry" (cron and
# systemd can tell it from a command that failed for good).
EXIT_DATABASE_UNAVAILABLE = 75


class _Commands(click.Group):
    """Every command: a database that cannot be reached ends it with a message and
    ``EXIT_DATABASE_UNAVAILABLE``, never a traceback."""

    def invoke(self, ctx: click.Context):
        from sqlalchemy.exc import DBAPIError
        from core.db import RETRY_AFTER, unavailable
        try:
            return super().invoke(ctx)
        except DBAPIError as exc:
            if not unavailable(exc):
                raise
            click.echo(f"数据库暂时无法连接，命令没有完成，请约{RETRY_AFTER}秒后重试 / the database cannot be reached; "
                       f"nothing was done, try again in about {RETRY_AFTER} seconds ({exc.orig})", err=True)
            ctx.exit(EXIT_DATABASE_UNAVAILABLE)


@click.group(cls=_Commands)
def main() -> None:
    """同心 Tongxin: community self-governance projects."""


@main.group()
def db() -> None:
    """Database schema (Alembic)."""


@db.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Apply migrations (core and every installed plugin's branch) with the owner connection."""
    from core import migrate
    migrate.upgrade(Settings.from_env(), revision)
    click.echo(f"数据库已升级到 {revision} / database upgraded to {revision}")


@main.group()
def tenants() -> None:
    """Declarative tenant definitions."""


@tenants.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
def tenants_load(paths: tuple[Path, ...]) -> None:
    """Apply tenant files (default: every *.yaml in TONGXIN_TENANTS_DIR or tenants/). Idempotent."""
    from core.services.tenant_definitions import DefinitionError, load_file
    from core.violations import RuleError
    p = _platform()
    files = list(paths) or sorted(_tenants_dir().glob("*.yaml"))
    # Logins come from tenant files only outside production: there they are the demo's (one
    # published password for all). A production deployment starts with `users create-admin`.
    logins = not p.settings.production
    if not logins:
        click.echo("生产环境：不创建租户文件中的登录账号，请用 tongxin users create-admin 创建首个管理员 / "
                   "production: tenant files create no logins; start with tongxin users create-admin")
    for f in files:
        try:
            t = load_file(p, f, logins=logins)
        except (DefinitionError, RuleError) as exc:
            messages = [v.message.zh + (f"（{v.field}）" if v.field else "") for v in getattr(exc, "violations", [])]
            raise click.ClickException(f"{f}: {'; '.join(messages) or exc}") from exc
        click.echo(f"已载入 {t.name} ({t.slug}) ← {f.name}")


@tenants.command("list")
def tenants_list() -> None:
    from core.models import Tenant
    p = _platform()
    with p.db.session() as s:
        for t in s.scalars(select(Tenant).order_by(Tenant.id)):
            click.echo(f"{t.slug}\t{t.name}")


@tenants.command("remove")
@click.argument("slug")
@click.option("--backup", "backup_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A backup holding this tenant, taken after its last change (tongxin backup).")
@click.option("--yes", is_flag=True, help="Confirm: the tenant's rows and files are deleted.")
def tenants_remove(slug: str, backup_file: Path, yes: bool) -> None:
    """Delete a tenant's rows and files, once a backup proves it can be restored (tongxin restore)."""
    from core.backup import BackupRefused, remove
    if not yes:
        raise click.ClickException(f"移除辖区 {slug} 会删除其全部数据和文件：确认请加 --yes / "
                                   f"removing tenant {slug} deletes all its rows and files: add --yes to confirm")
    try:
        done = remove(Settings.from_env(), slug, backup_file)
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from refused
    click.echo(f"已移除辖区 {slug}：{done['rows']} 行，{done['files']} 个文件 / "
               f"removed tenant {slug}: {done['rows']} rows, {done['files']} files")


@main.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tenant", "slugs", multiple=True, help="Only this tenant (repeatable); default: the whole deployment.")
def backup(destination: Path, slugs: tuple[str, ...]) -> None:
    """Write the deployment's rows and uploaded files (or some tenants') into one archive file."""
    from core.backup import BackupRefused, take
    try:
        manifest = take(Settings.from_env(), destination, slugs)
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from refused
    for t in manifest["tenants"]:
        rows = sum(table["tenants"][t["slug"]]["rows"] for table in manifest["tables"].values())
        click.echo(f"{t['slug']}: {rows} 行 rows, {len(manifest['files'][t['slug']])} 个文件 files")
    click.echo(f"备份已写入 / backup written: {destination}")


@main.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--tenant", "slugs", multiple=True,
              help="Only this tenant of the archive (repeatable), onto a deployment that does not hold it.")
def restore(source: Path, slugs: tuple[str, ...]) -> None:
    """Restore a backup: a whole deployment onto an empty one, or tenants onto one without them."""
    from core.backup import BackupRefused, restore as put_back
    try:
        done = put_back(Settings.from_env(), source, slugs)
    except BackupRefused as refused:
        raise click.ClickException(str(refused)) from refused
    for slug, counts in done.items():
        click.echo(f"已恢复 {slug}：{counts['rows']} 行，{counts['files']} 个文件 / "
                   f"restored {slug}: {counts['rows']} rows, {counts['files']} files")


@main.group()
def plugins() -> None:
    """Installed policy plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True)
def plugins_list(as_json: bool) -> None:
    p = _platform()
    described = p.host.describe()
    if as_json:
        click.echo(json.dumps({"plugins": described, "load_errors": p.host.load_errors}, ensure_ascii=False, indent=2))
        return
    for d in described:
        click.echo(f"{d['name']}\t{d['version']}\t{d['title']['zh']}")
    for name, err in p.host.load_errors.items():
        click.echo(f"{name}\t加载失败 / failed to load: {err}", err=True)


@main.group()
def permissions() -> None:
    """The permission table (core.permissions)."""


@permissions.command("doc")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=ROOT / "docs" / "permissions.md",
              show_default=True, help="where to write it; '-' for standard output")
def permissions_doc(output: Path) -> None:
    """Write docs/permissions.md from the table (core's rows plus the installed plugins')."""
    from core.permissions.docs import render
    from core.plugin_host.manager import PluginHost

    text = render(PluginHost().permissions)
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}")


@main.group()
def users() -> None:
    """People and API tokens."""


@users.command("create-admin")
@click.option("--tenant", required=True, help="the tenant's slug (its tree loaded by `tenants load`)")
@click.option("--username", required=True)
@click.option("--name", "display_name", default=None, help="the name shown (default: the username)")
@click.option("--email", default=None)
@click.option("--password", envvar="TONGXIN_ADMIN_PASSWORD", default=None,
              help="default: TONGXIN_ADMIN_PASSWORD, else asked for twice (not echoed)")
def users_create_admin(tenant: str, username: str, display_name: str | None, email: str | None,
                       password: str | None) -> None:
    """Create a tenant's first district administrator, with a password that meets the policy."""
    from core.services.accounts import create_admin
    from core.violations import RuleError
    if not password:
        password = click.prompt("密码 / password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_admin(_platform(), tenant, username, display_name or username, password, email)
    except RuleError as err:
        raise click.ClickException("; ".join(v.message.zh for v in err.violations)) from err
    click.echo(f"已创建 {tenant} 的区级管理员 {user.username} / created {user.username}, district administrator of {tenant}")


@users.command("token")
@click.option("--tenant", required=True)
@click.option("--username", required=True)
@click.option("--name", default="cli")
def users_token(tenant: str, username: str, name: str) -> None:
    """Issue an API token for a user (printed once)."""
    from core.models import Tenant, User
    from core.services.auth import issue_token, token_lifetime
    p = _platform()
    with p.db.scope() as s:
        t = s.scalars(select(Tenant).where(Tenant.slug == tenant)).one_or_none()
        if t is None:
            raise click.ClickException(f"没有辖区 {tenant}")
        tid = t.id
    with p.db.scope(tenant_id=tid) as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            raise click.ClickException(f"{tenant} 没有用户 {username}")
        settings = p.settings
        click.echo(issue_token(s, user, name, token_lifetime(None, settings.token_days_default, settings.token_days_max)))


@main.group()
def money() -> None:
    """Funds and the ledger (资金台账)."""


@money.command("reconcile")
@click.option("--tenant", "tenant_slug", default=None, help="One tenant's slug (default: every tenant).")
def money_reconcile(tenant_slug: str | None) -> None:
    """Prove every fund's entries add up and no rule (cap, chain, pairing) is broken.

    Prints a table; exits 1 with the reasons when any fund fails."""
    from core.models import Tenant
    from core.services.context import Actor, Ctx
    from core.services.reconcile import read_snapshot, reconcile, table
    p = _platform()
    with p.db.session() as s:
        stmt = select(Tenant).order_by(Tenant.id)
        if tenant_slug:
            stmt = stmt.where(Tenant.slug == tenant_slug)
        found = [(t.id, t.slug) for t in s.scalars(stmt)]
    if tenant_slug and not found:
        raise click.ClickException(f"没有辖区 {tenant_slug} / no tenant {tenant_slug}")
    results = []
    for tid, slug in found:
        with p.db.session(tenant_id=tid) as s:
            read_snapshot(s)
            results.append((slug, reconcile(Ctx(session=s, actor=Actor.anonymous(), host=p.host,
                                                 settings=p.settings, tenant_id=tid))))
    for line in table(results):
        click.echo(line)
    failed = [(slug, c) for slug, funds_of in results for c in funds_of if not c.ok]
    funds = sum(len(funds_of) for _, funds_of in results)
    if failed:
        click.echo(f"\n对账不通过 / reconciliation FAILED: {len(failed)} / {funds} 项资金", err=True)
        for slug, c in failed:
            for problem in c.problems:
                click.echo(f"  [{slug}] 资金#{c.fund_id} {c.name}: {problem.zh} / {problem.en}", err=True)
        sys.exit(1)
    click.echo(f"\n对账通过 / reconciliation passed: {funds} 项资金")


@main.group("personal-data")
def personal_data() -> None:
    """Personal data: how long people registries are kept (core.services.retention)."""


@personal_data.command("retention")
@click.option("--tenant", "tenant_slug", default=None, help="One tenant's slug (default: every tenant).")
@click.option("--dry-run", is_flag=True, help="List what is due; change nothing.")
def personal_data_retention(tenant_slug: str | None, dry_run: bool) -> None:
    """Anonymise the people registries whose retention period has ended (the policies' periods,
    else TONGXIN_PERSONAL_DATA_RETENTION_YEARS). Idempotent: run it daily."""
    from core.models import Tenant
    from core.services import retention
    from core.services.context import Actor, Ctx
    p = _platform()
    with p.db.session() as s:
        stmt = select(Tenant).order_by(Tenant.id)
        if tenant_slug:
            stmt = stmt.where(Tenant.slug == tenant_slug)
        found = [(t.id, t.slug) for t in s.scalars(stmt)]
    if tenant_slug and not found:
        raise click.ClickException(f"没有辖区 {tenant_slug} / no tenant {tenant_slug}")
    total = 0
    for tid, slug in found:
        with p.db.session(tenant_id=tid) as s:
            ctx = Ctx(session=s, actor=Actor.anonymous(), host=p.host, settings=p.settings, tenant_id=tid)
            done = retention.apply(ctx, dry_run=dry_run)
            if not dry_run:
                ctx.commit()
        for d in done:
            total += d.people
            click.echo(f"[{slug}] 项目#{d.project_id} {d.title}: {d.people} 人，保存至 {d.kept_until.isoformat()}（{d.years}年）")
    verb = "到期待匿名化 / due" if dry_run else "已匿名化 / anonymised"
    click.echo(f"{verb}: {total} 人 / people")


@main.group()
def mail() -> None:
    """E-mail of the notifications (inbox: sent once, failures retried later)."""


@mail.command("send")
@click.option("--tenant", "tenant_slug", default=None, help="One tenant's slug (default: every tenant).")
def mail_send(tenant_slug: str | None) -> None:
    """Mail the notifications not yet mailed and retry the failed ones that are due (for a
    deployment without Celery beat: run it from cron). Nothing when TONGXIN_SMTP_HOST is unset."""
    from core.models import Tenant
    from core.tasks import mail as mailer
    p = _platform()
    if not p.settings.mail_enabled:
        click.echo("未配置 TONGXIN_SMTP_HOST，不发送邮件 / e-mail is off (TONGXIN_SMTP_HOST is unset)")
        return
    with p.db.session() as s:
        stmt = select(Tenant.id, Tenant.slug).order_by(Tenant.id)
        found = s.execute(stmt.where(Tenant.slug == tenant_slug) if tenant_slug else stmt).all()
    if tenant_slug and not found:
        raise click.ClickException(f"没有辖区 {tenant_slug} / no tenant {tenant_slug}")
    for tid, slug in found:
        outcome = mailer.send_pending(p.db, p.settings, tid)
        click.echo(f"{slug}: 发送 {outcome.sent} 封，失败 {outcome.failed} 封 / sent {outcome.sent}, failed {outcome.failed}")


@main.group()
def tasks() -> None:
    """Background tasks (the outbox of tasks waiting to be sent)."""


@tasks.command("relay")
def tasks_relay() -> None:
    """Send every tenant's tasks still in the outbox: to the broker (production), or run them
    here (embedded). Beat does this every minute; run it from cron where beat does not run."""
    from core.tasks.relay import relay_all
    p = _platform()
    done = relay_all(p.settings)
    click.echo(f"发送 {done.sent} 项，待发 {done.pending} 项 / sent {done.sent}, pending {done.pending}")


@main.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host: str, port: int) -> None:
    """Run the web app with the development server (embedded profile)."""
    from core.app import create_app
    # The development server speaks plain HTTP: a Secure cookie would never come back, so the
    # embedded profile sends it without, unless TONGXIN_SECURE_COOKIES says otherwise.
    overrides = {} if os.environ.get("TONGXIN_SECURE_COOKIES") else {"secure_cookies": False}
    create_app(Settings.from_env(**overrides)).run(host=host, port=port, debug=False, threaded=True)


@main.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the demo data and stop.")
def demo(host: str, port: int, no_serve: bool) -> None:
    """Migrate, play the demo's story, load every tenant file with its demo logins, and serve."""
    ctx = click.get_current_context()
    ctx.invoke(db_upgrade)
    # The story first: it loads the tenant files itself, on the days they were set up, so that
    # nothing is dated after the demo's today. Once it has been played, the files are loaded as
    # `tenants load` does (which changes nothing unless they changed).
    if not _demo_year():
        ctx.invoke(tenants_load)
    click.echo("演示账号 / demo logins: see README.md (password for all: tongxin-demo)")
    if not no_serve:
        click.echo(f"打开 / open http://{host}:{port}/")
        ctx.invoke(serve, host=host, port=port)


def _demo_year() -> bool:
    """Play tenants/demo_year.py (the story: a year of applications, approvals, pledges, fund
    requests and spending, up to the demo's today) once, so the demo shows the rules at work."""
    import importlib.util
    path = _tenants_dir() / "demo_year.py"
    if not path.exists():
        return False
    spec = importlib.util.spec_from_file_location("tongxin_demo_year", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    platform = _platform()
    try:
        played = module.run(platform)
    finally:
        platform.db.dispose()
    if played:
        click.echo(f"已按演示故事生成至 {platform.clock.today()} 的数据（申报、评审、资金、认捐、拨付、支出） / "
                   "demo year played")
    else:
        click.echo("演示年度数据已存在 / demo year already played")
    return played


if __name__ == "__main__":
    sys.exit(main())
