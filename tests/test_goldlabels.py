"""Gold line labels (corpusconv.goldlabels): hand-written pages in several renderer
layouts, the alignment's invariants, site-grouped folds, and real dev pages."""

from __future__ import annotations

import importlib.util
import random
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusconv.decoding import decode_bytes
from corpusconv.goldlabels import align, label_lines, load_golds, oracle_record, site_folds, site_of, visible_lines

from conftest import SHARED, shared_path

P1 = ("I just got back from a long trip to the mountains, and a reader asked me which places I "
      "would go back to first, so here is the list I promised you all last week.")
P2 = ("The first place is a small village at the end of a valley road, where the bakery opens at "
      "six and my home for the week was a room above it, with a view of the church.")
QUOTE = "The mountains are calling and I must go, and I will."


def wrap(text: str, width: int = 60, indent: str = "") -> list[str]:
    """Hard-wrap like lynx/w3m: break at spaces, lines no longer than ``width``."""
    lines, cur = [], ""
    for word in text.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(indent + cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    return lines + [indent + cur]


def labels_of(lines: list[str], gold: dict) -> list[tuple[str, int | None] | None]:
    return [None if lab is None else (lab.label, lab.index) for lab in label_lines(lines, gold)]


def test_wrapped_paragraphs_are_article_line_by_line():
    lines = ["   Home", "", "   A Trip to the Mountains", ""] + wrap(P1, indent="   ") + [""] + wrap(P2, indent="   ")
    gold = {"title": "A Trip to the Mountains", "article": {"paragraphs": [P1, P2]}}
    got = labels_of(lines, gold)
    n1 = len(wrap(P1))
    assert got[:4] == [("other", None), None, ("title", None), None]
    assert got[4:4 + n1] == [("article", 0)] * n1
    assert got[5 + n1:] == [("article", 1)] * len(wrap(P2))
    assert all(lab.share == 1.0 for lab in label_lines(lines, gold) if lab and lab.label == "article")


def test_short_line_is_not_article_because_the_word_occurs_in_it():
    # "home" and "about" occur in the article, but the lines holding only them are chrome
    lines = ["Home", "About", "", P2, "", "Home"]
    gold = {"title": None, "article": {"paragraphs": [P2]}, "boilerplate": ["About"]}
    got = labels_of(lines, gold)
    assert got == [("other", None), ("boilerplate", 0), None, ("article", 0), None, ("other", None)]


def test_a_short_snippet_inside_prose_is_not_boilerplate():
    lines = ["my home for the week", "", P2]
    gold = {"title": None, "article": {"paragraphs": [P2]}, "boilerplate": ["Home"]}
    # the page's first line holds "home" but not as a whole line: not the snippet
    assert labels_of(lines, gold)[0] == ("other", None)


def test_html2text_links_images_and_emphasis_are_not_text():
    para = ("Read [the first part of this story](http://example.com/2012/10/the-first-\n"
            "part-of-the-story.html \"The \"first\" part\") before this one, and _do_ look at\n"
            "the ![a map](http://example.com/map.png) **map** of the valley road first.")
    lines = ["  * [Home](http://example.com/)", "", *para.split("\n")]
    text = "Read the first part of this story before this one, and do look at the map of the valley road first."
    gold = {"title": None, "article": {"paragraphs": [text]}}
    got = labels_of(lines, gold)
    assert got == [("other", None), None, ("article", 0), ("article", 0), ("article", 0)]
    visible = " ".join(visible_lines(lines))
    assert "http" not in visible and "png" not in visible and "_do_" not in visible
    rec = oracle_record("p", lines, label_lines(lines, gold), gold)
    assert " ".join(rec["blocks"][0]["text"].split()) == (
        "Read [the first part of this story before this one, and do look at the **map** of the "
        "valley road first.")


def test_inscriptis_column_indentation_does_not_matter():
    lines = [" " * 44 + P1, "", "Sidebar" + " " * 37 + P2]
    gold = {"title": None, "article": {"paragraphs": [P1, P2]}}
    got = label_lines(lines, gold)
    assert [(g.label, g.index) for g in got if g] == [("article", 0), ("article", 1)]
    assert got[2].share < 1.0 and ("article", 1, len(P2.split()) + 1) not in got[2].parts


def test_nested_comment_thread():
    c1 = "What a lovely village, I went there years ago and the bakery was just as good then."
    c2 = "Thanks! The bakery is still run by the same family, and they still open at six."
    lines = ([P1, "", "2 Comments", "", "  1. Anna says:", "     October 3, 2012 at 5:41 pm", ""]
             + wrap(c1, indent="     ") + ["     Reply", "", "       + Tom says:", ""]
             + wrap(c2, indent="         ") + ["         Reply"])
    gold = {"title": None, "article": {"paragraphs": [P1]},
            "comments": [{"text": c1, "paragraphs": [c1], "depth": 0, "parent": None, "author": "Anna"},
                         {"text": c2, "paragraphs": [c2], "depth": 1, "parent": 0, "author": "Tom"}],
            "boilerplate": ["2 Comments"], "comment_chrome": ["Reply"]}
    labs = label_lines(lines, gold)
    by_text = {line.strip(): lab for line, lab in zip(lines, labs) if lab}
    assert by_text["1. Anna says:"].label == "other" and by_text["+ Tom says:"].label == "other"
    assert by_text["2 Comments"].label == "boilerplate" and by_text["2 Comments"].index == 0
    assert by_text["Reply"].label == "boilerplate" and by_text["Reply"].index is None
    replies = [lab for lab in labs if lab and lab.label == "comment" and lab.index == 1]
    assert len(replies) == len(wrap(c2)) and {(r.depth, r.parent) for r in replies} == {(1, 0)}
    assert sum(1 for lab in labs if lab and lab.label == "comment" and lab.index == 0) == len(wrap(c1))
    rec = oracle_record("p", lines, labs, gold)
    assert [(c["id"], c["parent"], c["depth"], c["author"]) for c in rec["comments"]] == [
        ("c0", None, 0, "Anna"), ("c1", "c0", 1, "Tom")]
    assert rec["comments"][1]["text"] == " ".join(wrap(c2))


def test_title_is_the_whole_line_nearest_the_article():
    title = "A Trip to the Mountains"
    lines = ["Recent posts: A Trip to the Mountains", "", "  * A Trip to the Mountains", "",
             "A Trip to the Mountains", "", P1]
    got = labels_of(lines, {"title": title, "article": {"paragraphs": [P1]}})
    assert [i for i, g in enumerate(got) if g and g[0] == "title"] == [4]


def test_title_held_as_an_article_paragraph_is_the_title():
    title = "A Trip to the Mountains"
    lines = ["October 3, 2012", "", title, "", P1]
    gold = {"title": title, "article": {"paragraphs": ["October 3, 2012", title, P1]}}
    assert labels_of(lines, gold) == [("article", 0), None, ("title", None), None, ("article", 2)]


def test_quotation_over_two_paragraphs_is_one_quote_block():
    q2 = "And this is the second paragraph of the same quotation, which goes on."
    lines = [P1, "", "     " + QUOTE, "", "     [...]", "", "     " + q2, "", P2]
    gold = {"title": None, "article": {"paragraphs": [P1, QUOTE, "[...]", q2, P2]},
            "quotes": [{"text": QUOTE + " [...] " + q2, "full_text": QUOTE + " [...] " + q2, "kind": "quote"}]}
    labs = labels_of(lines, gold)
    assert labs[2] == labs[4] == labs[6] == ("quote", 0)
    rec = oracle_record("p", lines, label_lines(lines, gold), gold)
    assert [b["type"] for b in rec["blocks"]] == ["paragraph", "quote", "paragraph"]
    assert rec["blocks"][1]["lines"] == [3, 7]


def test_pull_quote_shown_apart_and_again_in_the_paragraph():
    para = QUOTE + " " + P2
    lines = [P1, "", QUOTE, "", para]
    gold = {"title": None, "article": {"paragraphs": [P1, para]},
            "quotes": [{"text": QUOTE, "full_text": QUOTE, "kind": "quote"}]}
    assert labels_of(lines, gold) == [("article", 0), None, ("quote", 0), None, ("article", 1)]


def test_quotation_shown_as_its_own_block_that_the_gold_joins_to_a_paragraph():
    # the article gold joins the quotation and the sentence after it; the page shows the
    # quotation apart (html2text's ">"), once
    after = "That is what a guide told us on the first morning."
    lines = [P1, "", "> " + QUOTE, ">", "", after, "", P2]
    gold = {"title": None, "article": {"paragraphs": [P1, QUOTE + " " + after, P2]},
            "quotes": [{"text": QUOTE, "full_text": QUOTE, "kind": "quote"}]}
    got = labels_of(lines, gold)
    assert got[2] == ("quote", 0) and got[5] == ("article", 1)
    assert got[3] == ("other", None)  # a line without words at the edge of a unit is not in it


def test_blank_lines_get_none_and_every_line_gets_a_label():
    lines = ["", "   ", "x", "", P1]
    labs = label_lines(lines, {"title": None, "article": {"paragraphs": [P1]}})
    assert len(labs) == len(lines) and labs[0] is None and labs[1] is None and labs[3] is None
    assert labs[2].label == "other" and labs[4].label == "article"


def test_a_gold_without_article_or_comments():
    labs = label_lines(["Home", "", "Contact us"], {"title": None, "article": {"paragraphs": []},
                                                   "boilerplate": ["Contact us"]})
    assert [lab and lab.label for lab in labs] == ["other", None, "boilerplate"]


# --- the alignment -------------------------------------------------------------------
words = st.lists(st.sampled_from("a b c d e the of and".split()), max_size=60)


@settings(max_examples=150, deadline=None)
@given(words, words)
def test_alignment_is_an_order_keeping_matching(p, g):
    pairs = align(p, g)
    assert all(p[i] == g[j] for i, j in pairs)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(pairs, pairs[1:]))


