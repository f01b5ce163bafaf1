"""The ``tongxin`` commands of this package: ``backup``, ``restore`` and ``tenants remove``
(registered on the command line by ``core.cli``)."""
from __future__ import annotations

from pathlib import Path

import click

from core.config import Settings


@click.command("remove")
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


@click.command("backup")
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


@click.command("restore")
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


def register(main: click.Group, tenants: click.Group) -> None:
    main.add_command(backup)
    main.add_command(restore)
    tenants.add_command(tenants_remove)
