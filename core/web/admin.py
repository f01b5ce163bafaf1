"""Administration for district and street offices: switching policies on per street
with their settings (the form is rendered from the plugin's own config schema), opening a
programme (only under a policy switched on at its unit), naming its review panel (from the
reviewers of its unit, below or above it), the audit log, and plugin faults and load errors."""
from __future__ import annotations

import datetime as dt
import io
import re

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from sqlalchemy import select

from core.i18n import T
from core.permissions import A
from core.documents import audit_log as audit_document
from core.models import PluginEnablement
from core.services import audit_log, audit_view, audit_words
from core.services import programmes as programme_service
from core.services.faults import recent_faults
from core.services.org import get_unit
from core.services.spreadsheets import XLSX_MIMETYPE
from core.violations import RuleError, Violation
from core.web import queries
from core.web.context import ctx, forbid_unless, int_arg, login_required
from core.web.forms import FormErrors, controls, read, split_errors
from core.web.templating import _t, tr

bp = Blueprint("admin", __name__, url_prefix="/t/<tenant>/admin")
AUDIT_PAGE = 30
NOT_ADMIN = T("只有区级或街道管理员可以使用管理功能", "Only district and street administrators may use administration")


@bp.app_template_filter("edition")
def edition(version: str | None) -> str:
    """A policy's version as an office names it: the year of the document it follows ("2023年版"
    for "2023.1"), not the package's version number."""
    found = re.match(r"(\d{4})\b", version or "")
    if found:
        return _t(f"{found.group(1)}年版", f"{found.group(1)} edition")
    return _t(f"版本 {version}", f"version {version}") if version else _t("版本未记录", "version not recorded")


def _require_admin():
    c = ctx()
    forbid_unless(c.can(A.programme_manage).allowed, NOT_ADMIN)
    return c


def _admin_units(c):
    """Units where the actor may enable policies: the levels the installed policies run at."""
    levels = tuple({p.info.programme_level for p in c.host.policies.values()} or {"street"})
    return queries.units_administered(c, kinds=levels)


@bp.get("/")
@login_required
def index():
    return _index_page(_require_admin(), {}, FormErrors())


def _index_page(c, open_values: dict, open_errors: FormErrors, status: int = 200):
    """The policies each administered unit has switched on, its programmes, and the opening
    form, which offers only the policies a programme may open under there (the service's rule,
    ``programme_service.openable``)."""
    units = _admin_units(c)
    unit_ids = [u.id for u in units]
    rows = c.session.scalars(select(PluginEnablement).where(PluginEnablement.org_unit_id.in_(unit_ids or [-1])))
    enabled = {(r.org_unit_id, r.plugin_name): r for r in rows}
    programmes = [p for p in programme_service.list_programmes(c) if p.org_unit_id in unit_ids]
    openable = programme_service.openable(c, units)
    return render_template("admin/index.html", units=units, policies=c.host.policies, enabled=enabled,
                           programmes=programmes, panels=queries.panels(c, [p.id for p in programmes]),
                           openable=openable, open_units=list({u.id: u for u, _ in openable}.values()),
                           open_values=open_values, open_errors=open_errors), status


@bp.route("/units/<int:unit_id>/plugins/<plugin_name>", methods=["GET", "POST"])
@login_required
def plugin_config(unit_id: int, plugin_name: str):
    c = _require_admin()
    unit = get_unit(c, unit_id, field="unit_id")
    forbid_unless(c.can(A.programme_manage, unit).allowed,
                  T(f"您不是「{unit.name}」的管理员", f"You do not administer {unit.name_en or unit.name}"))
    policy = c.host.policy(plugin_name)
    schema_cls = policy.info.config_schema
    current = programme_service.enablements(c, unit.id)
    row = next((r for r in current if r.plugin_name == plugin_name), None)
    values = dict(row.config) if row else policy.stored_config({})
    errors = FormErrors()
    status = 200
    if request.method == "POST":
        enable = request.form.get("action") != "disable"
        posted = read(schema_cls, request.form)
        try:
            config = posted if enable else (row.config if row else {})
            programme_service.enable_plugin(c, unit.id, plugin_name, config, enabled=enable)
            c.commit()
        except RuleError as err:
            c.session.rollback()
            values, status = posted, err.status
            errors = split_errors(err.violations, "config", [f for f in schema_cls().fields], c.locale)
        else:
            flash(_t(f"已{'启用并保存' if enable else '停用'}「{policy.info.title.zh}」在{unit.name}的设置。",
                     f"{policy.info.title.en} {'enabled and saved' if enable else 'disabled'} at {unit.name_en or unit.name}."),
                  "success")
            return redirect(url_for("web.admin.plugin_config", unit_id=unit.id, plugin_name=plugin_name))
    return render_template("admin/plugin_config.html", unit=unit, policy=policy, row=row,
                           controls=controls(schema_cls, values, errors, "cfg"), errors=errors), status