chrome = st.lists(st.sampled_from("home menu login search reply share".split()), max_size=80)
prose = st.lists(st.sampled_from("a b c d e the of and".split()), min_size=3, max_size=40)


@settings(max_examples=80, deadline=None)
@given(chrome, prose, chrome)
def test_alignment_finds_a_text_inside_chrome(before, text, after):
    page = before + text + after
    assert align(page, text) == [(len(before) + i, i) for i in range(len(text))]
    assert align(text, text) == [(i, i) for i in range(len(text))]


def test_a_lone_gold_word_in_a_long_page_stretch_is_not_matched():
    # "thanks" sits in a sidebar far longer than the gold gap: no anchor of 3+ words
    page = "the start of it all".split() + ["sidebar"] * 20 + ["thanks"] + ["sidebar"] * 20 + "and the end".split()
    gold = "the start of it all thanks and the end".split()
    assert 25 not in [p for p, _ in align(page, gold)]


# --- site-grouped folds --------------------------------------------------------------
def golds_for(sites: list[str]) -> dict[str, dict]:
    return {f"page-{i:03d}": {"source": {"site": s}} for i, s in enumerate(sites)}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([f"site{i}.com" for i in range(25)]), min_size=1, max_size=120),
       st.integers(min_value=2, max_value=7))
