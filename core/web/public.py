"""Pages anyone may read: the directory of hosted tenants and each tenant's public home with
its programmes and approved (published) projects."""
from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from core import request_context
from core.models import ProjectState, Tenant
from core.services import programmes as programme_service
from core.services.projects import list_projects
from core.web.context import ctx, int_arg
from core.web.presenters import programme_view

bp = Blueprint("public", __name__)
PAGE = 20


@bp.get("/")
def directory():
    tenants = list(ctx().session.scalars(select(Tenant).order_by(Tenant.id)))
    return render_template("pages/directory.html", tenants=tenants)


@bp.get("/t/<tenant>/")
def home():
    c = ctx()
    page = int_arg("page", 1, minimum=1)
    # A programme whose policy plugin is no longer installed cannot be shown with its phases;
    # the home page lists the others rather than failing for everyone.
    programmes = [p for p in programme_service.list_programmes(c) if p.plugin_name in c.host.policies]
    views = {p.id: programme_view(c, p) for p in programmes}
    rows, total = list_projects(c, state=ProjectState.approved.value, limit=PAGE, offset=(page - 1) * PAGE)
    return render_template("pages/tenant_home.html", programmes=programmes, views=views, projects=rows,
                           total=total, page=page, pages=max(1, -(-total // PAGE)),
                           tenant_obj=request_context.tenant())
