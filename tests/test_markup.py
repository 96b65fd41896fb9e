"""corpusconv.markup: renderer markup that is not text.

* ``tests/cases/markup.json``: data-driven cases (label, input, profile, expected text,
  expected cut rules in order, and the whole-unit rule when there is one);
* the module's doctests (the small predicates);
* property tests: the cleaned text is exactly the input minus the cuts (each cut leaves
  its ``sep``), cuts are sorted, disjoint and inside the text, and prose without markup
  characters comes back unchanged;
* pages dumped by lynx (with its reference list), elinks, links2 and w3m from one
  hand-written HTML page, and a sample of the shared dev set for ``detect``;
* adversarial inputs: the work grows linearly (compared between input sizes, not
  against a clock).
"""

from __future__ import annotations

import doctest
import gc
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpusconv import markup
from corpusconv.markup import MARKUP_RULES, Cleaned, Profile, clean_inline, detect

from conftest import SHARED, shared_path

CASES = json.loads((Path(__file__).parent / "cases" / "markup.json").read_text("utf-8"))


def profile_of(spec: dict) -> Profile:
    spec = dict(spec)
    labels = frozenset(spec.pop("link_labels", ()))
    return Profile(link_labels=labels, **spec)


def rebuild(text: str, cleaned: Cleaned) -> str:
    out, prev = [], 0
    for cut in cleaned.cuts:
        out += [text[prev:cut.start], cut.sep]
        prev = cut.end
    return "".join(out) + text[prev:]


def check_invariants(text: str, cleaned: Cleaned) -> None:
    prev = 0
    for cut in cleaned.cuts:
        assert 0 <= prev <= cut.start < cut.end <= len(text), cleaned.cuts
        assert text[cut.start:cut.end] == cut.text
        assert cut.rule in MARKUP_RULES
        assert cut.sep in ("", " ")
        if cut.sep:   # only between two word characters
            assert text[cut.start - 1].isalnum() or any(
                c.end == cut.start for c in cleaned.cuts)
        prev = cut.end
    assert cleaned.text == rebuild(text, cleaned)
    assert cleaned.whole is None or cleaned.whole in MARKUP_RULES


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_case(case):
    text, profile = case["input"], profile_of(case["profile"])
    cleaned = clean_inline(text, profile)
    check_invariants(text, cleaned)
    assert cleaned.text == case["expect_text"]
    assert [c.rule for c in cleaned.cuts] == case["expect_rules"]
    assert cleaned.whole == case.get("expect_whole")
    assert markup.markup_only(text, profile) == case.get("expect_whole")


def test_case_file_covers_every_rule():
    used = {r for c in CASES for r in c["expect_rules"]} | {
        c["expect_whole"] for c in CASES if c.get("expect_whole")}
    assert used | {markup.REFERENCES} == set(MARKUP_RULES)   # References: a page test


def test_doctests():
    result = doctest.testmod(markup, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 15 and result.failed == 0


def test_rules_table_is_well_formed():
    for rule, (category, evidence) in MARKUP_RULES.items():
        assert rule.startswith("markup.") and category == "markup"
        assert len(evidence) > 20 and not evidence.endswith(".")


# --- properties -------------------------------------------------------------------------

PROFILES = st.builds(Profile, markdown=st.booleans(), link_numbers=st.booleans(),
                     forms=st.booleans(), bracket_images=st.booleans(),
                     link_labels=st.sampled_from([frozenset(), frozenset({"1", "docs"})]))
# Words and the characters every rule reacts to, so that constructs form often.
PIECES = st.sampled_from(
    ["[", "]", "(", ")", "!", "*", "**", "_", "__", "`", "\\", "<", ">", "~~", " ", "  ",
     "\n", "\t", "\xa0", ":", "/", ".", "\"", "'", "|", "#", "=", "?", "http://a.b/",
     "a", "word", "B2", "1", "12", "x_y", "[12]", "](u)", "![", "[INS:", ":INS]", "(BUTTON)",
     "[ ]", "( )", "(*)", "___", "____", "[anon36.png]", "[7f47d]", "[Reply]", "REFRESH(0 sec):",
     "IFRAME:", "[1]:", "docs", "<http://x.y/>", "{.c}"])
MARKUPISH = st.lists(PIECES, max_size=40).map("".join)


@settings(max_examples=250, deadline=None)
@given(MARKUPISH, PROFILES)
def test_cleaned_is_input_minus_cuts(text, profile):
    check_invariants(text, clean_inline(text, profile))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), PROFILES)
def test_any_text(text, profile):
    check_invariants(text, clean_inline(text, profile))


PROSE = st.text(alphabet=st.characters(
    blacklist_characters="[]()!*_`\\<>~:", blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=300, deadline=None)
@given(PROSE, PROFILES)
def test_prose_comes_back_unchanged(text, profile):
    cleaned = clean_inline(text, profile)
    assert cleaned.text == text and cleaned.cuts == ()


SPACED = st.lists(st.sampled_from(["word", "[anon36.png]", "(BUTTON)", "[x](http://a/)",
                                   "![](i.png)", "**b**", "[12]", "[ ]", "____", "_i_",
                                   "[](u)", "a,"]), min_size=1, max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(SPACED, PROFILES)
def test_cuts_leave_single_spaces(text, profile):
    """Tokens separated by single spaces stay separated by single spaces."""
    cleaned = clean_inline(text, profile).text
    assert "  " not in cleaned and cleaned == cleaned.strip()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=30))
