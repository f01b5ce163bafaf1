"""A project's people registry (项目人员名册, tool 6, and 项目团队人员登记表, tool 7): its team
members, volunteers and beneficiaries, one registry per project.

**The minimum, and no more.** The registry keeps what the two forms ask for a person to be
reached and counted: the role (team member, volunteer, beneficiary), name, gender, the ID number
and mobile number (both optional, both checked: 18 characters with the GB 11643 check digit;
``1[3-9]`` and nine digits), where in the neighbourhood they live (a building or a door, not a
full address), their task in the team or the service they receive, their skills, and their
consent. It has no field for health, disability or family circumstances: under the Personal
Information Protection Law (个人信息保护法, art. 28) those are sensitive personal information,
and so is anything about a child under fourteen (art. 28, 31): a registry entry whose ID number
shows a child is refused unless a policy of the programme asks for children's data
(``DeliveryRules.children_allowed``). A beneficiary is "an elderly person living alone in
building 12", not their diagnosis.

**Consent.** Where a policy requires it (``DeliveryRules.consent_required``, a policy setting),
a person is registered only with their consent, dated (today by default), and how it was given
("签署同意书"); the refusal cites the policy's clause. **Retention**: the registry is kept for
the years the policies ask after the close-out (the longest of them), shown with the registry.
Removing a person deletes their data (their name stays on the activities they signed, as the
sheet has it, unlinked).

**Masked for whoever does not need the numbers.** The applicant's own unit and the street office
(``A.person_read_personal``) see full ID and mobile numbers; every other role that sees the
registry (reviewers, supervisors, leaders, the district) sees ``3101**********1234`` and
``138****5678``; the public and sponsors do not see the registry at all. The audit log keeps the
masked form too, and every export of the registry is itself recorded in the audit log
(``person.export``: who, when, which project, how many people, full numbers or masked).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from core.i18n import T, Text
from core.models import ActivityParticipant, AuditEntry, PersonRole, Project, RegistryPerson
from core.permissions import A
from core.personal_data import (age_on, id_number_problem, mask_id_number, mask_mobile, mobile_problem,
                                normalise_id_number, normalise_mobile)
from core.services.context import Ctx
from core.services.delivery.common import acting_on, delivery_project, rules_of
from core.violations import Forbidden, NotFound, RuleError, Violation, Violations

GENDERS = {"male": T("男", "male"), "female": T("女", "female")}
CHILD_AGE = 14
CHILD_CLAUSE = T("《个人信息保护法》第二十八条、第三十一条：不满十四周岁未成年人的个人信息属于敏感个人信息",
                 "Personal Information Protection Law, art. 28 and 31: a child's (under 14) data is sensitive")
REGISTERING = T("登记人员", "register people")


@dataclass(frozen=True)
class PersonView:
    """A person as the viewer may see them: the numbers masked unless they may read them."""

    person: RegistryPerson
    id_number: str | None
    mobile: str | None
    hours_tenths: int = 0
    activities: int = 0

    @property
    def role_label(self) -> Text:
        return PersonRole(self.person.role).label

    @property
    def gender_label(self) -> Text | None:
        return GENDERS.get(self.person.gender)


def add_person(ctx: Ctx, project_id: int, role: str, name: str, gender: str = "", id_number: str | None = None,
               mobile: str | None = None, address: str = "", duty: str = "", skills: str = "", consent: bool = False,
               consent_on: dt.date | None = None, consent_note: str = "") -> RegistryPerson:
    project = acting_on(ctx, project_id, A.person_record, REGISTERING)
    rules = rules_of(ctx, project)
    today = ctx.clock.today()
    v = Violations()
    name = (name or "").strip()
    if not name:
        v.add(Violation("name_required", T("请填写姓名", "Give the person's name"), field="name"))
    number = normalise_id_number(id_number) if id_number else None
    if number:
        problem = id_number_problem(number)
        if problem is not None:
            v.add(Violation("invalid_id_number", problem, field="id_number"))
        else:
            age = age_on(number, today)
            if age is not None and age < CHILD_AGE and not rules.children_allowed:
                v.add(Violation("child_data", T(f"身份证号码显示此人未满{CHILD_AGE}周岁；政策未要求收集儿童个人信息，名册不予登记",
                                                f"The ID number shows a child under {CHILD_AGE}; no policy asks for children's data"),
                                field="id_number", clause=CHILD_CLAUSE))
            taken = ctx.session.scalar(select(RegistryPerson.id).where(RegistryPerson.project_id == project.id,
                                                                       RegistryPerson.id_number == number))
            if taken is not None:
                v.add(Violation("duplicate_id_number", T(f"该身份证号码已在本项目名册中（编号{taken}）",
                                                         f"This ID number is already in the registry (#{taken})"),
                                field="id_number"))
    phone = normalise_mobile(mobile) if mobile else None
    if phone and (problem := mobile_problem(phone)) is not None:
        v.add(Violation("invalid_mobile", problem, field="mobile"))
    if consent_on is not None and consent_on > today:
        v.add(Violation("consent_in_future", T("同意日期不能晚于今天", "Consent cannot be dated after today"), field="consent_on"))
    if rules.consent_required and not consent:
        v.add(Violation("consent_required", T("登记人员信息须取得本人同意：请确认已取得同意，并注明方式（如签署同意书）",
                                              "Registering a person needs their consent: confirm it and say how it was given"),
                        field="consent", clause=rules.consent_clause))
    v.raise_if_blocking()
    with ctx.action("person.add"):
        person = RegistryPerson(project_id=project.id, role=role, name=name, gender=gender or "", id_number=number or None,
                                mobile=phone or None, address=(address or "").strip(), duty=(duty or "").strip(),
                                skills=(skills or "").strip(), consent=bool(consent),
                                consent_on=(consent_on or today) if consent else None,
                                consent_note=(consent_note or "").strip() if consent else "", recorded_by_id=ctx.actor.id)
        ctx.session.add(person)
    return person


def get_person(ctx: Ctx, person_id: int) -> RegistryPerson:
    person = ctx.session.get(RegistryPerson, person_id) if isinstance(person_id, int) else None
    if person is None:
        raise NotFound(T("名册中的人员", "registered person"), field="person_id")
    delivery_project(ctx, person.project_id)
    return person


def remove_person(ctx: Ctx, person_id: int) -> None:
    """Delete a person's data from the registry (they withdrew their consent, or left): at any
    time, whatever the project's state. Their name stays on the activities they took part in,
    unlinked."""
    person = get_person(ctx, person_id)
    project = ctx.session.get(Project, person.project_id)
    if not ctx.can(A.person_record, project):
        raise Forbidden(T("您不能修改该项目的人员名册", "You may not change this project's registry"), field="person_id")
    with ctx.action("person.remove"):
        for link in ctx.session.scalars(select(ActivityParticipant).where(ActivityParticipant.person_id == person.id)):
            link.person_id = None
        ctx.session.delete(person)


def volunteer_hours(ctx: Ctx, project_id: int) -> dict[int, tuple[int, int]]:
    """{person id: (volunteer hours in tenths, activities taken part in)} across the project's
    activities, in one statement."""
    rows = ctx.session.execute(select(ActivityParticipant.person_id, func.sum(ActivityParticipant.volunteer_tenths),
                                      func.count(ActivityParticipant.id))
                               .join(RegistryPerson, RegistryPerson.id == ActivityParticipant.person_id)
                               .where(RegistryPerson.project_id == project_id)
                               .group_by(ActivityParticipant.person_id))
    return {pid: (int(tenths or 0), int(n)) for pid, tenths, n in rows}


def registry(ctx: Ctx, project_id: int, role: str | None = None) -> tuple[Project, list[PersonView], bool]:
    """The project's registry as the actor may see it: (project, people, whether the numbers are
    shown in full). Two statements besides the project's."""
    project = delivery_project(ctx, project_id)
    full = ctx.can(A.person_read_personal, project).allowed
    stmt = select(RegistryPerson).where(RegistryPerson.project_id == project.id)
    if role:
        stmt = stmt.where(RegistryPerson.role == role)
    rows = ctx.session.scalars(stmt.order_by(RegistryPerson.role, RegistryPerson.id))
    hours = volunteer_hours(ctx, project.id)
    return project, [view(p, full, hours.get(p.id, (0, 0))) for p in rows], full


