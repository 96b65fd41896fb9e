"""Issue 12's safety invariants, on hand-written pages and on real pages of the dev set.

1. A unit of sentence prose (:func:`corpusconv.structure.is_long_prose`: at least 40 words,
   ending like a sentence, few links) is never removed as navigation, link list or page
   chrome without a named phrase rule: a context decision that it is not the article
   calls it ``shape.other-prose`` (or a repeat, or a field such as the title).
2. A page that has prose outside its comment threads never yields an empty article,
   whatever the fitted model says about its units.
3. (``tests/test_comments.py``) short comments each with a header and an action line stay
   a thread; replies indented with tabs nest like replies indented with spaces.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import corpusconv
from corpusconv import article, classify, trees
from corpusconv.decoding import decode_bytes
from corpusconv.rules import default_rules
from corpusconv.structure import SHAPE_RULES, is_long_prose, segment_page, structure_units

from conftest import SHARED, shared_path

# The context decisions a long prose unit may be removed by: not the article, but named
# for what it is (other prose, a repeated paragraph, the title or byline).
ALLOWED_SHAPE_RULES = {"shape.other-prose", "shape.repeated", "meta.title", "meta.byline", "meta.date"}
CHROME_RULES = set(SHAPE_RULES) - ALLOWED_SHAPE_RULES
RENDERINGS = ("pages", "pages-lynx", "pages-w3m", "pages-html2text", "pages-inscriptis")
DEV_SAMPLE_STEP = 9   # every 9th page of each rendering: ~150 pages, a few seconds a rendering

BIO = ("Jane Roe writes about cities, transport and the people who plan them, and has reported from "
       "more than thirty countries for newspapers, magazines and radio programmes since she left "
       "university; her new book on the history of the bicycle is out next spring.")

NAV_PAGE = f"""Home
News
Sport
Weather
Contact

The Bridge That Nobody Wanted

The council voted on Tuesday to build the bridge after all, eleven years after the first plan was
thrown out, and the argument about who will pay for it has already begun in earnest.

  • Related: the first plan
  • Related: the vote
  • Related: the costs

{BIO}

  • Privacy
  • Terms
  • About us
  • Careers

© 2024 Example News
"""


def _never_article() -> trees.Models:
    """A model that gives every unit a probability near zero."""
    tree = {"feature": [0], "threshold": [0.0], "left": [~0], "right": [~1], "value": [0.0], "leaf": [-20.0, -20.0]}
    member = trees.ensemble_doc(list(classify.FEATURES), [tree], -20.0, 0.5, {})
    return trees.parse(trees.dumps({"article": member}, {}), "never-article")


def _unit_results(text: str, models) -> tuple[list, object]:
    units = segment_page(decode_bytes(text.encode("utf-8")).lines).units
    return units, structure_units(units, default_rules(), models)


def _chrome_prose(units, res) -> list[tuple[str, str]]:
    by_no = {u.no: u for u in units}
    return [(r.rule, r.text[:60]) for r in res.removals
            if not r.partial and r.rule in CHROME_RULES and is_long_prose(by_no[r.line])]


def _has_prose_outside_threads(units, res) -> bool:
    owned = {n for c in res.comments for n in range(c.lines[0], c.lines[1] + 1)}
    ruled = {r.line for r in res.removals if not r.rule.startswith(("shape.", "meta."))}
    return any(u.words >= classify.PROSE_WORDS and u.no not in owned and u.no not in ruled
               and article.is_sentence(u.text) for u in units if not u.blank)


@pytest.mark.parametrize("models", ["default", None, "never"])
def test_long_prose_is_never_called_navigation_or_chrome(models):
    spec = _never_article() if models == "never" else trees.resolve(models)
    units, res = _unit_results(NAV_PAGE, spec)
    assert _chrome_prose(units, res) == []
    bio = [r for r in res.removals if r.text.startswith("Jane Roe")]
    kept = any(b.text.startswith("Jane Roe") for b in res.blocks)
    assert kept or [r.rule for r in bio] == ["shape.other-prose"]
    assert any("the argument about who will pay" in b.text for b in res.blocks)


def test_a_model_that_keeps_nothing_still_yields_the_article():
    doc = corpusconv.convert_bytes(NAV_PAGE.encode("utf-8"), source="page.txt", model=_never_article())
    assert "the argument about who will pay" in doc.text
    note = "Dear all,\n\nHope to see you there on Saturday at the shop.\n\nCheers,\nAlina\n"
    doc = corpusconv.convert_bytes(note.encode("utf-8"), source="note.txt", model=_never_article())
    assert "Hope to see you there" in doc.text


def _dev_pages() -> list[Path]:
    root = shared_path(SHARED / "realweb")
    return [p for r in RENDERINGS for p in sorted((root / r).glob("*.txt"))[::DEV_SAMPLE_STEP]]


@pytest.mark.parametrize("models", ["default", None])
def test_dev_pages_keep_the_safety_invariants(models):
    spec = trees.resolve(models)
    chrome, empty = [], []
    for path in _dev_pages():
        units = segment_page(decode_bytes(path.read_bytes()).lines).units
        res = structure_units(units, default_rules(), spec)
        chrome += [(path.parent.name, path.stem, *c) for c in _chrome_prose(units, res)]
        if not res.blocks and _has_prose_outside_threads(units, res):
            empty.append((path.parent.name, path.stem))
    assert chrome == []
    assert empty == []
