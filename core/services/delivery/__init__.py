"""Carrying an approved project out: its plan, its activity records and its people registry,
and its progress as they show it (seven of a street's tools live here: the plan breakdown, the
activity book with its sign-in sheets and volunteer log, the people registry and the team's
registration forms).

One module per concept: ``common`` (who may see and record, which projects take records, what
the policies say: ``core.plugin_host.delivery_rules``), ``plan`` (tasks and revisions),
``activities`` (activity records, their files and participants), ``activity_changes`` (correcting
and deleting them, adding and removing their files), ``photos`` (pictures checked
and stripped), ``people`` (the registry, masking, consent, retention, exports) and ``progress``
(derived, never typed). Callers say ``delivery.plan.set_plan`` and so on.
"""
from core.services.delivery import activities, activity_changes, common, people, photos, plan, progress  # noqa: F401