def test_detect_any_lines(lines):
    profile = detect(lines)
    start = markup.references_start(lines)
    assert profile.references == start
    if start is not None:
        assert lines[start].strip() == "References"


# --- pages dumped by real tools (from one hand-written HTML page) ------------------------

LYNX = """\
   [1]Home | [2]About us

                             A walk to the harbour

   We left early, before the [3]bakery on the corner opened, and walked
   down to the old harbour, where the fishing boats^[4][1] come in.

   [harbour-2019_01.jpg] [yH5BAEAAAAALAAAAAABAAEAAAIBRAA7] The market
   opened at [5]six. [INS: Updated: :INS] it now opens at seven.
   ____________________ Search (BUTTON) Go [X] Remember me (*) A
   [Select Month]

   [1] Mostly trawlers.

References

   1. file:///home
   2. file:///about
   3. https://example.org/bakery
   4. file:///tmp/mk/page.html#fn1
   5. file:///market
"""
ELINKS = """\
   [1]Home | [2]About us

                             A walk to the harbour

   We left early, before the [3]bakery on the corner opened, and walked down
   to the old harbour, where the fishing boats^[4][1] come in.

   The market opened at [5]six. Updated: it now opens at seven.

   [6]_____________________ [7][\xa0Search\xa0] [8]Go [9][\xa0] Remember me [10](\xa0) A
   [11][\xa0____________\xa0]

   [1] Mostly trawlers.

References

   Visible links
   1. file:///home
   2. file:///about
   3. https://example.org/bakery
   4. file:///tmp/mk/page.html#fn1
   5. file:///market
"""
LINKS2 = """\
   Home | About us

                             A walk to the harbour

   We left early, before the bakery on the corner opened, and walked down to
   the old harbour, where the fishing boats^[1] come in.

   The market opened at six. Updated: it now opens at seven.

   _____________________ [ Search ] Go [ ] Remember me [ ] A
   Select Month

   [1] Mostly trawlers.
"""
W3M = """\
Home | About us

We left early, before the bakery on the corner opened, and walked down to the
old harbour, where the fishing boats^[1] come in.

[harbour-20] [yH5BAEAAAA] [spacer] The market opened at six. [INS:Updated::INS]
it now opens at seven.

[                    ] [Search] Go [*] Remember me ( ) A [Select Month]
[1] Mostly trawlers.
"""
HTML2TEXT = """\
# A walk to the harbour

We left early, _before_ the [bakery on the corner](https://example.org/bakery)
opened, and walked down to the **old harbour** , where the fishing
boats[[1]](#fn1) come in.

![](/img/harbour-2019_01.jpg) ![](data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP)
The market opened at [six](/market). Updated: it now opens at seven.

[1] Mostly trawlers.
"""


def page_units(page: str) -> tuple[Profile, list[str]]:
    lines = page.split("\n")
    profile = detect(lines)
    body = lines if profile.references is None else lines[:profile.references]
    units, cur = [], []
    for line in body + [""]:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            units.append(" ".join(cur))
            cur = []
    return profile, [clean_inline(u, profile).text for u in units]


@pytest.mark.parametrize("page, flags, references", [
    (LYNX, dict(markdown=False, link_numbers=True, forms=True, bracket_images=True), 14),
    (ELINKS, dict(markdown=False, link_numbers=True, forms=True), 14),
    (LINKS2, dict(markdown=False, link_numbers=False, forms=True, bracket_images=False), None),
    (W3M, dict(markdown=False, link_numbers=False, forms=True, bracket_images=True), None),
    (HTML2TEXT, dict(markdown=True, link_numbers=False, forms=False, bracket_images=False),
     None),
], ids=["lynx", "elinks", "links2", "w3m", "html2text"])
def test_real_dumps_detect(page, flags, references):
    profile = detect(page.split("\n"))
    for name, value in flags.items():
        assert getattr(profile, name) is value, name
    assert profile.references == references


@pytest.mark.parametrize("page", [LYNX, ELINKS, LINKS2, W3M, HTML2TEXT],
                         ids=["lynx", "elinks", "links2", "w3m", "html2text"])
def test_real_dumps_keep_the_prose(page):
    _, units = page_units(page)
    text = " ".join(units)
    for sentence in ("We left early, before the bakery on the corner opened, and walked",
                     "where the fishing boats^[1] come in.", "The market opened at six.",
                     "it now opens at seven.", "[1] Mostly trawlers."):
        # html2text writes the footnote link as "[[1]](#fn1)", the others as "^[1]"
        assert sentence.replace("^", "") in text.replace(" ,", ",").replace("^", ""), (
            sentence, text)
    for residue in ("[3]", "[4]", "](", "**", "_before_", "(BUTTON)", "[X]", "[*]", "( )",
                    "____", "INS", ".jpg", "yH5BAE", "file://", "References"):
        assert residue not in text, (residue, text)


