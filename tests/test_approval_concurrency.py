"""Caps hold under concurrent approvals: several processes, each with its own engine (as the
runtime role on PostgreSQL), decide micro-venture projects at the same moment through
``review.decide``, all drawn from 共和新路's pool. The pool's committed total never passes its
cap, exactly as many approvals as fit get through, and every refused decision explains itself
(the cap, what was committed, the request) and leaves its project under review with no
decision and no entry. The ledger-level version of this test is test_ledger_concurrency.py."""
from __future__ import annotations


from sqlalchemy import func, select

from core.models import Decision, LedgerEntry, Project
from core.services import ledger
from tests.factories import acting, run_processes, submitted_project, tenant_id, unit_id

YUAN = 100
ROOM = 10_000 * YUAN        # what is left in the pool when the panel meets
AMOUNT = 3_000 * YUAN       # each micro-venture project; three fit (9,000), the rest would overdraw
FITS = ROOM // AMOUNT
PROCESSES = 4
PER_PROCESS = 2


def _panel_chair(settings, tenant, project_ids, barrier, results) -> None:
    from core.models import User
    from core.platform import Platform
    from core.services import review
    from core.services.context import Actor, Ctx
    from core.violations import RuleError
    platform = Platform.build(settings)
    approved, refused, errors = [], [], []
    try:
        with platform.db.session(tenant_id=tenant) as s:
            actor = Actor.of(s.scalars(select(User).where(User.username == "ghxl_chair")).one())
        barrier.wait(timeout=60)
        for pid in project_ids:
            session = platform.db.session(tenant_id=tenant, actor_id=actor.id)
            ctx = Ctx(session=session, actor=actor, host=platform.host, settings=settings, tenant_id=tenant)
            try:
                review.decide(ctx, pid, "approved")
                ctx.commit()
                approved.append(pid)
            except RuleError as exc:
                session.rollback()
                refused.append((pid, [(v.code, v.field, v.message.zh) for v in exc.violations]))
            except Exception as exc:  # reported to the parent, which fails the test with it
                session.rollback()
                errors.append(repr(exc))
            finally:
                session.close()
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        platform.db.dispose()
        results.put((approved, refused, errors))


def test_concurrent_approvals_never_overdraw_the_pool_and_each_refusal_says_why(platform, settings):
    staff = [("luochuan", "ghxl-luochuan"), ("yanchang", "ghxl-yanchang")]
    projects = [submitted_project(platform, *staff[i % 2], "micro_venture", f"微项目{i}", amount="3000")
                for i in range(PROCESSES * PER_PROCESS)]
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        pool = ledger.list_funds(ctx, org_unit_id=unit_id(platform, "jingan", "gonghexinlu"), kind="pool")[0]
        pool_id, cap = pool.id, pool.cap_fen
        ledger.commit(ctx, pool.id, cap - ROOM, None, "earlier-approvals")
    tid = tenant_id(platform, "jingan")

    reports = run_processes(_panel_chair, [(settings, tid, projects[n * PER_PROCESS:(n + 1) * PER_PROCESS])
                                           for n in range(PROCESSES)])

    assert [e for _, _, errs in reports for e in errs] == []
    approved = [pid for ok, _, _ in reports for pid in ok]
    refused = [r for _, rs, _ in reports for r in rs]
    assert len(approved) + len(refused) == len(projects)
    assert len(approved) == FITS  # no overdraw, and no place lost to a spurious refusal

    with acting(platform, "jingan", "ghxl_admin") as ctx:
        assert ledger.balance(ctx, pool_id).committed == cap - ROOM + FITS * AMOUNT <= cap
        states = dict(ctx.session.execute(select(Project.id, Project.state).where(Project.id.in_(projects))).all())
        decided = set(ctx.session.scalars(select(Decision.project_id).where(Decision.project_id.in_(projects))))
        committed_to = set(ctx.session.scalars(select(LedgerEntry.project_id).where(LedgerEntry.project_id.in_(projects))))
        count = ctx.session.scalar(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.project_id.in_(projects)))
    assert {states[p] for p in approved} == {"approved"} and decided == committed_to == set(approved)
    assert count == FITS  # one commitment per approval, none for a refusal
    for pid, violations in refused:
        assert states[pid] == "submitted"
        by_code = {code: (field, zh) for code, field, zh in violations}
        field, zh = by_code["over_cap"]
        assert field == "approved_amount"
        assert "上限 200,000.00元" in zh and "已承诺 199,000.00元" in zh and "本次承诺（立项） 3,000.00元" in zh, zh
