"""Data-driven cases for the structuring heuristics (in the style of ftfy's test cases).

Each ``tests/cases/*.json`` file (except those another module reads, ``OTHER_RUNNERS``)
holds a list of cases grouped by theme.  A case is one page of dumped text and what a
careful human reader says it holds:

* ``label``: a readable, unique name (the test id);
* ``input``: the page text, a string or a list of lines (joined with newlines);
* ``layout``: ``"auto"`` (detected) or a forced layout (``lines``, ``wrapped``, ``markdown``);
* ``model`` (optional): run the case on this engine only (``"none"``: the hand-written
  article region alone; ``"default"``: the bundled model); by default it runs on both;
* ``note`` (optional): why the expectation is what it is;
* ``expect``, any of

  - ``title``, ``date``, ``author``: the exact value (``null`` for "the page has none");
  - ``blocks``: the whole article, in order: ``{type, text | text_startswith,
    attribution?}``;
  - ``comments``: the whole thread, in order: ``{author?, depth, text_startswith}``;
  - ``removed``: lines that must be recorded as removed: ``{text, rule | category}`` (either
    may be a list of acceptable values);
  - ``not_in_article`` / ``in_article``: strings that must not / must be in the article;

* ``known_failure: true`` with ``why``: what the hand engine does not get right yet
  (``known_failure_fitted`` with ``why_fitted``: the same for the fitted model).  Such a
  case still runs and is a strict xfail (on a mismatch only; an exception still fails), so
  a fix shows up as a failing XPASS: then drop the flag.

Texts are compared with runs of whitespace folded to one space (a wrapped paragraph's
line breaks are layout, not content); removed lines are compared in their normalised
form (:func:`corpusconv.rules.normalise`: no list marker, no edge punctuation, lower
case).  Every case also checks the accounting invariant (every non-blank line owned once).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from corpusconv import Document, convert_text
from corpusconv.pipeline import check_accounting
from corpusconv.rules import normalise

CASES_DIR = Path(__file__).parent / "cases"
# Case files with their own runner and format.
OTHER_RUNNERS = {"markup.json": "tests/test_markup.py"}
CASE_KEYS = {"label", "input", "layout", "model", "note", "expect", "known_failure", "why",
             "known_failure_fitted", "why_fitted"}
EXPECT_KEYS = {"title", "date", "author", "blocks", "comments", "removed", "not_in_article", "in_article"}
LAYOUTS = {"auto", "lines", "wrapped", "markdown"}
MIN_CASES = 30


def _case_files() -> list[Path]:
    return [p for p in sorted(CASES_DIR.glob("*.json")) if p.name not in OTHER_RUNNERS]


def _load() -> list[dict[str, Any]]:
    cases = []
    for path in _case_files():
        for case in json.loads(path.read_text(encoding="utf-8")):
            case["_file"] = path.name
            cases.append(case)
    return cases


CASES = _load()


# Every case runs on both article engines (unless it names a model): the hand-written
# region ("hand", what --model none runs) and the bundled fitted model ("fitted", the
# default).  ``known_failure``/``why`` mark the hand engine's misses, ``known_failure_fitted``
# / ``why_fitted`` the fitted model's.
ENGINES = {"hand": ("none", "known_failure", "why"), "fitted": ("default", "known_failure_fitted", "why_fitted")}


def _params() -> list[Any]:
    out = []
    for case in CASES:
        for engine, (spec, flag, why) in ENGINES.items():
            if "model" in case and case["model"] != spec:
                continue
            marks = []
            if case.get(flag):
                # Only a mismatch is the known failure: a crash is still an error.
                marks.append(pytest.mark.xfail(strict=True, raises=AssertionError, reason=case.get(why, "")))
            run = dict(case, model=spec)
            out.append(pytest.param(run, id=f"{engine}: {case['_file'][:-5]}: {case['label']}", marks=marks))
    return out


def fold(text: str | None) -> str | None:
    return None if text is None else " ".join(text.split())


def _page(case: dict[str, Any]) -> str:
    text = case["input"]
    return "\n".join(text) + "\n" if isinstance(text, list) else text


def _model(case: dict[str, Any]) -> str | None:
    spec = case.get("model", "none")
    return None if spec == "none" else spec


def convert_case(case: dict[str, Any]) -> Document:
    return convert_text(_page(case), source=f"{case['label']}.txt", layout=case["layout"], model=_model(case))


# --- comparisons: each returns a list of human-readable mismatches ---------------------

def _text_ok(want: dict[str, Any], got: str) -> bool:
    if "text" in want:
        return fold(got) == fold(want["text"])
    if "text_startswith" in want:
        return (fold(got) or "").startswith(fold(want["text_startswith"]) or "")
    return True


def _show_block(b: Any) -> str:
    attr = f" — {b.attribution}" if getattr(b, "attribution", None) else ""
    return f"{b.type}: {fold(b.text)[:90]!r}{attr}"


def _show_want(w: dict[str, Any]) -> str:
    text = w.get("text", w.get("text_startswith"))
    more = "…" if "text_startswith" in w else ""
    attr = f" — {w['attribution']}" if w.get("attribution") else ""
    head = w.get("type") or f"{w.get('author')!r} depth {w.get('depth')}"
    return f"{head}: {fold(text)[:90]!r}{more}{attr}" if text is not None else head


def _compare_seq(kind: str, wants: list[dict[str, Any]], gots: list[Any], same) -> list[str]:
    bad = [i for i in range(max(len(wants), len(gots)))
           if i >= len(wants) or i >= len(gots) or not same(wants[i], gots[i])]
    if not bad:
        return []
    lines = [f"{kind}: expected {len(wants)}, got {len(gots)}; first difference at #{bad[0] + 1}",
             "  expected:"]
    lines += [f"    {'!' if i in bad else ' '} {i + 1}. {_show_want(w)}" for i, w in enumerate(wants)]
    lines.append("  got:")
    shown = _show_block if kind == "blocks" else _show_comment
    lines += [f"    {'!' if i in bad else ' '} {i + 1}. {shown(g)}" for i, g in enumerate(gots)]
    return ["\n".join(lines)]


def _same_block(want: dict[str, Any], got: Any) -> bool:
    if got.type != want["type"] or not _text_ok(want, got.text):
        return False
    return "attribution" not in want or fold(got.attribution) == fold(want["attribution"])


def _show_comment(c: Any) -> str:
    return f"{c.author!r} depth {c.depth}: {fold(c.text)[:90]!r}"


def _same_comment(want: dict[str, Any], got: Any) -> bool:
    if "author" in want and got.author != want["author"]:
        return False
    return got.depth == want["depth"] and _text_ok(want, got.text)


def _one_of(got: str, want: str | list[str] | None) -> bool:
    return want is None or got == want or (isinstance(want, list) and got in want)


def _compare_removed(wants: list[dict[str, Any]], doc: Document) -> list[str]:
    out = []
    for want in wants:
        norm = normalise(want["text"])
        found = [r for r in doc.removals if normalise(r.text) == norm]
        if not found:
            out.append(f"removed: {want['text']!r} not removed")
            continue
        ok = [r for r in found if _one_of(r.rule, want.get("rule")) and _one_of(r.category, want.get("category"))]
        if not ok:
            got = ", ".join(f"{r.rule} ({r.category})" for r in found)
            out.append(f"removed: {want['text']!r} removed by {got}; expected "
                       f"{want.get('rule') or want.get('category')}")
    return out


def check(case: dict[str, Any], doc: Document) -> list[str]:
    """Every way ``doc`` differs from the case's expectation (empty: it matches)."""
    want = case["expect"]
    problems = [f"accounting: {p}" for p in check_accounting(doc)]
    for field in ("title", "date", "author"):
        if field in want and getattr(doc, field) != want[field]:
            problems.append(f"{field}: expected {want[field]!r}, got {getattr(doc, field)!r}")
    if "blocks" in want:
        problems += _compare_seq("blocks", want["blocks"], doc.blocks, _same_block)
    if "comments" in want:
        problems += _compare_seq("comments", want["comments"], doc.comments, _same_comment)
    problems += _compare_removed(want.get("removed", []), doc)
    article = fold(doc.text) or ""
    problems += [f"not_in_article: {s!r} is in the article" for s in want.get("not_in_article", [])
                 if fold(s) in article]
    problems += [f"in_article: {s!r} is not in the article" for s in want.get("in_article", [])
                 if fold(s) not in article]
    return problems


