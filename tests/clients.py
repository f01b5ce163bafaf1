"""Driving the app through Flask's test client, as its users do: the REST API with bearer tokens,
the web UI as a person with a browser, and counting the SQL statements a request costs. Building
the data they act on is tests/factories.py."""
from __future__ import annotations

import contextlib
import io
import re
import uuid

from sqlalchemy import event

from tests.factories import APPLICATION_DAY, PASSWORD, PDF, application, on_day

# -- the REST API ------------------------------------------------------------------------------------

API = "/api/v1"
CJK = re.compile(r"[\u4e00-\u9fff]")


def login(client, username: str, tenant: str = "jingan") -> dict:
    r = client.post(f"{API}/t/{tenant}/auth/token", json={"username": username, "password": PASSWORD, "name": "tests"})
    assert r.status_code == 201, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def url(path: str, tenant: str = "jingan") -> str:
    return f"{API}/t/{tenant}{path}"


def keyed(body: dict | None) -> dict:
    """``body`` with an idempotency key, as a client sends with every request that records money
    (a fresh one, unless the body names its own)."""
    return {"key": f"tests-{uuid.uuid4().hex}", **(body or {})}


def form_key(html: str) -> str:
    """The idempotency key the first form of ``html`` that records money carries (hidden)."""
    match = re.search(r'<input type="hidden" name="key" value="([^"]+)">', html)
    assert match, "no form with an idempotency key"
    return match.group(1)


def programme(client) -> int:
    return client.get(url("/programmes")).get_json()["items"][0]["id"]


def unit(client, code: str, tenant: str = "jingan") -> int:
    def walk(nodes):
        for n in nodes:
            if n["code"] == code:
                return n["id"]
            found = walk(n["children"])
            if found:
                return found
        return None
    return walk(client.get(url("/org-units", tenant)).get_json()["items"])


def is_error(r, status: int | None = None, code: str | None = None) -> dict:
    """The one error shape, in Chinese, with every violation in Chinese too."""
    body = r.get_json()
    assert body is not None, (r.status_code, r.data[:300])
    if status is not None:
        assert r.status_code == status, body
    assert 400 <= r.status_code < 600, body
    assert set(body) == {"code", "message", "errors"}, body
    assert body["errors"] and CJK.search(body["message"]), body
    assert all(CJK.search(e["message"]) for e in body["errors"]), body
    if code is not None:
        assert code == body["code"] or code in {e["code"] for e in body["errors"]}, body
    return body


def draft(client, headers, *, track="micro_venture", title="口袋花园", amount="3000", unit_code="ghxl-luochuan",
          attach=True, directions=None, form=True) -> int:
    """A complete draft through the API (forms, budget, the residents' minutes), made on the
    application day whatever day the test has moved to."""
    with on_day(APPLICATION_DAY):
        return _draft(client, headers, track=track, title=title, amount=amount, unit_code=unit_code, attach=attach,
                      directions=directions, form=form)


def _draft(client, headers, *, track, title, amount, unit_code, attach, directions, form) -> int:
    directions = directions or (("carrier",) if track == "yiju_yipin" else ("public_space",))
    r = client.post(url("/projects"), headers=headers, json={
        "programme_id": programme(client), "applicant_unit_id": unit(client, unit_code), "track": track, "title": title})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["id"]
    if form:
        r = client.put(url(f"/projects/{pid}/forms/application"), headers=headers,
                       json=application(title, directions=directions))
        assert r.status_code == 200, r.get_json()
    r = client.put(url(f"/projects/{pid}/budget"), headers=headers,
                   json={"items": [{"description": "活动物料", "amount": amount}]})
    assert r.status_code == 200, r.get_json()
    if attach:
        r = client.post(url(f"/projects/{pid}/attachments"), headers=headers,
                        data={"kind": "residents_minutes", "file": (io.BytesIO(PDF), "会议记录.pdf")})
        assert r.status_code == 201, r.get_json()
    return pid


# -- the web UI --------------------------------------------------------------------------------------

class Web:
    """A person with a browser: signs in, follows forms and sends their CSRF token."""

    def __init__(self, client, tenant: str = "jingan"):
        self.client, self.tenant = client, tenant

    def url(self, path: str) -> str:
        return f"/t/{self.tenant}{path}"

    def token(self) -> str:
        for path in ("/", "/login"):  # signed in, the header's sign-out form carries it; else the login form
            page = self.client.get(self.url(path))
            match = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError("no page offered a CSRF field")

    def get(self, path: str, **kw):
        return self.client.get(self.url(path), **kw)

    def post(self, path: str, data=None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token())
        return self.client.post(self.url(path), data=data, **kw)

    def login(self, username: str, password: str = PASSWORD):
        r = self.post("/login", {"username": username, "password": password})
        assert r.status_code == 302, r.get_data(as_text=True)
        return r

    def logout(self):
        return self.post("/logout")


def text(response) -> str:
    return response.get_data(as_text=True)


# -- SQL statements -----------------------------------------------------------------------------------

@contextlib.contextmanager
def counting(engine):
    """The SQL statements ``engine`` issues inside the block (a list, filled as they go)."""
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _count)
