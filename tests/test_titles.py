"""The fitted title decision (:mod:`corpusconv.titles`, the ``"title"`` member of a model
file): fitting it on labelled pages, picking with it, explaining the pick, and the
hand-set pick when a model has no title member.

Hand-built members (one split on a named feature) make the picks predictable; a small
synthetic labelled set (pages and gold files written here) is fitted for real.
"""

from __future__ import annotations

import doctest
import json
from pathlib import Path

import pytest

import corpusconv
from conftest import P1, P2, P3
from corpusconv import fitting, titles, trees
from corpusconv.explain import explain
from corpusconv.rules import default_rules
from corpusconv.structure import analyse, segment_page

pytest.importorskip("lightgbm")

BODY = f"{P1}\n\n{P2}\n\n{P3}\n"
PAGE = (f"Harbour Notes\n\nHome\n\nAbout\n\nContact\n\nWeekend Market Opens Again\n\n"
        f"Posted on March 3, 2021 by Ana Lopes\n\n{BODY}\nRelated Posts\n\nOlder Harbour Stories\n")
HAND_TITLE = "Weekend Market Opens Again"


def one_split_member(feature: str, threshold: float, low: float, high: float) -> dict:
    """A title member of one tree: ``low`` where ``feature <= threshold``, else ``high``."""
    tree = {"feature": [titles.FEATURES.index(feature)], "threshold": [threshold], "left": [-1], "right": [-2],
            "value": [0.0], "leaf": [low, high]}
    return trees.ensemble_doc(list(titles.FEATURES), [tree], 0.0, fitting.TITLE_THRESHOLD, {})


def models_of(members: dict[str, dict]) -> trees.Models:
    return trees.parse(trees.dumps(members, {}), "test model")


def page_candidates(text: str, layout: str = "auto") -> list[titles.Candidate]:
    a = analyse(segment_page(text.splitlines(), layout).units, default_rules())
    assert a.title is not None
    return titles.candidates(a.title)


def title_lines(doc) -> list:
    return [r for r in explain(doc) if r.element == "meta.title"]


def test_doctests():
    for module in (titles, fitting):
        result = doctest.testmod(module)
        assert result.attempted >= 2 and result.failed == 0


def test_no_title_member_gives_the_hand_set_pick():
    hand = corpusconv.convert_text(PAGE, model=None)
    assert hand.title == HAND_TITLE
    # an article member alone (keeping every candidate) leaves the title to the hand-set pick
    keep_all = {"feature": [], "threshold": [], "left": [], "right": [], "value": [], "leaf": [5.0]}
    article_only = models_of({"article": trees.ensemble_doc(["x"], [keep_all], 0.0, 0.5, {})})
    assert article_only.get("title") is None
    assert corpusconv.convert_text(PAGE, model=article_only).title == HAND_TITLE
    assert "hand-set score" in title_lines(hand)[0].evidence


def test_a_title_member_picks_its_best_candidate():
    cands = page_candidates(PAGE)
    top = cands[0].unit.text
    assert top != HAND_TITLE
    # a model that favours the page's first candidate names it, whatever the hand-set score says
    first = models_of({"title": one_split_member("rank_from_top", 0.5, 4.0, -4.0)})
    doc = corpusconv.convert_text(PAGE, model=first)
    assert doc.title == top
    # ... and one that favours the candidate the hand-set score ranks first agrees with it
    hand = models_of({"title": one_split_member("hand_pick", 0.5, -4.0, 4.0)})
    assert corpusconv.convert_text(PAGE, model=hand).title == HAND_TITLE


def test_no_candidate_clears_the_threshold_no_title():
    never = models_of({"title": one_split_member("words", 0.5, -9.0, -9.0)})
    doc = corpusconv.convert_text(PAGE, model=never)
    assert doc.title is None and title_lines(doc) == []


def test_explain_shows_the_title_models_features_only_when_explaining():
    models = models_of({"title": one_split_member("hand_pick", 0.5, -4.0, 4.0)})
    plain = title_lines(corpusconv.convert_text(PAGE, model=models))
    assert len(plain) == 1 and "title model: p(title) 0.98" in plain[0].evidence
    assert "strongest" not in plain[0].evidence
    explained = title_lines(corpusconv.convert_bytes(PAGE.encode(), model=models, explain=True))
    assert explained[0].text == HAND_TITLE
    assert "strongest: hand_pick +4.00" in explained[0].evidence


