"""Corpus-level boilerplate (learn), user rules files, and the explain view."""

from __future__ import annotations

import tomllib

import corpusconv
from corpusconv import learn
from corpusconv.explain import explain, render_plain
from corpusconv.rules import load_rules, normalise

PROSE = ("Paragraph {i} of post {d} is about a different subject each time, with enough words to "
         "count as prose, and it ends with a full stop.")
QUOTE = ("To be yourself in a world that is constantly trying to make you something else is the "
         "greatest accomplishment of all, as the saying goes in many posts.")


def page(d: int, with_quote: bool = False) -> list[str]:
    lines = ["My Site Name", "", f"Post number {d} title", ""]
    for i in range(4):
        lines += [PROSE.format(i=i, d=d), ""]
        if with_quote and i == 1:
            lines += [QUOTE, ""]
    lines += ["Subscribe to our weekly letter for more", "", "Copyleft the site owners"]
    return lines


def test_learn_finds_edge_repeats_and_spares_shared_quotation():
    total = learn.Counts()
    for d in range(10):
        total = learn.merge(total, learn.count_lines(page(d, with_quote=d < 4)))
    assert total.docs == 10
    found = {e["text"]: e for e in learn.candidates(total)}
    assert found["my site name"]["df"] == 10
    assert "subscribe to our weekly letter for more" in found
    assert "copyleft the site owners" in found
    # A long line shared by a few posts in their middles is not chrome.
    assert normalise(QUOTE) not in found
    assert not any(k.startswith("post number") for k in found)


def test_merge_is_order_independent_and_bounded():
    docs = [learn.count_lines(page(d)) for d in range(6)]
    a = learn.Counts()
    for c in docs:
        a = learn.merge(a, c)
    b = learn.Counts()
    for c in reversed([learn.count_lines(page(d)) for d in range(6)]):
        b = learn.merge(b, c)
    assert {k: v.df for k, v in a.lines.items()} == {k: v.df for k, v in b.lines.items()}
    small = learn.Counts()
    for d in range(6):
        small = learn.merge(small, learn.count_lines(page(d)), max_keys=20)
    assert len(small.lines) <= 20 + len(learn.count_lines(page(0)).lines)
    assert small.lines["my site name"].df == 6  # frequent lines survive pruning


def test_rules_toml_round_trip_and_convert_with_rules(tmp_path):
    total = learn.Counts()
    for d in range(10):
        total = learn.merge(total, learn.count_lines(page(d)))
    text = learn.rules_toml(learn.candidates(total), total.docs)
    parsed = tomllib.loads(text)
    assert all(r["category"] == "corpus-repeat" and r["df"] >= 3 for r in parsed["rule"])
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    rules = load_rules(path)
    doc = corpusconv.convert_text("\n".join(page(99)) + "\n", source="p99.txt", rules=rules)
    removed = {r.text: r.rule for r in doc.removals}
    assert removed["Subscribe to our weekly letter for more"].startswith("learned.")
    assert "Subscribe to our weekly letter" not in doc.text
    assert doc.provenance.rules_digest != corpusconv.convert_text("x").provenance.rules_digest


def test_user_keep_rule_overrides_builtin(tmp_path):
    text = ("Title Of The Post\n\n" + PROSE.format(i=1, d=1) + "\n\nComments are closed.\n\n"
            + PROSE.format(i=2, d=1) + "\n")
    assert "Comments are closed." not in corpusconv.convert_text(text).text
    path = tmp_path / "keep.toml"
    path.write_text('[[rule]]\nid = "keep.closed"\ncategory = "keep"\naction = "keep"\n'
                    'text = "Comments are closed."\n', encoding="utf-8")
    doc = corpusconv.convert_text(text, rules=load_rules(path))
    assert "Comments are closed." in doc.text


def test_explain_covers_every_line_with_its_reason(seeds_dir):
    path = sorted(seeds_dir.glob("002_*.txt"))[0]
    doc = corpusconv.convert_file(path)
    rows = explain(doc)
    assert len(rows) == len(doc.lines)
    assert all(r.kind != "blank" for r in rows if r.text.strip())
    by_text = {r.text.strip(): r for r in rows}
    assert by_text["Blog at WordPress.com."].element == "footer.powered-by"
    assert by_text["Blog at WordPress.com."].category == "site-footer"
    pema = next(r for r in rows if r.text.endswith("Pema Chödrön"))
    assert pema.kind == "block" and "quote" in pema.element and "Pema Chödrön" in pema.element
    remnant = next(r for r in rows if "(continue reading)" in r.text)
    assert "link.trailing-remnant" in remnant.evidence
    plain = render_plain(rows)
    assert "✗ footer.powered-by" in plain