# --- the shared dev set -----------------------------------------------------------------

def test_detect_on_the_dev_set_sample():
    """Every 8th dev page in each rendering: markdown only on html2text; lynx/w3m
    conventions never on the renderings that have none."""
    root = shared_path(SHARED / "realweb")
    flagged: dict[str, list[int]] = {}
    for folder in ("pages", "pages-lynx", "pages-w3m", "pages-html2text", "pages-inscriptis"):
        paths = sorted((root / folder).glob("*.txt"))[::8]
        assert len(paths) >= 30, folder
        profiles = [detect(p.read_text(encoding="utf-8").split("\n")) for p in paths]
        flagged[folder] = [sum(p.markdown for p in profiles), len(profiles),
                           sum(p.forms or p.link_numbers for p in profiles)]
    assert flagged["pages-html2text"][0] == flagged["pages-html2text"][1]
    for folder in ("pages", "pages-lynx", "pages-w3m", "pages-inscriptis"):
        assert flagged[folder][0] == 0, folder
    for folder in ("pages", "pages-inscriptis", "pages-html2text"):
        assert flagged[folder][2] == 0, folder
    assert flagged["pages-lynx"][2] > 0 and flagged["pages-w3m"][2] > 0


# --- adversarial input: the work grows linearly -----------------------------------------

MD_ALL = Profile(markdown=True, link_labels=frozenset({"1"}))
LYNX_ALL = Profile(link_numbers=True, forms=True, bracket_images=True)
ADVERSARIAL = {
    "open brackets": lambda n: "[" * n,
    "close-open": lambda n: "](" * n,
    "empty links unclosed": lambda n: "[](" * n,
    "image openers": lambda n: "![" * n,
    "bracket words": lambda n: "[a" * n,
    "url never closed": lambda n: "[x](" + "a " * n,
    "nested then closed": lambda n: "[" * n + "x" + "](u)" * n,
    "inner groups unclosed": lambda n: "[" + "[x]" * n,
    "half inner groups": lambda n: "[[x]" * n,
    "long alt": lambda n: "![" + "a" * n + "](u)",
    "stars": lambda n: "*a " * n,
    "underscores": lambda n: "_a " * n,
    "backtick ladder": lambda n: " ".join("`" * k for k in range(1, int(n ** 0.5) + 1)) * 3,
    "backslashes": lambda n: "\\" * n,
    "autolink openers": lambda n: "<http:" * n,
    "titles unclosed": lambda n: '[a](u "' * n,
    "reference labels": lambda n: "[a][1]" * n,
    "edit markers": lambda n: "[INS:" * n,
    "buttons": lambda n: "(BUTTON" * n,
    "link numbers": lambda n: "[12]" * n,
    "fields": lambda n: "___ " * n,
    "form brackets": lambda n: "[ " * n,
    "image names": lambda n: "[a1_" * n,
    "one long line": lambda n: ("word " * 20 + "[a](http://x/y_z) **b** ") * (n // 20),
}


def _cost(run) -> float:
    """Best of three runs in CPU time, with the garbage collector off: the test is about
    the algorithm's work, not the collector's or a neighbour process's."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(3):
            t0 = time.process_time()
            run()
            best = min(best, time.process_time() - t0)
    finally:
        gc.enable()
    return best


# 8x the input: linear work costs ~8x, quadratic ~64x; the bound leaves room for noise
# on a shared machine.
GROWTH_BOUND = 32


def _grows_linearly(small, large) -> bool:
    """Whether ``large()`` (8x the input of ``small()``) costs less than GROWTH_BOUND
    times as much; measured up to three times, so that a burst of load on a shared
    machine does not fail it, while quadratic work fails every time."""
    small()   # compile the patterns first
    for _ in range(3):
        t_small = max(_cost(small), 2e-4)
        if _cost(large) < GROWTH_BOUND * t_small:
            return True
    return False


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_adversarial_inputs_are_linear(name):
    make = ADVERSARIAL[name]
    small, large = make(1_500), make(12_000)
    for profile in (MD_ALL, LYNX_ALL):
        assert _grows_linearly(lambda: clean_inline(small, profile),
                               lambda: clean_inline(large, profile)), (name, profile)


def test_detect_adversarial_is_linear():
    def lines(n: int) -> list[str]:
        return ["[1]a [2]b (BUTTON) [ ] ____ [x.png] ](" + "[" * 50] * n + \
            ["References", ""] + [f"   {i}. http://a/{i}" for i in range(n)]
    small, large = lines(500), lines(4000)
    assert _grows_linearly(lambda: detect(small), lambda: detect(large))


def test_detect_flags_references_list():
    lines = LYNX.split("\n")
    assert markup.references_start(lines) == 14
    assert re.fullmatch(r"\s*References\s*", lines[14])
    # The same list without lynx's link numbers above it is an article's own list.
    plain = [re.sub(r"\[\d\]", "", line) for line in lines]
    assert markup.references_start(plain) is None
