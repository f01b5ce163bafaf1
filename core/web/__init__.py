"""Server-rendered zh-CN web UI (Jinja2, English via ``?lang=en``).

Pages are grouped by concern, one blueprint each, nested under one ``web`` blueprint:
``public`` (tenant directory, tenant home), ``auth`` (sign in/out), ``overview`` (district,
street, my projects), ``programmes``, ``projects`` (forms rendered from the plugin's schemas,
budget, attachments, submission), ``endorsement`` (a town's stamp before the panel, change
requests on approved projects), ``review`` (scores and decisions), ``admin`` (plugins and
their config, programmes, panels, audit log, faults) and ``inbox`` (every role's to-dos and
messages, with their count in each page's header, and handing a role over). Policy plugins' own pages are mounted
by ``plugin_pages``. The project page (``project_page``) gathers its sections through the
``tongxin_project_panels`` hook, core's own from the built-in plugin ``project_panels`` that
``init_app`` registers on the host. ``supervision`` (visits, rectifications, commissioned
organisations) and ``archive`` (a project's archive and its close-out) have pages of their own,
reached from the project page's sections (``supervision_panels``); ``tokens`` lists a user's API tokens. Every POST carries a CSRF token (``csrf``); errors become
pages (``errors``); templates get ``_t``/``locale`` and filters from ``templating``.

Every asset (CSS, JS, the logo) ships in ``static/``: users' networks may be closed, so there
is no CDN.
"""
from __future__ import annotations

from flask import Blueprint, Flask, request, session

from core.i18n import SUPPORTED


def init_app(app: Flask) -> None:
    from core.web import (
        account,
        admin,
        auth,
        csrf,
        delivery,
        desk,
        disclosure,
        endorsement,
        errors,
        fund_requests,
        inbox,
        money,
        nav,
        overview,
        plugin_pages,
        programmes,
        project_panels,
        projects,
        public,
        reporting,
        review,
        sponsors,
        templating,
        tokens,
        users,
    )

    registry = {"plugin_pages": {}, "blueprint_errors": {}}
    app.extensions["tongxin.web"] = registry
    # Core's sections of the project page answer the hook a policy's sections answer.
    app.extensions["tongxin"].host.builtins.register(project_panels.NAME, project_panels)
    from core.web import archive, supervision  # supervision, the archive and the close-out: their pages
    from core.web import activity_changes, mail  # correcting activity records; failed mail sent again
    from core.web import lists  # list exports

    # A fresh parent per app: blueprints cannot gain children once registered somewhere.
    web = Blueprint("web", __name__)
    for child in (public.bp, auth.bp, overview.bp, programmes.bp, projects.bp, endorsement.bp, review.bp, admin.bp,
                  money.bp, fund_requests.bp, sponsors.bp, disclosure.bp, inbox.bp,
                  delivery.bp,  # delivery: plan tasks, activity records, people
                  supervision.bp, archive.bp,  # supervision, the archive and the close-out
                  reporting.bp,  # reporting: obligations and their reports
                  tokens.bp,  # the user's API tokens and sign-ins
                  account.bp, users.bp,  # accounts: one's own password and second factor; the offices' accounts
                  activity_changes.bp, mail.bp,  # correcting activity records; failed mail sent again
                  lists.bp):  # list exports: what a list page shows, as Excel or CSV
        web.register_blueprint(child)
    web.register_blueprint(desk.bp)  # the desk each person lands on after signing in
    app.register_blueprint(web)
    plugin_owners = plugin_pages.init_app(app, registry)
    templating.init_app(app)
    inbox.init_app(app)  # the count in every page's header
    nav.init_app(app)  # the main menu, grouped, on every page
    errors.init_app(app)
    web_roots = {"web"} | set(plugin_owners)
    account.init_app(app, web_roots)  # a one-time password is changed (a required second factor set up) first

    @app.before_request
    def _remember_language_and_check_csrf():
        if not request.blueprints or request.blueprints[-1] not in web_roots:
            return  # the API answers for itself
        lang = (request.args.get("lang") or "")[:2].lower()
        if lang in SUPPORTED:
            session["lang"] = lang
        csrf.check()
