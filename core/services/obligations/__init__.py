"""Obligations (应交事项): what a programme's policies say falls due, the due items of each unit that
owes them, their reports, and the daily task that runs the year.

- ``declared``: the obligations the policies declare (``tongxin_obligations``), frozen per programme;
- ``daily``: the set-based day's work (open items, mark overdue, remind and escalate, once);
- ``items``: finding due items, who owes and who accepts each, as the permission table says;
- ``prefill``: what the platform knows for a report (the ledger's money; plan tasks and
  activities are added by the modules that keep them, through ``register``);
- ``reports``: writing, handing in, returning and accepting a report, version by version, and the
  通报 of a late unit.
"""
