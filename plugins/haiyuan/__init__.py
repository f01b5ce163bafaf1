"""海园居民区社区共治金 (静安寺街道, 静安区): sponsors pledge into the co-governance fund and claim projects.

Source: seed 002, the street's report 《海园共治金探索自治新模式》 (see ``clauses.DOC``). It describes a
practice in three "models", which the rules cite (``clauses``):

- **众筹资金模式 (the fund).** Co-building units twinned with the neighbourhood's party
  organisation (the Shanghai Hotel, Ping An Pension ...) set up a 社区共治金 of 300,000 yuan. In
  Tongxin the fund is one ``sponsor_fund`` per neighbourhood and year (``FundSpec`` key
  ``gongzhijin``, owner: the applicant neighbourhood), capped at ``fund_target_yuan`` (default
  300,000.00). Sponsors are registered with the neighbourhood (or the street); their pledges
  are recorded by ``core.services.pledges``, which refuses a year's pledges adding up to more
  than the cap.
- **认领项目模式 (claims).** Every year the council (同心家园共建理事会海园分会) announces the
  projects the neighbourhood has submitted; sponsors claim (认领) them and promise money or
  resources. A pledge may name the project it claims; the money it brings in is earmarked for
  that project once the project is approved (see ``core.services.pledges``). The fund is used
  for three things, which are the programme's tracks: 自治和大修等惠民实事项目 (``livelihood``),
  公益助学、助老、助残服务 (``care``, with the kind of aid as its directions) and 文化教育配送服务
  (``culture``).
- **经费使用模式 (spending).** The neighbourhood applies to the street *before* spending, stating
  purpose, beneficiaries and amount; the supervision committee checks regularly; the annual
  residents' congress hears the report. So fund requests must name their beneficiaries and
  (``supervision_required``, default on) be checked by a ``supervisor`` before the street
  office batches them (``tongxin_fund_requests``).

The programme belongs to the street (``programme_level="street"``): the street enables the
plugin and opens the year's programme; its neighbourhoods apply; the street's panel decides.

**Money.** An approved project draws its approved amount from its neighbourhood's 共治金, less
whatever sponsors' claimed receipts have already committed to it (``tongxin_funding``). The
draw is never trimmed to what happens to be available: if sponsors have not paid in enough yet,
the ledger refuses the approval with "资金不足" and the panel sees that the fund lacks money
(approve a smaller amount, or wait for the money).

**The year** (the seed gives no dates; these are the defaults a street office would expect and
may change): applications 1 January to 30 April (``application_opens``/``application_closes``);
the council meeting on 20 May (``council_meeting``), after the window, because it announces
the projects already submitted; spending, applied for first and supervised, from the day after
the meeting to 30 November; the residents' congress hears the report in December.

**Forms.** One application (共治金项目申请表): what the money is for, who benefits, the plan, and
what the neighbourhood hopes sponsors will bring (read out at the council meeting); the aid
track also asks which kind of aid. The budget (amounts) is core's budget editor.

**Rules.** Submitting needs a budget above 0 yuan (the application must state the amount) and
no more than the whole fund's target. Everything else about money (the cap, pledges, receipts,
commitments) is enforced by core's ledger and pledge services, citing ``clauses.FUND``.
"""
