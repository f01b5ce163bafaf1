"""Revision 0008_glossary renames stored words (docs/glossary.md): a fund request's budget item
description and its acceptance (state ``accepted``, ``accepted_by_id``/``accepted_at``), an
expense's voucher (``voucher_attachment_id``, attachment kind ``voucher``). Rows written under
the new words go back to the old ones on downgrade and return unchanged on upgrade, and the
ledger stays append-only through the table rebuild. Both profiles."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from werkzeug.datastructures import FileStorage

from core import migrate
from core.services import fund_requests
from tests.factories import PNG, acting, tenant_id
from tests.money_factories import approved_project, leaders

pytestmark = pytest.mark.usefixtures("in_implementation")

REQUESTS = "SELECT id, state, {item}, {by}, {at} FROM fund_requests ORDER BY id"
VOUCHERS = ("SELECT e.id, a.kind, a.filename FROM ledger_entries e JOIN attachments a ON a.id = e.{column} "
            "ORDER BY e.id")


def _world(platform) -> tuple[int, int]:
    """One request accepted into its batch, one paid out and spent with its voucher."""
    pid = approved_project(platform)
    leaders(platform)
    with acting(platform, "jingan", "luochuan") as ctx:
        paid = fund_requests.file_request(ctx, pid, amount="500", purpose="购买活动物料").id
        waiting = fund_requests.file_request(ctx, pid, amount="100", purpose="打印海报").id
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        batch = fund_requests.accept(ctx, paid).batch_id
    with acting(platform, "jingan", "fr_leader") as ctx:
        fund_requests.approve_batch(ctx, batch)
    with acting(platform, "jingan", "ghxl_admin") as ctx:
        fund_requests.disburse(ctx, paid)
        fund_requests.accept(ctx, waiting, month="2023-05")
    with acting(platform, "jingan", "luochuan") as ctx:
        fund_requests.record_expense(ctx, paid, amount="120", memo="绿植", voucher=FileStorage(io.BytesIO(PNG), "发票.png"),
                                     storage=platform.storage, key="glossary-1")
    return paid, waiting


def _read(platform, old: bool) -> tuple[list, list]:
    names = (dict(item="budget_line", by="checked_by_id", at="checked_at", column="receipt_attachment_id") if old else
             dict(item="budget_item_description", by="accepted_by_id", at="accepted_at", column="voucher_attachment_id"))
    with platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        return ([tuple(r) for r in s.execute(text(REQUESTS.format(**names)))],
                [tuple(r) for r in s.execute(text(VOUCHERS.format(**names)))])


def test_the_stored_words_go_back_and_return_unchanged(platform, settings):
    paid, waiting = _world(platform)
    requests, vouchers = _read(platform, old=False)
    states = {r[0]: r[1] for r in requests}
    assert (states[paid], states[waiting]) == ("disbursed", "accepted")
    assert [kind for _, kind, _ in vouchers] == ["voucher"]
    platform.db.dispose()

    migrate.downgrade(settings, "0007_stacked_policies")
    old_requests, old_vouchers = _read(platform, old=True)
    platform.db.dispose()
    assert old_requests == [r[:1] + (("checked",) if r[1] == "accepted" else r[1:2]) + r[2:] for r in requests]
    assert old_vouchers == [(e, "receipt", name) for e, _, name in vouchers]

    migrate.upgrade(settings)
    assert _read(platform, old=False) == (requests, vouchers)
    # The rebuilt ledger is still append-only (SQLite's triggers, PostgreSQL's), and the
    # state's check knows only the new word.
    with pytest.raises(DBAPIError), platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        s.execute(text("UPDATE ledger_entries SET memo = 'x'"))
    with pytest.raises(DBAPIError), platform.db.session(tenant_id=tenant_id(platform, "jingan")) as s:
        s.execute(text("UPDATE fund_requests SET state = 'checked' WHERE id = :id"), {"id": waiting})
