"""Renderer markup that is not text (interim: the full module is being written on its own branch).

Only the whole-unit cases the segmentation stage needs today: image and form-control
placeholders printed by lynx, w3m and Markdown converters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKUP_RULES: dict[str, tuple[str, str]] = {
    "markup.image": ("markup", "an image reference printed by the renderer"),
    "markup.form": ("markup", "a form control printed by the renderer"),
}


@dataclass(frozen=True)
class Profile:
    markdown: bool = False
    link_numbers: bool = False


@dataclass(frozen=True)
class Cut:
    start: int
    end: int
    rule: str
    text: str


@dataclass(frozen=True)
class Cleaned:
    text: str
    cuts: tuple[Cut, ...] = ()


_MD_LINK = re.compile(r"\]\([^)\s]*\)")


def detect(lines: list[str]) -> Profile:
    md = sum(1 for ln in lines if "](" in ln and _MD_LINK.search(ln))
    return Profile(markdown=md >= 3)


_MD_INLINE = re.compile(r"!\[[^\]]{0,300}\]\([^)\s]{0,600}(?:\s\"[^\"]{0,200}\")?\)"
                        r"|\[(?P<t>[^\]]{0,300})\]\([^)\s]{0,600}(?:\s\"[^\"]{0,200}\")?\)"
                        r"|\*\*|\\(?=[-*_#.!\[\]()+>`])")


def clean_inline(text: str, profile: Profile) -> Cleaned:
    """Interim: Markdown images cut, links keep their text, bold markers and escapes cut."""
    if not profile.markdown or not any(c in text for c in "[*\\"):
        return Cleaned(text)
    out: list[str] = []
    cuts: list[Cut] = []
    pos = 0
    for m in _MD_INLINE.finditer(text):
        out.append(text[pos:m.start()])
        t = m.group("t")
        if t is not None:
            ts = m.start() + 1
            cuts.append(Cut(m.start(), ts, "markup.link", "["))
            out.append(t)
            cuts.append(Cut(ts + len(t), m.end(), "markup.link", text[ts + len(t):m.end()]))
        else:
            cuts.append(Cut(m.start(), m.end(), "markup.image" if text[m.start()] == "!" else "markup.emphasis",
                            m.group(0)))
        pos = m.end()
    out.append(text[pos:])
    return Cleaned(" ".join("".join(out).split()), tuple(c for c in cuts if c.text))


_IMAGE_ONLY = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)\s*)+$|^\[(?:IMG|[\w.-]{1,40}\.(?:png|jpe?g|gif|svg|webp))\]$",
                         re.I)
_FORM_ONLY = re.compile(r"^(?:\(BUTTON\)|\[ \]|_{4,}\S*|\[BUTTON[^\]]*\])(?:\s.*)?$")


def markup_only(text: str, profile: Profile) -> str | None:
    t = text.strip()
    if _IMAGE_ONLY.match(t):
        return "markup.image"
    if _FORM_ONLY.match(t) and len(t.split()) <= 3:
        return "markup.form"
    return None