@pytest.mark.parametrize("case", _params())
def test_case(case):
    doc = convert_case(case)
    problems = check(case, doc)
    assert not problems, f"{case['_file']}: {case['label']}\n" + "\n".join(problems)


# --- the case files themselves ---------------------------------------------------------

def test_case_files_are_well_formed():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases"
    labels = [c["label"] for c in CASES]
    assert len(labels) == len(set(labels)), "duplicate labels"
    for c in CASES:
        where = f"{c['_file']}: {c.get('label')}"
        assert set(c) - {"_file"} <= CASE_KEYS, f"{where}: unknown keys {set(c) - CASE_KEYS - {'_file'}}"
        assert c["layout"] in LAYOUTS, f"{where}: layout {c['layout']!r}"
        assert c["expect"] and set(c["expect"]) <= EXPECT_KEYS, f"{where}: expect keys {set(c['expect'])}"
        assert bool(c.get("known_failure")) == bool(c.get("why")), f"{where}: known_failure needs a why"
        assert bool(c.get("known_failure_fitted")) == bool(c.get("why_fitted")), f"{where}: known_failure_fitted needs a why_fitted"
        for b in c["expect"].get("blocks", []) + c["expect"].get("comments", []):
            assert not ("text" in b and "text_startswith" in b), where
        for r in c["expect"].get("removed", []):
            assert "rule" in r or "category" in r, f"{where}: a removal names its rule or category"


def test_runner_reports_differences():
    """The comparison is not vacuous: a wrong expectation is reported, with both sides."""
    case = {"label": "probe", "input": ["A heading", "", "Some words in a paragraph that runs on."],
            "layout": "auto", "expect": {"title": "Not this", "blocks": [{"type": "quote", "text": "x"}],
                                         "in_article": ["absent"]}}
    problems = check(case, convert_case(case))
    assert any(p.startswith("title: expected 'Not this'") for p in problems)
    assert any(p.startswith("blocks:") and "expected:" in p and "got:" in p for p in problems)
    assert "in_article: 'absent' is not in the article" in problems
