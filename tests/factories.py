"""Helpers the tests share: acting as a demo user through the services, and making files."""
from __future__ import annotations

import contextlib
from typing import Iterator

from sqlalchemy import select

from core.models import OrgUnit, Programme, Tenant, User
from core.platform import Platform
from core.services.context import Actor, Ctx

# Smallest valid files of each kind the storage sniffs.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def tenant_id(platform: Platform, slug: str) -> int:
    with platform.db.session() as s:
        return s.scalars(select(Tenant.id).where(Tenant.slug == slug)).one()


@contextlib.contextmanager
def acting(platform: Platform, tenant: str, username: str | None) -> Iterator[Ctx]:
    """A unit of work as ``username`` (None: anonymous) in tenant ``tenant``; commits on success."""
    tid = tenant_id(platform, tenant)
    session = platform.db.session(tenant_id=tid)
    try:
        actor = Actor.anonymous()
        if username:
            user = session.scalars(select(User).where(User.username == username)).one()
            actor = Actor.of(user)
            session.info["actor_id"] = user.id
        ctx = Ctx(session=session, actor=actor, host=platform.host, settings=platform.settings, tenant_id=tid)
        yield ctx
        ctx.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def unit_id(platform: Platform, tenant: str, code: str) -> int:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        return s.scalars(select(OrgUnit.id).where(OrgUnit.code == code)).one()


def programme_id(platform: Platform, tenant: str = "jingan", year: int = 2023, plugin: str | None = None) -> int:
    with platform.db.session(tenant_id=tenant_id(platform, tenant)) as s:
        stmt = select(Programme.id).where(Programme.year == year).order_by(Programme.id)
        if plugin:
            stmt = stmt.where(Programme.plugin_name == plugin)
        return s.scalars(stmt).first()


def application(title: str, *, directions=("carrier",), start="2023-04-01", end="2023-12-31", tags=()) -> dict:
    """A complete, valid 共和新路 申报表."""
    return {
        "title": title,
        "directions": list(directions),
        "tags": list(tags),
        "background": "小区停车难、邻里议事渠道少，居民代表大会上多次提出希望改善。",
        "goals": "建立楼组议事会，形成停车公约，覆盖全部12个楼组。",
        "activities": "4月组建团队；5-6月召开议事会；7-9月试行公约；10月总结。",
        "team": "居委会主任牵头，楼组长6人，志愿者10人",
        "beneficiaries": "全体居民约2000人",
        "start_date": start,
        "end_date": end,
        "residents_meeting_date": "2023-02-20",
    }


def draft_project(platform: Platform, username: str, unit_code: str, track: str, title: str, *,
                  amount: str = "3000", directions=None, tenant: str = "jingan") -> int:
    """A complete 共和新路 application (form, one budget line, residents' minutes), not submitted."""
    import io

    from core.services import projects
    pid = programme_id(platform, tenant, plugin="gonghexinlu")
    directions = directions or (("carrier",) if track == "yiju_yipin" else ("public_space",))
    with acting(platform, tenant, username) as ctx:
        p = projects.create_project(ctx, pid, unit_id(platform, tenant, unit_code), track, title)
        projects.save_form(ctx, p.id, "application", application(title, directions=directions))
        projects.set_budget(ctx, p.id, [{"description": "活动物料", "amount": amount}])
        projects.attach(ctx, p.id, "residents_minutes", "会议记录.pdf", io.BytesIO(PDF), platform.storage)
        return p.id


def submitted_project(platform: Platform, username: str, unit_code: str, track: str, title: str, **kw) -> int:
    from core.services import projects
    pid = draft_project(platform, username, unit_code, track, title, **kw)
    with acting(platform, kw.get("tenant", "jingan"), username) as ctx:
        projects.submit(ctx, pid)
    return pid


def run_processes(target, args_per_process: list[tuple], timeout: float = 240) -> list:
    """Run ``target(*args, barrier, results)`` in one freshly spawned process per args tuple
    (nothing, no engine or connection, is inherited), all released together by the barrier;
    each puts one report on ``results``. Returns the reports; fails if one never comes."""
    import multiprocessing as mp
    import queue

    spawn = mp.get_context("spawn")
    barrier, results = spawn.Barrier(len(args_per_process)), spawn.Queue()
    workers = [spawn.Process(target=target, args=(*args, barrier, results)) for args in args_per_process]
    for w in workers:
        w.start()
    reports = []
    try:
        for _ in workers:
            reports.append(results.get(timeout=timeout))
    except queue.Empty:
        raise AssertionError(f"only {len(reports)} of {len(workers)} processes reported") from None
    finally:
        for w in workers:
            w.join(timeout=30)
            if w.is_alive():
                w.terminate()
    return reports