def view(person: RegistryPerson, full: bool, hours: tuple[int, int] = (0, 0)) -> PersonView:
    return PersonView(person, person.id_number if full else mask_id_number(person.id_number),
                      person.mobile if full else mask_mobile(person.mobile), hours[0], hours[1])


def retention_text(ctx: Ctx, project: Project) -> Text:
    """How long the registry is kept, as its policies say (the longest of them)."""
    rules = rules_of(ctx, project)
    if rules.retention_years is None:
        return T("政策未规定保存期限：项目结项时由街道社区自治办决定归档或删除",
                 "No policy sets how long: the street office decides at the close-out")
    years = rules.retention_years
    until = (rules.ends.year if rules.ends else project.programme.year) + years
    return T(f"保存至项目结项后{years}年（按项目周期推算，约至{until}年底），期满删除",
             f"Kept {years} years after the close-out (by the project's period, until about the end of {until}), then deleted")


def record_export(ctx: Ctx, project: Project, people: int, full: bool, what: str) -> None:
    """Every export of personal data is written to the audit log: who, when, which project, how
    many people, and whether the numbers were in full."""
    if not ctx.actor.is_authenticated:
        raise RuleError(Violation("unauthenticated", T("请先登录", "Log in first")), status=401)
    ctx.session.add(AuditEntry(actor_id=ctx.actor.id, action="person.export", entity="registry_people", entity_id=None,
                               org_unit_id=project.applicant_unit_id,
                               after={"project_id": project.id, "people": people, "full_numbers": full, "format": what}))
    ctx.session.flush()
