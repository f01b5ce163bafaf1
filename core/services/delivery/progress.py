"""How far a project has come, derived from what was recorded and never typed in: the plan's
tasks done out of those still in the plan, the money spent against the money committed (the
ledger's ``project_balances``), the activities held, the people who took part and the hours
volunteers gave. A percentage typed into a report can be anything; this one is what the records
say, and it changes when they do."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from core.models import PersonRole, Project, RegistryPerson, TaskStatus
from core.services import ledger
from core.services.context import Ctx
from core.services.delivery.activities import totals as activity_totals
from core.services.delivery.plan import counts as task_counts


@dataclass(frozen=True)
class Progress:
    tasks: int            # in the plan, dropped ones left out
    tasks_done: int
    tasks_in_progress: int
    tasks_dropped: int
    committed_fen: int
    disbursed_fen: int
    spent_fen: int
    activities: int
    public_activities: int
    participants: int     # counted at the activities, everyone who came
    volunteer_tenths: int
    people: dict          # {role: number registered}

    @property
    def tasks_percent(self) -> int | None:
        return round(100 * self.tasks_done / self.tasks) if self.tasks else None

    @property
    def spent_percent(self) -> int | None:
        return round(100 * self.spent_fen / self.committed_fen) if self.committed_fen else None


def progress(ctx: Ctx, project: Project) -> Progress:
    """The project's progress (the caller has checked the actor may see its records)."""
    counts = task_counts(ctx, project.id)
    dropped = counts.get(TaskStatus.dropped.value, 0)
    balances = ledger.project_balances(ctx, project.id).values()
    held, public, participants, tenths = activity_totals(ctx, project.id)
    people = dict(ctx.session.execute(select(RegistryPerson.role, func.count()).where(RegistryPerson.project_id == project.id)
                                      .group_by(RegistryPerson.role)).all())
    return Progress(
        tasks=sum(counts.values()) - dropped, tasks_done=counts.get(TaskStatus.done.value, 0),
        tasks_in_progress=counts.get(TaskStatus.in_progress.value, 0), tasks_dropped=dropped,
        committed_fen=sum(b.committed for b in balances), disbursed_fen=sum(b.disbursed for b in balances),
        spent_fen=sum(b.spent for b in balances), activities=held, public_activities=public,
        participants=participants, volunteer_tenths=tenths,
        people={r.value: int(people.get(r.value, 0)) for r in PersonRole})
