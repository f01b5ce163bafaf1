"""The people registry through the services: ID numbers checked by the GB 11643 check digit and
mobile numbers by format, both masked for every role that does not need them, consent required
where the policy asks, no children's data unless a policy asks, volunteer hours adding up per
person, removal deleting a person's data, and every export written to the audit log."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from core.documents import people_registry
from core.models import AuditEntry, RegistryPerson
from core.personal_data import check_digit, id_number_problem, mask_id_number, mask_mobile, mobile_problem
from core.services.delivery import activities, people
from core.violations import Forbidden, RuleError
from tests.delivery_factories import TEAM, TENANT, activity, id_number, person, project_with_plan, wrong_check_digit
from tests.factories import acting

pytestmark = pytest.mark.usefixtures("in_implementation")

# Published examples of the standard's check digit, and numbers made here.
VALID = ["11010519491231002X", "440524188001010014", id_number(), id_number("19900101", "310101", "007")]
INVALID = [
    ("110105194912310021", "校验位"),        # the check digit of the first example, mistyped
    (wrong_check_digit(id_number()), "校验位"),
    ("11010519491231002", "18位"),          # 17 characters
    ("1101051949123100211", "18位"),        # 19
    ("11010519491231A02X", "前17位应为数字"),
    ("310106" "19580230" "123" + check_digit("31010619580230123"), "不是有效日期"),  # 30 February
]


@pytest.mark.parametrize("number", VALID)
def test_a_valid_id_number_passes_the_check_digit(number):
    assert id_number_problem(number) is None


@pytest.mark.parametrize("number, said", INVALID)
def test_a_malformed_id_number_is_refused_saying_why(number, said):
    problem = id_number_problem(number)
    assert problem is not None and said in problem.zh and problem.en


def test_the_check_digit_is_the_standards():
    assert check_digit("11010519491231002") == "X" and check_digit("44052418800101001") == "4"


@pytest.mark.parametrize("mobile, ok", [("13812345678", True), ("19912345678", True), ("12812345678", False),
                                        ("1381234567", False), ("138123456789", False), ("23812345678", False)])
def test_mobile_numbers_by_format(mobile, ok):
    assert (mobile_problem(mobile) is None) is ok


def test_the_masks():
    assert mask_id_number("310106195803121234") == "3101**********1234"
    assert mask_mobile("13812345678") == "138****5678"
    assert mask_id_number(None) is None and mask_mobile("") == ""


def people_count(platform) -> int:
    with acting(platform, TENANT, None) as ctx:
        return ctx.session.scalar(select(func.count()).select_from(RegistryPerson))


@pytest.mark.parametrize("given, field, code", [
    ({"id_number": "110105194912310021"}, "id_number", "invalid_id_number"),
    ({"mobile": "1381234567"}, "mobile", "invalid_mobile"),
    ({"consent": False}, "consent", "consent_required"),
    ({"id_number": id_number("20150601")}, "id_number", "child_data"),   # 7 years old in 2023
])
def test_bad_entries_are_refused_naming_the_field_and_nothing_is_saved(platform, given, field, code):
    pid, _ = project_with_plan(platform)
    with pytest.raises(RuleError) as refusal:
        person(platform, pid, "王阿姨", **given)
    [v] = refusal.value.violations
    assert (v.field, v.code) == (field, code) and v.message.zh and v.message.en
    if code == "consent_required":
        assert "个人信息保护法" in v.clause.zh  # the plugin's setting, citing why
    if code == "child_data":
        assert "第二十八条" in v.clause.zh
    assert people_count(platform) == 0


def test_a_number_is_registered_once_per_project(platform):
    pid, _ = project_with_plan(platform)
    number = id_number()
    person(platform, pid, "王阿姨", id_number=number)
    with pytest.raises(RuleError) as refusal:
        person(platform, pid, "王阿姨", role="team", id_number=number.lower())
    assert refusal.value.violations[0].code == "duplicate_id_number"


ROLES = [("luochuan", True), ("ghxl_admin", True),          # the applicant's unit, the street office
         ("ghxl_expert", False), ("ghxl_leader", False), ("jingan_admin", False)]


@pytest.mark.parametrize("username, full", ROLES)
def test_numbers_are_masked_for_every_role_that_does_not_need_them(platform, username, full):
    pid, _ = project_with_plan(platform)
    number = id_number()
    person(platform, pid, "王阿姨", id_number=number, mobile="138 1234 5678", consent_note="签署同意书")
    with acting(platform, TENANT, username) as ctx:
        _, [seen], shown_full = people.registry(ctx, pid)
    assert shown_full is full
    if full:
        assert (seen.id_number, seen.mobile) == (number, "13812345678")
    else:
        assert (seen.id_number, seen.mobile) == (mask_id_number(number), "138****5678")


@pytest.mark.parametrize("username", [None, "shbg", "yanchang"])  # the public, a sponsor, another neighbourhood
def test_the_public_and_sponsors_do_not_see_the_registry(platform, username):
    pid, _ = project_with_plan(platform)
    person(platform, pid, "王阿姨", mobile="13812345678")
    with acting(platform, TENANT, username) as ctx, pytest.raises(Forbidden):
        people.registry(ctx, pid)


def test_the_audit_log_keeps_the_numbers_masked(platform):
    pid, _ = project_with_plan(platform)
    number = id_number()
    person(platform, pid, "王阿姨", id_number=number, mobile="13812345678")
    with acting(platform, TENANT, None) as ctx:
        [after] = ctx.session.scalars(select(AuditEntry.after).where(AuditEntry.entity == "registry_people"))
    assert after["id_number"] == mask_id_number(number) and after["mobile"] == "138****5678"
    assert number not in str(after)


def test_volunteer_hours_add_up_per_person_across_activities(platform):
    pid, (first, second, _) = project_with_plan(platform)
    wang = person(platform, pid, "王阿姨")
    li = person(platform, pid, "李叔叔", role="team")
    activity(platform, pid, first, participants=["王阿姨 2", "李叔叔 1.5"])
    activity(platform, pid, second, held_on=dt.date(2023, 4, 13), participants=[f"王阿姨#{wang} 2.5"])
    with acting(platform, TENANT, "ghxl_expert") as ctx:
        _, rows, _ = people.registry(ctx, pid)
    hours = {v.person.id: (v.hours_tenths, v.activities) for v in rows}
    assert hours == {wang: (45, 2), li: (15, 1)}


def test_removing_a_person_deletes_their_data_and_keeps_the_name_on_the_sheet(platform):
    pid, (first, *_) = project_with_plan(platform)
    wang = person(platform, pid, "王阿姨", mobile="13812345678")
    aid = activity(platform, pid, first, participants=["王阿姨 2"])
    with acting(platform, TENANT, "ghxl_expert") as ctx, pytest.raises(Forbidden):
        people.remove_person(ctx, wang)
    with acting(platform, TENANT, TEAM) as ctx:
        people.remove_person(ctx, wang)
    with acting(platform, TENANT, TEAM) as ctx:
        [named] = activities.get_activity(ctx, aid).participants
        assert (named.name, named.person_id) == ("王阿姨", None)
    assert people_count(platform) == 0


@pytest.mark.parametrize("username, full", [("ghxl_admin", True), ("ghxl_expert", False)])
def test_every_export_is_audited_and_masked_for_who_may_not_read_the_numbers(platform, username, full):
    pid, _ = project_with_plan(platform)
    number = id_number()
    person(platform, pid, "王阿姨", id_number=number, mobile="13812345678")
    person(platform, pid, "陈老伯", role="beneficiary", duty="独居老人，每周探访")
    with acting(platform, TENANT, username) as ctx:
        data, filename = people_registry.export(ctx, pid)
    assert filename.endswith("项目人员名册.xlsx")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["服务对象名册", "志愿者名册", "自治项目团队名册"]
    volunteers = [[c.value for c in row] for row in wb["志愿者名册"].iter_rows(min_row=2)]
    assert volunteers[0][1] == "王阿姨"
    assert volunteers[0][3] == (number if full else mask_id_number(number))
    with acting(platform, TENANT, None) as ctx:
        [entry] = ctx.session.scalars(select(AuditEntry).where(AuditEntry.action == "person.export"))
    assert entry.after == {"project_id": pid, "people": 2, "full_numbers": full, "format": "xlsx"}
    assert entry.actor_id is not None and entry.org_unit_id is not None


def test_the_registry_says_how_long_it_is_kept(platform):
    pid, _ = project_with_plan(platform)
    with acting(platform, TENANT, TEAM) as ctx:
        project, _, _ = people.registry(ctx, pid)
        text = people.retention_text(ctx, project)
    assert "结项后3年" in text.zh and "2026" in text.zh and "3 years" in text.en
