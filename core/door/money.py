"""Money: the operations on funds, monthly fund requests and their batches, sponsors and pledges
(file, supervise, check, refuse, disburse, spend, refund, approve a batch, allocate, transfer,
correct, register a sponsor, pledge, claim, receive).

Each schema here is what both the API (``core.api.fund_requests``, ``fund_request_batches``,
``funds``, ``sponsors``) and the web (``core.web.fund_requests``, ``money``, ``sponsors``) parse
their input with; each operation calls its service."""
from __future__ import annotations