def test_folds_are_site_grouped_balanced_and_deterministic(sites, k):
    golds = golds_for(sites)
    folds = site_folds(golds, k)
    assert set(folds) == set(golds) and set(folds.values()) <= set(range(k))
    by_site: dict[str, set[int]] = {}
    for name, fold in folds.items():
        by_site.setdefault(golds[name]["source"]["site"], set()).add(fold)
    assert all(len(f) == 1 for f in by_site.values())
    sizes = [sum(1 for f in folds.values() if f == i) for i in range(k)]
    biggest = max(sites.count(s) for s in set(sites))
    assert max(sizes) - min(sizes) <= biggest
    shuffled = list(golds.items())
    random.Random(1).shuffle(shuffled)
    assert site_folds(dict(shuffled), k) == folds


def test_site_falls_back_to_the_url_host_then_the_name():
    assert site_of({"source": {"site": "Example.com"}}) == "example.com"
    assert site_of({"source": {"url": "https://www.blog.example.org/2012/post"}}) == "blog.example.org"
    assert site_of({"source": {}}, default="page-1") == "page-1"
    golds = {"a": {"source": {"url": "http://x.com/1"}}, "b": {"source": {"url": "http://www.x.com/2"}},
             "c": {}, "d": {}, "e": {}}
    folds = site_folds(golds, k=2)
    assert folds["a"] == folds["b"]  # one site: x.com
    assert sorted(sum(1 for f in folds.values() if f == i) for i in range(2)) == [2, 3]  # c, d, e apart


def test_folds_of_the_dev_set():
    golds = load_golds(shared_path(SHARED / "realweb" / "gold"))
    folds = site_folds(golds, 5)
    sizes = sorted(sum(1 for f in folds.values() if f == i) for i in range(5))
    assert sizes == [52, 53, 53, 53, 53]


# --- real dev pages ------------------------------------------------------------------
@pytest.fixture(scope="module")
def scorer():
    path = shared_path(SHARED / "realweb" / "score.py")
    spec = importlib.util.spec_from_file_location("realweb_score", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["realweb_score"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("rendering", ["pages", "pages-lynx", "pages-w3m", "pages-html2text", "pages-inscriptis"])
@pytest.mark.parametrize("name", ["dragnet-R656", "dragnet-R829"])
def test_oracle_of_real_pages_scores_close_to_one(scorer, rendering, name):
    realweb = SHARED / "realweb"
    gold = load_golds(shared_path(realweb / "gold"), [name])[name]
    page = shared_path(realweb / rendering / f"{name}.txt")
    lines = decode_bytes(page.read_bytes()).lines
    rec = oracle_record(name, lines, label_lines(lines, gold), gold)
    m = scorer.score_page(gold, "\n".join(lines), scorer.from_corpusconv(rec))
    assert m["art_f1"] > 0.95 and m["title"] == 1.0
    assert m["leak"] in (None, 0.0) and m["cmt_in_art"] in (None, 0.0)
    if gold["comments"]:  # dragnet-R656: a nested Blogger thread
        assert m["cmt_match"] > 0.9 and m["depth"] == 1.0 and m["parent"] == 1.0
    if gold["quotes"]:  # dragnet-R829: quotations with attributions
        assert m["quote_r"] > 0.7
