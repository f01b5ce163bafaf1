"""The programme's own unit may apply when a track admits its kind (issue 9, item 5): a street
office applies for a street-level project in its own street's programme, and then someone else
decides it, the panel or the district, never the applying office (the permission table's
separation of duties, asked by the service guard, the web and the API alike). Where a track
admits only neighbourhoods the office is refused citing the track's clause
(tests/test_refusals_first.py). Both profiles."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import aliased

from core.app import create_app
from core.models import OrgUnit, Programme, Project
from core.permissions import A
from core.platform import Platform
from core.plugin_host.manager import PluginHost
from core.services import projects, review
from core.services.tenant_definitions import load as load_tenant
from core.violations import Forbidden
from tests.clients import Web, text
from tests.factories import APPLICATION_DAY, PASSWORD, acting, on_day, unit_id
from tests.fixture_plugins.sample import SamplePolicy

TENANT = "fixture_district"
POLICY = "fixture_streetwide"


def _tenant() -> dict:
    user = lambda name, role, unit: {"username": name, "password": PASSWORD,  # noqa: E731
                                     "roles": [{"role": role, "unit": unit}]}
    return {
        "slug": TENANT, "name": "测试区", "name_en": "Fixture District",
        "units": [{"code": "fs-a", "kind": "street", "name": "甲街道", "plugins": {POLICY: {"config": {}}},
                   "programmes": [{"plugin": POLICY, "year": 2023, "panel": ["fs_chair"], "chair": "fs_chair"}],
                   "children": [{"code": "fs-a-1", "kind": "neighbourhood", "name": "甲一居民区"}]},
                  {"code": "fs-b", "kind": "street", "name": "乙街道"}],
        "users": [user("fs_district", "district_admin", TENANT), user("fs_office", "street_admin", "fs-a"),
                  user("fs_other_office", "street_admin", "fs-b"), user("fs_chair", "reviewer", "fs-a")],
    }


@pytest.fixture
def streetwide(settings):
    """A host with a test policy whose track admits streets, and a district running it."""
    with on_day(APPLICATION_DAY):
        host = PluginHost(plugins=[(POLICY, SamplePolicy(POLICY, applicant_kinds=("neighbourhood", "street")))])
        platform = Platform.build(settings, host)
        load_tenant(platform, _tenant())
        yield platform
        platform.db.dispose()


def _programme(platform) -> int:
    with acting(platform, TENANT, None) as ctx:
        return ctx.session.scalars(select(Programme.id).where(Programme.plugin_name == POLICY)).one()


def _apply_as_office(platform) -> int:
    with acting(platform, TENANT, "fs_office") as ctx:
        p = projects.create_project(ctx, _programme(platform), unit_id(platform, TENANT, "fs-a"), "general", "街区共治议事会")
        projects.save_form(ctx, p.id, "proposal", {"title": "街区共治议事会", "summary": "街道牵头，联合驻区单位共商街区事务"})
        projects.set_budget(ctx, p.id, [{"description": "议事会场地", "amount": "800"}])
        return projects.submit(ctx, p.id).id


def test_a_street_office_applies_in_its_own_programme_and_someone_else_decides(streetwide):
    pid = _apply_as_office(streetwide)
    with acting(streetwide, TENANT, "fs_office") as ctx:
        project = projects.get_project(ctx, pid)
        assert project.state == "submitted" and project.applicant_unit.kind == "street"
        decision = ctx.can(A.review_decide, project)  # what the web's button and the API's actions ask
        assert not decision.allowed and "评审小组或上级" in decision.reason.zh
    with pytest.raises(Forbidden) as refused, acting(streetwide, TENANT, "fs_office") as ctx:
        review.decide(ctx, pid, "approved")
    assert "不能由本单位决定" in refused.value.violations[0].message.zh
    with acting(streetwide, TENANT, "fs_chair") as ctx:  # the panel's chair decides
        assert review.decide(ctx, pid, "approved").outcome == "approved"


def test_the_district_decides_a_street_offices_application_too(streetwide):
    pid = _apply_as_office(streetwide)
    with acting(streetwide, TENANT, "fs_district") as ctx:
        assert ctx.can(A.review_decide, projects.get_project(ctx, pid)).allowed
        assert review.decide(ctx, pid, "returned", explanation="请补充驻区单位名单").outcome == "returned"


def test_another_street_office_cannot_apply_for_this_street(streetwide):
    with pytest.raises(Forbidden), acting(streetwide, TENANT, "fs_other_office") as ctx:
        projects.create_project(ctx, _programme(streetwide), unit_id(streetwide, TENANT, "fs-a"), "general", "街区共治议事会")


def _decidable(platform, username: str) -> set[int]:
    """The projects a list of "what I may decide" shows ``username`` (``where``, in SQL)."""
    applicant, owner = aliased(OrgUnit), aliased(OrgUnit)
    with acting(platform, TENANT, username) as ctx:
        stmt = (select(Project.id).join(applicant, applicant.id == Project.applicant_unit_id)
                .join(Programme, Programme.id == Project.programme_id).join(owner, owner.id == Programme.org_unit_id)
                .where(ctx.where(A.review_decide, unit_path=applicant.path, programme_unit_path=owner.path,
                                 programme_id=Project.programme_id)))
        found = set(ctx.session.scalars(stmt))
        # The list and the question asked one by one agree.
        for project in ctx.session.scalars(select(Project)):
            assert (project.id in found) == ctx.can(A.review_decide, project).allowed, (username, project.id)
        return found


def test_lists_of_what_one_may_decide_leave_out_ones_own_application(streetwide, settings):
    pid = _apply_as_office(streetwide)
    assert pid not in _decidable(streetwide, "fs_office")
    assert pid in _decidable(streetwide, "fs_chair") and pid in _decidable(streetwide, "fs_district")
    # Without the applicant's unit the separation could not be kept: no answer rather than too many rows.
    with pytest.raises(ValueError), acting(streetwide, TENANT, "fs_office") as ctx:
        ctx.where(A.review_decide, programme_unit_path=OrgUnit.path, programme_id=Project.programme_id)

    app = create_app(settings, host=streetwide.host)
    app.config["TESTING"] = True
    try:
        office = Web(app.test_client(), TENANT)
        office.login("fs_office")
        assert f"/projects/{pid}/review" not in text(office.get("/review"))  # not in the office's queue
        chair = Web(app.test_client(), TENANT)
        chair.login("fs_chair")
        assert f"/projects/{pid}/review" in text(chair.get("/review"))
    finally:
        app.extensions["tongxin"].db.dispose()
