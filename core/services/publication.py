"""What the public sees of a project: the parts its policies mark public (``tongxin_public_parts``),
under core's floor. The anonymous web page and the anonymous API both ask here, so they show the
same parts and no more.

- **Nothing is public unless marked.** A form field is shown when a policy of the programme marks
  ``"<form>.<field>"``; an attachment when its kind is marked. Residents' minutes and invoices
  stay behind the login unless a policy says otherwise.
- **The floor.** A field whose schema metadata says ``personal`` (a contact person, a phone) is
  never shown, whatever is marked; in what is shown, anything shaped like a mobile, landline or
  ID number is masked (``core.personal_data.scrub``): an applicant who types a phone into a
  public field does not publish it.
"""
from __future__ import annotations

from dataclasses import dataclass

from core.forms import describe
from core.personal_data import scrub
from core.plugin_host.contributions import FormSpec
from core.services.context import Ctx
from core.services.programmes import policy_of


@dataclass(frozen=True)
class PublicField:
    form: FormSpec
    name: str
    label: object  # the field's Text label
    value: object


def is_public_reader(ctx: Ctx) -> bool:
    """The public: whoever is not signed in."""
    return not ctx.actor.is_authenticated


def _marking(ctx: Ctx, project):
    policy, config = policy_of(ctx, project.programme)
    return policy, config, policy.public_parts(config)


def public_fields(ctx: Ctx, project) -> list[PublicField]:
    """The project's marked form fields that hold something, in form and field order, their
    values scrubbed."""
    policy, config, parts = _marking(ctx, project)
    marked = set(parts.fields)
    stored = project.forms or {}
    out = []
    for spec in policy.forms(config, project.track):
        data = stored.get(spec.key) or {}
        declared = spec.schema().fields
        for f in describe(spec.schema):
            key = f"{spec.key}.{f.name}"
            if key not in marked or data.get(f.name) in (None, "", []) or declared[f.name].metadata.get("personal"):
                continue
            out.append(PublicField(spec, f.name, f.label, scrub(data[f.name])))
    return out


def public_forms(ctx: Ctx, project) -> dict:
    """The same, as the API's ``forms`` holds them: ``{form key: {field: value}}``."""
    out: dict[str, dict] = {}
    for f in public_fields(ctx, project):
        out.setdefault(f.form.key, {})[f.name] = f.value
    return out


def public_kinds(ctx: Ctx, project) -> set[str]:
    return set(_marking(ctx, project)[2].attachment_kinds)


def public_attachments(ctx: Ctx, project) -> list:
    kinds = public_kinds(ctx, project)
    return [a for a in project.attachments if a.kind in kinds]


def visible_attachments(ctx: Ctx, project) -> list:
    """The attachments the reader may see listed and download: all of them for a signed-in
    reader who may see the project, the marked kinds for the public."""
    return public_attachments(ctx, project) if is_public_reader(ctx) else list(project.attachments)
