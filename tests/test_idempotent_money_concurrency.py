"""Ten identical requests at the same moment record once (issue 15, item 4: "10 concurrent identical
requests made 10 requests"; docs/reliability.md "Idempotent money actions"). Threads post through
the real API (the app's WSGI stack, its engine and pool) to the real PostgreSQL as the runtime role
with row-level security (the production profile): a fund request, an expense with its voucher, a
refund, a pledge and a receipt, each ten times under one key at once. Every answer is the one
object recorded; the duplicates found are counted (the test command's ``duplicates``, which must be
0). The same key raced into two projects meets the unique constraint itself and is a 409."""
from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import func, select, text

from core.models import FundRequest, LedgerEntry, Pledge
from core.services import fund_requests
from core.violations import RuleError
from tests import figures
from tests.clients import login, url
from tests.factories import PNG, T, acting
from tests.money_factories import approved_project, disbursed, fund_id, record, sponsor_id

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("in_implementation")]

AT_ONCE = 10
SPONSORS = f"/api/v1/t/{T}/sponsors"


def at_once(app, headers: dict, path: str, body: dict, multipart: bool = False) -> list[tuple[int, dict]]:
    """``AT_ONCE`` threads, each with its own client, post ``body`` to ``path`` as one moment."""
    barrier, answers, lock = threading.Barrier(AT_ONCE), [], threading.Lock()

    def one() -> None:
        client = app.test_client()
        barrier.wait(timeout=60)
        if multipart:
            r = client.post(path, headers=headers, data={**body, "voucher": (io.BytesIO(PNG), "发票.png")})
        else:
            r = client.post(path, headers=headers, json=body)
        with lock:
            answers.append((r.status_code, r.get_json()))

    threads = [threading.Thread(target=one) for _ in range(AT_ONCE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(answers) == AT_ONCE
    return answers


def recorded(platform, stmt) -> int:
    with acting(platform, "jingan", None) as ctx:
        return ctx.session.scalar(stmt)


def once(platform, answers, stmt, before: int, ident) -> None:
    """Every answer is the first's (201, the same object), and one record was made: the rest are
    counted as duplicates."""
    rows = recorded(platform, stmt) - before
    duplicates = max(rows - 1, 0)
    figures.record("duplicates", duplicates)
    assert {status for status, _ in answers} == {201}, answers
    assert len({ident(body) for _, body in answers}) == 1, answers
    assert duplicates == 0 and rows == 1


def test_ten_identical_fund_requests_at_once_file_one(app, client, platform):
    pid = approved_project(platform)
    stmt = select(func.count()).select_from(FundRequest).where(FundRequest.project_id == pid)
    body = {"project_id": pid, "amount": "1500", "purpose": "购买活动物料", "key": "at-once-request"}
    answers = at_once(app, login(client, "luochuan"), url("/fund-requests"), body)
    once(platform, answers, stmt, 0, lambda b: b["id"])


def test_ten_identical_expenses_and_refunds_at_once_record_one_each(app, client, platform):
    rid = disbursed(platform, approved_project(platform), amount="1000")
    headers = login(client, "luochuan")
    for kind, path, body, multipart in (
            ("expense", f"/fund-requests/{rid}/expenses", {"amount": "300", "memo": "绿植", "key": "at-once-spend"}, True),
            ("refund", f"/fund-requests/{rid}/refunds", {"amount": "200", "memo": "结余", "key": "at-once-refund"}, False)):
        stmt = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.fund_request_id == rid,
                                                                   LedgerEntry.kind == kind)
        answers = at_once(app, headers, url(path), body, multipart)
        once(platform, answers, stmt, 0, lambda b: tuple(e["id"] for e in b["entries"]))
    with acting(platform, "jingan", None) as ctx:
        money = fund_requests.request_money(ctx, next(iter(
            ctx.session.scalars(select(FundRequest.project_id).where(FundRequest.id == rid)))))[rid]
    assert (money.spent_total, money.disbursed_total) == (30_000, 80_000)


def test_ten_identical_pledges_and_receipts_at_once_record_one_each(app, client, platform):
    headers = login(client, "haiyuan")
    sponsor = sponsor_id(platform, "平安养老保险")
    pledges = select(func.count()).select_from(Pledge).where(Pledge.sponsor_id == sponsor)
    before = recorded(platform, pledges)
    body = {"sponsor_id": sponsor, "fund_id": fund_id(platform), "amount": "2000", "occasion": "理事会",
            "key": "at-once-pledge"}
    answers = at_once(app, headers, f"{SPONSORS}/pledges", body)
    once(platform, answers, pledges, before, lambda b: b["id"])

    pledge = record(platform, "haiyuan", "上海宾馆", "5000", key="at-once-promise")
    receipts = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.pledge_id == pledge,
                                                                   LedgerEntry.kind == "allocation")
    answers = at_once(app, headers, f"{SPONSORS}/pledges/{pledge}/receipts",
                      {"amount": "1000", "memo": "银行到账", "key": "at-once-receipt"})
    once(platform, answers, receipts, 0, lambda b: repr(b))


def test_the_same_key_raced_into_two_projects_meets_the_unique_constraint(platform):
    """The key is checked under one project's lock; the same key filed at the same moment for
    another project passes that check and meets the unique (tenant, key) index instead: it
    waits for the first, then is refused with a 409 and its reason, not a 500 and not a second
    request."""
    first_project = approved_project(platform)
    other_project = approved_project(platform, title="楼道微更新")
    outcome: dict = {}
    with acting(platform, "jingan", "luochuan") as first:
        fund_requests.file_request(first, first_project, amount="100", purpose="物料", key="raced")  # not yet committed
        second_pid: list[int] = []

        def second() -> None:
            try:
                with acting(platform, "jingan", "luochuan") as ctx:
                    second_pid.append(ctx.session.scalar(text("SELECT pg_backend_pid()")))
                    fund_requests.file_request(ctx, other_project, amount="100", purpose="物料", key="raced")
            except RuleError as exc:
                outcome["error"] = exc

        thread = threading.Thread(target=second)
        thread.start()
        # Commit the first only once the second waits on the key's entry in the unique index.
        with platform.db.engine.connect() as watcher:
            while True:
                waiting = watcher.execute(text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                                          {"pid": second_pid[0] if second_pid else 0}).scalar()
                if waiting == "Lock":
                    break
                thread.join(timeout=0.05)
                assert thread.is_alive(), outcome
    thread.join(timeout=60)
    error = outcome["error"]
    assert [v.code for v in error.violations] == ["idempotency_conflict"] and error.status == 409
    assert "请求编号「raced」已用于另一笔内容不同的资金申请" in error.violations[0].message.zh
    rows = recorded(platform, select(func.count()).select_from(FundRequest).where(FundRequest.idempotency_key == "raced"))
    figures.record("duplicates", max(rows - 1, 0))
    assert rows == 1
