"""The title features read page indexes (:class:`corpusconv.titles.Search`'s line buckets,
memoised datelines, the nearest chrome above each unit) instead of scanning the page for
every candidate.  The bundled title model was fitted on the values of the scans, so the
indexed values must be the same: here the scans are kept as the reference, swapped in for
the indexed functions, and both give the same feature rows, hand-set picks and fuller
headings on real pages of every rendering.
"""

from __future__ import annotations

from os.path import commonprefix
from pathlib import Path

import pytest

from conftest import SHARED, shared_path
from corpusconv import titles, trees
from corpusconv.dates import is_dateline
from corpusconv.rules import default_rules
from corpusconv.structure import analyse, segment_page

RENDERINGS = ("pages", "pages-lynx", "pages-w3m", "pages-html2text", "pages-inscriptis")
PAGES_PER_RENDERING = 8


# --- the reference: the per-candidate scans the indexes replace ----------------------

def scan_full_title_above(s: titles.Search, best: int, cand=None) -> int:
    cand = cand or s.seq[best]
    for k in range(best - 1, max(-1, min(best, s.start) - titles.TITLE_FAMILY_LOOKBACK - 1), -1):
        u = s.seq[k]
        if (len(u.norm) <= len(cand.norm) or u.item is not None or not s.look.usable(u)
                or not titles.is_heading_like(u)):
            continue
        if len(commonprefix([u.norm, cand.norm])) == len(cand.norm) and titles._is_site_line(u.norm, cand.norm):
            continue
        if titles._family(u.norm, cand.norm):
            return k
    return best


def scan_echoed_below(s: titles.Search, c: titles.Candidate) -> bool:
    norm = c.unit.norm
    hi = min(len(s.seq), max(c.last, s.start) + titles.TITLE_LOOKAHEAD)
    return any(len(s.seq[j].norm) < len(norm) and titles._family(norm, s.seq[j].norm)
               for j in range(c.last + 1, hi))


def scan_fuller_elsewhere(s: titles.Search, c: titles.Candidate) -> bool:
    longer = [u.norm for u in s.seq if len(u.norm) > titles.WRAPPED_MIN_CHARS]
    norm = c.unit.norm.rstrip(".… ")
    return len(norm) >= titles.WRAPPED_MIN_CHARS and any(t.startswith(norm) and len(t) > len(norm) + 1
                                                         for t in longer)


def scan_since_chrome(s: titles.Search, k: int) -> float:
    for j in range(k - 1, max(-1, k - titles.NEAR_CAP - 1), -1):
        if s.seq[j].item is not None or not s.look.usable(s.seq[j]):
            return float(k - 1 - j)
    return float(titles.NEAR_CAP)


def scan_dateline_offset(c: titles.Candidate, s: titles.Search) -> float:
    # Passed the Search where the package passes the datelines near the candidates (see
    # SCANS): the reference scans the page itself.
    for d in range(1, titles.NEAR_CAP + 1):
        if c.last + d < len(s.seq) and is_dateline(s.seq[c.last + d].text):
            return float(d)
        if c.k - d >= 0 and is_dateline(s.seq[c.k - d].text):
            return float(-d)
    return float(titles.NEAR_CAP + 1)


def scan_wrap(lines: titles.LongLines, norm: str) -> bool:
    return any(len(norm) > len(o) and norm.endswith(o) for group in lines.by_tail.values() for o in group)


def scan_dateline(s: titles.Search, k: int) -> bool:
    return is_dateline(s.seq[k].text)


def scan_dated(s: titles.Search, k: int) -> bool:
    return is_dateline(s.seq[k].text) or bool(titles.find_byline(s.seq[k].text))


SCANS = {"full_title_above": scan_full_title_above, "_echoed_below": scan_echoed_below,
         "_fuller_elsewhere": scan_fuller_elsewhere, "_since_chrome": scan_since_chrome,
         "_dateline_offset": scan_dateline_offset, "_datelines_near": lambda s, cands: s}
METHOD_SCANS = ((titles.LongLines, "wrap", scan_wrap), (titles.Search, "dateline", scan_dateline),
                (titles.Search, "dated", scan_dated))


# --- the pages --------------------------------------------------------------------------

def page_paths() -> list[Path]:
    root = shared_path(SHARED / "realweb")
    return [p for r in RENDERINGS for p in sorted((root / r).glob("*.txt"))[:PAGES_PER_RENDERING]]


def title_search(path: Path) -> titles.Search | None:
    units = segment_page(path.read_text(encoding="utf-8", errors="replace").splitlines()).units
    return analyse(units, default_rules(), trees.resolve("default")).title


def what_the_title_features_say(path: Path) -> tuple:
    s = title_search(path)
    if s is None:
        return ()
    cands = titles.candidates(s)
    fuller = [titles.full_title_above(s, c.k, c.unit) for c in cands]
    return [c.k for c in cands], titles.feature_rows(s, cands), titles.hand_pick(s), fuller


@pytest.mark.parametrize("path", page_paths(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_indexed_title_features_equal_the_scans(path, monkeypatch):
    indexed = what_the_title_features_say(path)
    for name, scan in SCANS.items():
        monkeypatch.setattr(titles, name, scan)
    for cls, name, scan in METHOD_SCANS:
        monkeypatch.setattr(cls, name, scan)
    assert what_the_title_features_say(path) == indexed


def test_the_pages_have_title_candidates():
    """The comparison above means something: most pages have many candidates."""
    found = [len(titles.candidates(s)) for s in map(title_search, page_paths()[::4]) if s is not None]
    assert len(found) >= 5 and sum(found) >= 20 * len(found)
