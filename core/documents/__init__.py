"""Documents: what people download, print or look at, built from what the services return, in
one place that the web UI and the API both serve.

- ``disclosure_report``: the residents' congress report of a unit's disclosure (.xlsx);
- ``money_report``: the district's money view per street and per fund (.xlsx);
- ``audit_log``: the audit log as its page shows it, for the reader's filter (.xlsx);
- ``money_chart``: the money view's chart, stacked bars per street drawn as inline SVG by the
  page's template (no script, no chart library).

A document takes a service's result (a ``UnitDisclosure``, a ``MoneyOverview``) and the
reader's language where it has words to show; it reads no database and checks no permission,
which the service did. Workbooks are laid out by ``core.services.spreadsheets`` (one table per
sheet, amounts exact to the fen).
"""
