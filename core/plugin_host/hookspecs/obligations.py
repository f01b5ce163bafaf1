"""What falls due under a policy, and when: reports, visits, self-assessments and summaries.
See the package doc (``core.plugin_host.hookspecs``) for the contract."""
from __future__ import annotations

from core.plugin_host.markers import hookspec
from core.plugin_host.obligations import Obligation


@hookspec(firstresult=True)
def tongxin_obligations(config: dict) -> list[Obligation]:
    """The obligations (应交事项) of a programme under this config, as named ``Obligation``s:
    a key, a label and the clause that asks for it; who owes it (each approved project's
    applicant, the unit above the applicants for all its pilots, the programme's own unit per
    project, or the owner of each of the policy's funds); a rule giving the due dates of the
    programme year (``AfterQuarter``, ``MonthlyBy``, ``OnDays``); the report form (a marshmallow
    schema, validated, rendered and prefilled as the other forms are: a field's ``prefill``
    metadata names what the platform knows, such as ``money.spent_fen``); how many days before
    the due date its owers are reminded; the escalation chain when it is late (``Escalation``:
    days after the due date, roles, level up the org tree); and the level whose administrators
    accept the report. Core freezes them the first time the daily task meets the programme, opens
    one due item per period for each one who owes it, reminds, marks overdue and escalates, and
    never sends the same notice twice. Policies stack: the obligations of every policy that
    applies to a programme add up, each citing its own clause (an inherited policy's without
    one cites its source). Return [] for a policy that asks for none.

    Example::

        class QuarterlyReport(Schema):
            progress = fields.String(required=True, metadata={"label": T("本季度实施情况", "Progress")})

        @hookimpl
        def tongxin_obligations(config):
            return [Obligation(
                "quarterly_report", T("项目实施情况季报", "Quarterly report"), owed_by="applicant",
                due=AfterQuarter(quarters=(2, 3, 4), days_after=config["report_days"]), form=QuarterlyReport,
                clause=T("实施方案 五（二）：每季度报送一次", "Plan §5(2): a report every quarter"),
                remind_days_before=7, remind_roles=("project_member", "neighbourhood_staff"),
                escalation=(Escalation(1, ("neighbourhood_staff",), "neighbourhood"),
                            Escalation(7, ("street_admin",), "street")),
                accepted_by="street")]
    """
