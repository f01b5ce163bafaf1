"""The words a page prints for kinds of org unit, from the policies in force there.

Core's words are Shanghai's ordinary ones (居民区 under 街道); a policy whose documents say
otherwise declares its own (``PolicyInfo.unit_words``, e.g. 社区/村 under 镇（街道）), and a page
about its programmes prints those. Core names no place: the word comes with the policy.
"""
from __future__ import annotations

from core.i18n import T, Text
from core.web.presenters import programme_view

DEFAULT: dict[str, Text] = {
    "neighbourhood": T("居民区", "Neighbourhood"),
    "street": T("街道", "Street"),
    "district": T("区", "District"),
}


def words(ctx, programmes) -> dict[str, Text]:
    """Kind → word for a page about ``programmes``: the first programme's policy that names a
    kind gives its word; core's word otherwise."""
    out = dict(DEFAULT)
    named: set[str] = set()
    for programme in programmes:
        for kind, word in (programme_view(ctx, programme).policy.info.unit_words or {}).items():
            if kind not in named and isinstance(word, Text):
                out[kind] = word
                named.add(kind)
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