def test_a_wrapped_markdown_heading_is_one_title_of_two_lines():
    page = ("# The Long Headline That the Converter Wrapped Onto\nA Second Line\n\n"
            f"{P1}\n\n{P2}\n\n{P3}\n")
    # (a page this short does not show its Markdown: the layout is named)
    joined = [c for c in page_candidates(page, "markdown") if c.joined]
    assert [c.unit.text for c in joined] == ["The Long Headline That the Converter Wrapped Onto A Second Line"]
    models = models_of({"title": one_split_member("joined", 0.5, -4.0, 4.0)})
    doc = corpusconv.convert_text(page, model=models, layout="markdown")
    assert doc.title == joined[0].unit.text
    assert [r.line for r in title_lines(doc)] == [1, 2]


# --------------------------------------------------------------------------------------
# Fitting on a small synthetic labelled set
# --------------------------------------------------------------------------------------
SITES = ("Harbour Notes", "Valley Diary", "The Tin Kettle", "Northern Rails", "Garden Ledger", "Quiet Lanes")
HEADLINES = ("Weekend Market Opens Again", "A Bakery at the End of the Road", "Why the Bells Ring at Night",
             "Fish Soup Worth the Journey", "The Bridge They Painted Blue", "Notes From a Rainy Harbour",
             "What the Ferry Timetable Hides", "Ten Years of the Village Fair")


def synthetic_page(i: int) -> tuple[str, dict]:
    """A page of site ``i % 6`` whose headline sits among a site name, a menu and teasers."""
    site, title = SITES[i % len(SITES)], HEADLINES[i % len(HEADLINES)]
    teaser = HEADLINES[(i + 3) % len(HEADLINES)]
    text = (f"{site}\n\nHome\n\nArchive\n\nAbout\n\n{title}\n\nMarch {i % 27 + 1}, 2021\n\n{BODY}\n"
            f"Related Posts\n\n{teaser}\n\n© 2021 {site}\n")
    gold = {"title": title, "article": {"paragraphs": [P1, P2, P3]},
            "boilerplate": [site, "Home", "Archive", "About", "Related Posts", teaser],
            "source": {"site": site.lower().replace(" ", "") + ".example"}}
    return text, gold


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("labelled")
    pages, gold = root / "pages", root / "gold"
    pages.mkdir()
    gold.mkdir()
    for i in range(36):
        text, g = synthetic_page(i)
        (pages / f"p{i:02d}.txt").write_text(text, encoding="utf-8")
        (gold / f"p{i:02d}.json").write_text(json.dumps(g), encoding="utf-8")
    return pages, gold


def test_title_rows_label_the_gold_title(labelled):
    pages, gold = labelled
    rows = fitting.collect(fitting.labelled_pages(str(gold), [str(pages)]))
    assert len(rows) == 36
    for r in rows:
        assert sum(r.title.y) == 1 and len(r.title.y) >= 2
        assert all(len(x) == len(titles.FEATURES) for x in r.title.x)


def test_fit_writes_a_deterministic_title_member_that_picks_the_titles(labelled, tmp_path):
    pages, gold = labelled
    labelled_pages = fitting.labelled_pages(str(gold), [str(pages)])
    rows = fitting.collect(labelled_pages, cache=str(tmp_path / "cache"))
    cached = fitting.collect(labelled_pages, cache=str(tmp_path / "cache"))
    assert cached == rows
    member_doc = fitting.fit_title([r.title for r in rows])
    # corpusconv fit: the same member, beside the article's two (fitted again: same bytes)
    text = fitting.fit_pages(str(gold), [str(pages)], cache=str(tmp_path / "cache"))
    assert json.loads(text)["models"]["title"] == json.loads(trees.dumps({"title": member_doc}, {}))["models"]["title"]
    models = trees.parse(text, "fitted")
    assert sorted(models.members) == ["article", "article-context", "title"]
    member = models.get("title")
    assert member.features == titles.FEATURES and member.threshold == fitting.TITLE_THRESHOLD
    assert member.meta["pages"] == 36 and any(t.feature for t in member.trees)
    for i in (0, 7, 13):
        page, g = synthetic_page(i)
        assert corpusconv.convert_text(page, model=models).title == g["title"]
