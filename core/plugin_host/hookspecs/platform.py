"""What a policy adds to the platform: permission rows, pages, its own tables and sections of the
project page. See the package doc (``core.plugin_host.hookspecs``) for the contract."""
from __future__ import annotations

from core.plugin_host.contributions import (Allow, AttachmentKind, Choice, Criterion, Draw, EndorsementStep,
                                            FormSpec, FundRequestRules, FundSpec, Panel, PermissionRule,
                                            Permissions, Phase, PolicyInfo, Track)
from core.plugin_host.facts import ProjectFacts, RuleContext
from core.plugin_host.markers import hookimpl, hookspec
from core.violations import Violation


@hookspec(firstresult=True)
def tongxin_permissions() -> Permissions | None:
    """Extend the permission table (``core.permissions``; rendered in docs/permissions.md), as
    CKAN's ``IAuthFunctions`` extends ``check_access``: declare the plugin's own actions (keys
    start with the plugin's name) and the rows saying which role may take them, and in which
    scope. Called once, when the host loads the plugin; an unknown role, scope or action (a
    misspelling) keeps the plugin out and is listed in ``PluginHost.load_errors``. Rows hold in
    every tenant where the plugin is installed; core's service guards, web buttons and API
    ``actions`` all ask the same table, so a row is all a plugin writes.

    Example::

        VISIT = Action("riverside.visit", T("走访记录", "record a home visit"))

        @hookimpl
        def tongxin_permissions():
            return Permissions(actions=(VISIT,), rules=(
                PermissionRule("neighbourhood_staff", VISIT, "below"),
                PermissionRule("supervisor", VISIT, "below", T("监督委员会也可走访", "supervisors visit too")),
            ))
    """


@hookspec(firstresult=True)
def tongxin_blueprints() -> list:
    """Flask blueprints with the plugin's own pages (and templates). Core mounts each under
    ``/t/<tenant>/p/<plugin name>/`` and only serves it where the plugin is enabled.

    Example::

        guide = Blueprint("riverside", __name__, template_folder="templates")

        @guide.get("/guide")
        def guide_page():
            return render_template("riverside/guide.html")

        @hookimpl
        def tongxin_blueprints():
            return [guide]
    """


@hookspec(firstresult=True)
def tongxin_migration_dirs() -> list[str]:
    """Directories of Alembic revisions for the plugin's own tables: one branch per plugin,
    whose first revision has ``down_revision = None``, ``branch_labels = ("<plugin name>",)``
    and ``depends_on`` a core revision; tenant-owned tables get row-level security from
    ``core.plugin_host.migration_helpers.enable_tenant_rls``.

    Example::

        @hookimpl
        def tongxin_migration_dirs():
            return [str(Path(__file__).parent / "migrations")]   # [] for a plugin without tables
    """


@hookspec
def tongxin_project_panels(project: ProjectFacts, config: dict, ctx, record) -> list[Panel]:
    """Sections of the project page, for a project of your programme: ``Panel``s (a template
    among your blueprints' templates, the data it reads as ``panel.data``, an ``order``; core's
    own sections use 30 to 80), or []. Answer from ``project`` and ``config``, as rules do. Core's
    sections (money, fund requests, claims, disclosure) answer this hook too, as a built-in
    plugin (``core.plugin_host.builtins``) reading ``ctx`` (the request's) and ``record`` (the
    stored project); a section that fails is left out, recorded for the administrators.

    Example::

        @hookimpl
        def tongxin_project_panels(project, config):
            if project.track != "signature" or project.state != "approved":
                return []
            return [Panel("riverside/_signature.html", {"line": config["signature_line_yuan"]}, order=60)]
    """

__all__ = [
    "hookimpl", "hookspec", "Allow", "AttachmentKind", "EndorsementStep", "Choice", "Criterion", "FormSpec", "Phase",
    "PolicyInfo", "Track", "FundSpec", "Draw", "FundRequestRules", "Panel", "PermissionRule", "Permissions", "ProjectFacts", "RuleContext", "Violation",
]
