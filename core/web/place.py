"""The words a page prints for kinds of org unit, from the policies in force there.

Core's words are Shanghai's ordinary ones (居民区 under 街道); a policy whose documents say
otherwise declares its own (``PolicyInfo.unit_words``, e.g. 社区/村 under 镇（街道）), and a page
about its programmes prints those. Where the programmes a page speaks of say a kind in different
words, the page says it neutrally (居民区/村, the kind's own label), never one policy's word for
another's units. Core names no place: the word comes with the policy.

Besides the kinds, ``"staff"`` is the people who apply for a neighbourhood: 居委会工作人员 in
core's words, "<the policy's word>工作人员" where a policy names the neighbourhood, 村（居）委会
工作人员 when mixed; ``"office"`` the street's office that accepts fund requests: 社区自治办 in
core's words, the street's own word (镇（街道）, 街道/镇) otherwise.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import select

from core.i18n import T, Text
from core.models import PluginEnablement
from core.web import queries
from core.web.context import ctx
from core.web.presenters import programme_view

DEFAULT: dict[str, Text] = {
    "neighbourhood": T("居民区", "Neighbourhood"),
    "street": T("街道", "Street"),
    "district": T("区", "District"),
}
# What a page says when its programmes' policies word a kind differently (core.models.org's labels).
NEUTRAL: dict[str, Text] = {
    "neighbourhood": T("居民区/村", "Neighbourhood or village"),
    "street": T("街道/镇", "Street or town"),
    "district": T("区/县级市", "District or city"),
}
STAFF = T("居委会工作人员", "Neighbourhood staff")
STAFF_MIXED = T("村（居）委会工作人员", "Neighbourhood and village staff")
OFFICE = T("社区自治办", "The street's office")


def words(ctx, programmes) -> dict[str, Text]:
    """Kind → word for a page about ``programmes``."""
    return _agreed([programme_view(ctx, p).policy.info for p in programmes])


def tenant_words() -> dict[str, Text]:
    """Kind → word for a page about the whole tenant (its home, funds, fund requests, disclosure):
    from every programme's policy, or, before any programme is open, from the policies switched
    on. Read once per request (the programmes are the ones the header's inbox read already)."""
    if "place_words" not in g:
        c = ctx()
        infos = [c.host.policies[p.plugin_name].info for p in queries.all_programmes(c)
                 if p.plugin_name in c.host.policies]
        if not infos:
            names = c.session.scalars(select(PluginEnablement.plugin_name).where(PluginEnablement.enabled.is_(True)))
            infos = [c.host.policies[n].info for n in sorted(set(names)) if n in c.host.policies]
        g.place_words = _agreed(infos)
    return g.place_words


def _agreed(infos) -> dict[str, Text]:
    """Each kind's word where every policy says it alike (a policy that names no word says
    core's), the neutral word where they differ; and the staff who apply, worded to match."""
    said: dict[str, dict[str, Text]] = {kind: {} for kind in DEFAULT}
    for info in infos:
        own = info.unit_words or {}
        for kind, default in DEFAULT.items():
            word = own.get(kind)
            word = word if isinstance(word, Text) else default
            said[kind][word.zh] = word
    out: dict[str, Text] = {}
    for kind, default in DEFAULT.items():
        found = list(said[kind].values())
        out[kind] = found[0] if len(found) == 1 else (NEUTRAL[kind] if found else default)
    hood = out["neighbourhood"]
    out["staff"] = (STAFF if hood is DEFAULT["neighbourhood"] or hood.zh == DEFAULT["neighbourhood"].zh
                    else STAFF_MIXED if hood is NEUTRAL["neighbourhood"]
                    else T(f"{hood.zh}工作人员", f"{hood.en} staff"))
    out["office"] = OFFICE if out["street"].zh == DEFAULT["street"].zh else out["street"]
    return out


def has_endorsement(ctx, programmes) -> bool:
    """Whether any of ``programmes`` has an endorsement step (a town's stamp before the panel):
    only then has a page a column for projects in that state."""
    for programme in programmes:
        view = programme_view(ctx, programme)
        if view.policy.endorsement(view.config) is not None:
            return True
    return False


def shown_states(ctx, programmes, states) -> list[str]:
    """The project states a page about ``programmes`` tabulates: drafts never (they are the
    applicant's own), "endorsed" only where a policy has that step."""
    endorse = has_endorsement(ctx, programmes)
    return [s for s in states if s != "draft" and (s != "endorsed" or endorse)]
