"""Chinese first, English when the client asks.

Messages are bilingual literals (`Text`), rendered in the request's locale. Rules and errors
carry a `Text`, never a pre-rendered string, so the same violation can be shown to a
zh-CN street office and to an English API client.
"""
from __future__ import annotations

from dataclasses import dataclass

SUPPORTED = ("zh", "en")


@dataclass(frozen=True)
class Text:
    zh: str
    en: str

    def render(self, locale: str | None = None, **params) -> str:
        template = self.en if (locale or "zh").startswith("en") else self.zh
        return template.format(**params) if params else template

    def format(self, **params) -> "Text":
        return Text(self.zh.format(**params), self.en.format(**params))

    def __str__(self) -> str:  # zh is the default language of the platform
        return self.zh


def T(zh: str, en: str) -> Text:
    return Text(zh, en)


def negotiate(accept_language: str | None, explicit: str | None = None, default: str = "zh") -> str:
    """Pick zh or en: an explicit choice (?lang=, user preference) wins, then Accept-Language."""
    if explicit:
        code = explicit.lower()[:2]
        if code in SUPPORTED:
            return code
    if accept_language:
        best, best_q = None, -1.0
        for part in accept_language.split(","):
            piece = part.strip().split(";")
            code = piece[0].strip().lower()[:2]
            q = 1.0
            for p in piece[1:]:
                if p.strip().startswith("q="):
                    try:
                        q = float(p.strip()[2:])
                    except ValueError:
                        q = 0.0
            if code in SUPPORTED and q > best_q:
                best, best_q = code, q
        if best:
            return best
    return default
