"""Where the money comes from: a policy's funds, the draws of an approval, and the rules of monthly
fund requests. See the package doc (``core.plugin_host.hookspecs``) for the contract."""
from __future__ import annotations

from core.plugin_host.contributions import Draw, FundRequestRules, FundSpec
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.plugin_host.markers import hookspec


@hookspec(firstresult=True)
def tongxin_funds(config: dict) -> list[FundSpec]:
    """The funds the policy's projects draw on, as ``FundSpec``s: kind, whose fund it is
    relative to a project (the programme's unit, the applicant, the applicant's parent), its
    name and its cap from ``config``, and the clauses cited when a commitment is refused:
    ``cap_clause`` beyond the cap, ``allocation_clause`` beyond the money allocated (``clause``
    stands in for either). Core finds or creates the real fund per owner unit and
    programme year the first time one is needed, and lets the street allocate money into it;
    every commitment is then checked against the fund's cap and allocations under a lock.
    Return [] for a policy that handles no money. Funds stay each policy's own: a policy
    inherited from a unit above (a district's) names its funds with its own keys, which core
    keeps apart from the programme's own policy's (as ``"<policy>.<key>"``), and only funds
    that some draw needs are created for it.

    Example::

        @hookimpl
        def tongxin_funds(config):
            return [
                FundSpec("line", "budget_line", "applicant", T("居民自治经费", "Self-governance line")),
                FundSpec("pool", "pool", "programme", T("自治项目资金池", "Project fund pool"),
                         cap_fen=yuan_to_fen(config["pool_cap_yuan"]),
                         cap_clause=T("实施方案 七：资金池年度一般不超过20万元", "Plan §7: pool at most 200,000 a year"),
                         allocation_clause=T("实施方案 七：按需划拨", "Plan §7: paid in as needed")),
            ]
    """


@hookspec(firstresult=True)
def tongxin_funding(project: ProjectFacts, config: dict, context: RuleContext) -> list[Draw]:
    """Where an approved project's money comes from: a list of ``Draw``s (fund key, fen),
    called when the decision is recorded, with ``project.approved_fen`` and
    ``project.decision_details`` set and the project's funds locked (so
    ``context.fund_available`` holds until the commitments are written). Core commits each
    draw in the decision's transaction: if any fund refuses (over its cap, not enough
    allocated), the decision is refused with that reason and nothing is written. The draws
    may add up to less than the approved amount (the rest comes from sources recorded as
    pledges, e.g. a town's own contribution), never to more: the decision records the rest
    as the sponsors' claims of the project and then as the policy's first co-governance fund
    (``sponsor_fund``), so its sources always add up to the approved amount
    (``core.services.funding``). ``context.fund_committed`` counts what claims hold for the
    project, which the approval turns into its commitment. Where policies stack, those
    inherited from units above are asked first (from the top of the tree down) and the
    programme's own policy last; each is given, as ``project.approved_fen``, the part of the
    approval the policies asked before it left open, so draws never add up to more than the
    approval. An inherited policy should draw only what the decision names for it (e.g. a
    district's foundation grant), leaving the rest to the programme's own policy.

    Example::

        @hookimpl
        def tongxin_funding(project, config, context):
            if project.track == "micro":
                return [Draw("pool", project.approved_fen)]
            from_line = min(project.approved_fen, context.fund_available(project, "line"))
            rest = project.approved_fen - from_line   # approved by the panel as "over_line"
            return [Draw("line", from_line)] + ([Draw("pool", rest)] if rest else [])
    """


@hookspec(firstresult=True)
def tongxin_fund_requests(config: dict) -> FundRequestRules | None:
    """How monthly fund requests (资金申请) work under this policy, beyond core's own checks
    (an approved project, within its committed budget and its budget items, one disbursement per
    request, a leader's authority limit on the month's batch): whether each request must name
    its beneficiaries and whether the supervision committee checks it before the street
    office batches it. None: core's checks only.

    Example::

        @hookimpl
        def tongxin_fund_requests(config):
            return FundRequestRules(beneficiaries_required=True, supervision=True,
                                    clause=T("经费使用须事先申请并经监督委员会监督",
                                             "Spending is applied for first and supervised"))
    """
