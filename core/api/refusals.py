"""What each operation may refuse with, stated in the OpenAPI document.

A view declares the codes of the rules its service applies, by HTTP status::

    @refuses({403: "forbidden", 409: "not_editable", 422: "invalid_title unknown_track " + POLICY})

and ``RefusalsPlugin`` (an apispec plugin) turns that into one documented response per status,
each the ``Error`` schema with its ``code`` (and every ``errors[].code``) restricted to the codes
listed. To what a view declares it adds what every operation of its kind may answer, so no view
repeats it:

- 401 ``unauthenticated`` (a login is needed, or a token sent along does not resolve);
- 404 ``unknown_tenant`` under ``/t/{tenant}`` (``not_found`` for a slug no tenant could have),
  ``not_found`` where the URL names an object;
- 409 ``conflict`` for every change (two people changing the same row at once);
- 422 ``invalid_input`` (the operation's own schema refuses a field: the request does not match
  this document) and ``invalid_characters`` (NUL or unpaired surrogates) wherever there is input;
- the malformed-body codes of ``core.api.json_body`` (400, 413) and 415 for a body that is not
  JSON, wherever there is a JSON body; 413 ``too_large`` wherever there is a body;
- 400 ``idempotency_key_required`` where the operation records money and its ``key`` is missing
  (declared by the view with ``KEYED``);
- for a refusal with several problems, the summary code of its status (``invalid`` for 422 ...).

``POLICY`` stands for the codes the installed policies declare (``PolicyInfo.rule_codes``):
whatever the policy of a programme refuses, it refuses with one of them, citing its clause.
The fuzz test (tests/test_api_fuzz.py) holds the server to this: a refusal of input the
document calls valid must carry a code listed here for its status.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import flask_smorest
from apispec import BasePlugin

from core.api.base import INPUT_CODE
from core.api.json_body import CODES_400, CODES_413
from core.services.ledger import CLAIMS_RULE, RULES as LEDGER_RULES

KEY = "x-refusals"
POLICY = "@policy"
# An action outside the windows its policy's calendar gives it (core.services.calendar), or an
# override of one without its reason.
CALENDAR = "window_closed override_reason_required"
# A posting that would break one of the ledger's invariants (core.services.ledger.RULES), or
# take money held for another project's claim (CLAIMS_RULE).
LEDGER = " ".join(rule.code for rule in (*LEDGER_RULES, CLAIMS_RULE))
# What any posting to the ledger may be refused with: its invariants and its input's rules.
POSTING = (f"{LEDGER} invalid_amount invalid_idempotency_key invalid_memo reason_required project_outside_fund "
           "voucher_other_project")
# An operation that records money refuses a body without its idempotency key with a 400 naming
# the field (``core.door.fields.RequestKey``), listing whatever else the body breaks beside it.
KEYED = f"idempotency_key_required {INPUT_CODE}"
ERROR_REF = "#/components/schemas/Error"
SUMMARY_CODE = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
                409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid"}
REASONS = {400: "Malformed request", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
           409: "Conflicts with the current state", 413: "Too large", 415: "Unsupported content type",
           422: "Refused by a rule"}
_OBJECT_IN_PATH = re.compile(r"\{(?!tenant\})\w+\}")


def refuses(codes: dict[int, str]):
    """Declare the codes an operation's rules refuse with: ``{status: "code code ..."}``."""
    declared = {str(status): text.split() for status, text in codes.items()}
    return flask_smorest.Blueprint.doc(**{KEY: declared})


class RefusalsPlugin(BasePlugin):
    """Documents each operation's refusals (see the module's docstring)."""

    def __init__(self, policy_codes: Callable[[], Iterable[str]] = tuple):
        super().__init__()
        self.policy_codes = policy_codes

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if not isinstance(operation, dict):
                continue
            codes = self._codes(path or "", method, operation)
            responses = operation.setdefault("responses", {})
            for status in sorted(codes):
                listed = sorted(codes[status])
                responses[str(status)] = {
                    "description": f"{REASONS.get(status, 'Refused')}: " + ", ".join(f"`{c}`" for c in listed),
                    "content": {"application/json": {"schema": _error_schema(status, listed)}},
                }

    def _codes(self, path: str, method: str, operation: dict) -> dict[int, set[str]]:
        codes: dict[int, set[str]] = {}

        def add(status: int, names: Iterable[str]) -> None:
            codes.setdefault(status, set()).update(names)

        for status, names in operation.pop(KEY, {}).items():
            names = list(names)
            if POLICY in names:
                names.remove(POLICY)
                names += list(self.policy_codes())
            add(int(status), names)
        tenant_scoped = "{tenant}" in path
        if tenant_scoped or operation.get("security"):
            add(401, ["unauthenticated"])
        if tenant_scoped:  # a slug outside the slug syntax matches no URL at all: not_found
            add(404, ["unknown_tenant", "not_found"])
        if _OBJECT_IN_PATH.search(path):
            add(404, ["not_found"])
        body = (operation.get("requestBody") or {}).get("content", {})
        queried = any(p.get("in") == "query" for p in operation.get("parameters", []) if isinstance(p, dict))
        if body or queried:
            add(422, [INPUT_CODE, "invalid_characters"])
        if method in ("post", "put", "patch", "delete") and tenant_scoped:
            add(409, ["conflict"])
        if body:
            add(413, ["too_large"])
        if "application/json" in body:
            add(400, CODES_400)
            add(413, CODES_413)
            add(415, ["unsupported_media_type"])
        return codes


def _error_schema(status: int, codes: list[str]) -> dict:
    summary = SUMMARY_CODE.get(status)
    top = sorted(set(codes) | ({summary} if summary else set()))
    return {"allOf": [{"$ref": ERROR_REF}, {
        "type": "object",
        "properties": {
            "code": {"type": "string", "enum": top},
            "errors": {"type": "array", "items": {"type": "object", "properties": {
                "code": {"type": "string", "enum": codes}}}},
        },
    }]}
