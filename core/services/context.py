"""Who is acting, for which tenant, with what: passed to every service call."""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from core.clock import Clock, clock_of
from core.config import Settings
from core.i18n import T, Text
from core.models import User
from core.permissions import Action, Decision, PermissionTable, can, require, where
from core.plugin_host.manager import PluginHost
from core.violations import RuleError, Violation


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str
    unit_kind: str


@dataclass
class Actor:
    """The person acting (None for an anonymous visitor) and their roles.

    A role held at a unit reaches every unit below it: a street admin of a street administers
    each of its neighbourhoods. What each role may do is not decided here but by the permission
    table (``core.permissions``); ask ``ctx.can(action, obj)``."""

    user: User | None
    grants: tuple[Grant, ...] = ()

    @classmethod
    def anonymous(cls) -> "Actor":
        return cls(None, ())

    @classmethod
    def of(cls, user: User) -> "Actor":
        grants = tuple(Grant(m.role, m.org_unit_id, m.org_unit.path, m.org_unit.kind) for m in user.memberships)
        return cls(user, grants)

    @property
    def id(self) -> int | None:
        return self.user.id if self.user else None

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None


@dataclass
class Ctx:
    """One unit of work: a tenant-bound session, the actor, the plugin host and settings.

    ``after_commit`` collects work (tasks) to run only once the data it needs is committed.
    ``clock`` is the platform's clock, which the session carries (``core.clock``)."""

    session: Session
    actor: Actor
    host: PluginHost
    settings: Settings
    tenant_id: int
    locale: str = "zh"
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def clock(self) -> Clock:
        """Today and now for this unit of work: what every stamp and deadline is read from."""
        return clock_of(self.session)

    @property
    def permissions(self) -> PermissionTable:
        """The permission table of this host: core's rows plus the loaded plugins'."""
        return getattr(self.host, "permissions", None) or PermissionTable.core()

    def can(self, action: Action, obj: Any = None) -> Decision:
        """May the actor take ``action`` on ``obj``? (``core.permissions.can``)"""
        return can(self.actor, action, obj, table=self.permissions, session=self.session)

    def require(self, action: Action, obj: Any = None, message: Text | None = None) -> Decision:
        """``can``, or ``Forbidden`` with ``message`` (default: the table's reason)."""
        return require(self.actor, action, obj, table=self.permissions, message=message, session=self.session)

    def where(self, action: Action, **columns) -> ColumnElement[bool]:
        """The SQL condition for a list of objects the actor may take ``action`` on."""
        return where(self.actor, action, table=self.permissions, session=self.session, **columns)

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after_commit.append(fn)

    def commit(self) -> None:
        self.session.commit()
        pending, self._after_commit = self._after_commit, []
        for fn in pending:
            fn()

    @contextlib.contextmanager
    def action(self, name: str):
        """Name the audited action for the changes flushed inside the block.

        Two requests racing on the same row end here as a clear 409, not a 500: a stale
        version (optimistic locking) or a unique constraint that the other request won."""
        previous = self.session.info.get("audit_action")
        self.session.info["audit_action"] = name
        try:
            yield
            self.session.flush()
        except StaleDataError as exc:
            raise RuleError(Violation("conflict", T("该记录刚被他人修改，请刷新后重试", "Someone else just changed this; reload and try again")),
                            status=409) from exc
        except IntegrityError as exc:
            raise RuleError(Violation("conflict", T("与已有记录冲突（可能重复提交），请刷新后重试", "This conflicts with an existing record (a duplicate?); reload and try again")),
                            status=409) from exc
        finally:
            self.session.info["audit_action"] = previous
            self.session.info.pop("audit_note", None)  # said of this action only