@bp.post("/programmes")
@login_required
def open_programme():
    c = _require_admin()
    values = {k: (request.form.get(k) or "").strip() for k in ("unit_id", "plugin_name", "year", "title")}
    try:
        year = int(values["year"]) if values["year"].isdigit() else None
        if year is None:
            raise RuleError(Violation("invalid_year", T("请填写年度，如 2024", "Enter a year, e.g. 2024"), field="year"))
        unit_id = int(values["unit_id"]) if values["unit_id"].isdigit() else -1
        programme = programme_service.open_programme(c, unit_id, values["plugin_name"], year, values["title"] or None)
        programme_id = programme.id
        c.commit()
    except RuleError as err:
        c.session.rollback()
        errors = split_errors(err.violations, "", ("unit_id", "plugin_name", "year", "title"), c.locale)
        return _index_page(c, values, errors, err.status)
    flash(_t("本年度项目已开设，本年度按开设时的政策设置执行。下一步：设置评审小组。",
             "The programme is open and keeps the policy settings of today for its year. Next: name the review panel."),
          "success")
    return redirect(url_for("web.admin.panel", programme_id=programme_id))


@bp.route("/programmes/<int:programme_id>/panel", methods=["GET", "POST"])
@login_required
def panel(programme_id: int):
    c = _require_admin()
    programme = programme_service.get_programme(c, programme_id)
    forbid_unless(c.can(A.programme_manage, programme.org_unit).allowed,
                  T("您不是该年度项目所属单位的管理员", "You do not administer this programme's unit"))
    members = programme_service.panel(c, programme.id)
    chosen = {m.user_id for m in members}
    chair = next((m.user_id for m in members if m.chair), None)
    errors = FormErrors()
    status = 200
    if request.method == "POST":
        chosen = {int(v) for v in request.form.getlist("user_ids") if v.isdigit()}
        raw_chair = request.form.get("chair_id") or ""
        chair = int(raw_chair) if raw_chair.isdigit() else None
        try:
            programme_service.set_panel(c, programme.id, sorted(chosen), chair)
            c.commit()
        except RuleError as err:
            c.session.rollback()
            status = err.status
            errors = split_errors(err.violations, "", ("user_ids", "chair_id"), c.locale)
        else:
            flash(_t("评审小组已保存。", "The review panel was saved."), "success")
            return redirect(url_for("web.admin.panel", programme_id=programme.id))
    return render_template("admin/panel.html", programme=programme, candidates=programme_service.panel_candidates(c, programme),
                           chosen=chosen, chair=chair, errors=errors), status


def _audit_filter(c) -> tuple[audit_log.AuditFilter, dict[str, str]]:
    """The page's filter from its query string, and a message for each value that is not one
    (beside its field; the value is then not applied)."""
    errors: dict[str, str] = {}

    def day(name: str):
        raw = (request.args.get(name) or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            errors[name] = _t("请选择日期，如 2023-03-15", "Choose a date, e.g. 2023-03-15")
            return None

    since, until = day("since"), day("until")
    try:
        audit_log.check_range(since, until)
    except RuleError as err:
        errors["until"] = err.violations[0].message.render(c.locale)
        until = None
    return audit_log.AuditFilter(entity=(request.args.get("kind") or "").strip() or None,
                                 unit_id=int_arg("unit"), actor_id=int_arg("person"),
                                 action=(request.args.get("action") or "").strip() or None,
                                 since=since, until=until), errors


@bp.get("/audit")
@login_required
def audit():
    c = _require_admin()
    page = int_arg("page", 1, minimum=1)
    filters, errors = _audit_filter(c)
    rows, total = audit_log.entries(c, filters, limit=AUDIT_PAGE, offset=(page - 1) * AUDIT_PAGE)
    views = audit_view.present(c, rows)
    choices = audit_log.choices(c)
    c.commit()  # the read itself is in the log
    registry = c.permissions.registry
    kinds = sorted(((e, tr(audit_words.thing(e))) for e in choices.entities), key=lambda k: k[1])
    actions = sorted(((a, tr(audit_words.action_label(a, registry))) for a in choices.actions), key=lambda a: a[1])
    return render_template("admin/audit.html", entries=views, total=total, page=page,
                           pages=max(1, -(-total // AUDIT_PAGE)), filters=filters, errors=errors, choices=choices,
                           kinds=kinds, actions=actions, args=request.args), 422 if errors else 200


@bp.get("/audit.xlsx")
@login_required
def audit_xlsx():
    c = _require_admin()
    filters, _ = _audit_filter(c)
    rows, total = audit_log.for_export(c, filters)
    data = audit_document.workbook(audit_view.present(c, rows), total, c.locale)
    c.commit()  # the export's own entry
    name = f"审计日志{c.clock.today():%Y%m%d}.xlsx" if c.locale != "en" else f"audit-log-{c.clock.today():%Y%m%d}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)


@bp.get("/faults")
@login_required
def faults():
    c = _require_admin()
    web = current_app.extensions["tongxin.web"]
    return render_template("admin/faults.html", faults=recent_faults(c), load_errors=c.host.load_errors,
                           blueprint_errors=web["blueprint_errors"])
