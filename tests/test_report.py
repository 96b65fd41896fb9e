"""`corpusconv report`: figures and flags on hand-made records, charts, views, the build and the CLI.

The browser tests (tests/test_report_browser.py) open what these build in Chromium.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings, strategies as st
from lxml import etree, html
from typer.testing import CliRunner

from corpusconv.cli import EXIT_FAILED, EXIT_NOTHING_TO_DO, EXIT_OK, EXIT_USAGE, app
from corpusconv.errors import OutputError
from corpusconv.report import NothingToReport, ReportOptions, build_report
from corpusconv.report.charts import Bar, bar_chart, histogram_chart
from corpusconv.report.figures import (MOSTLY_REMOVED_SHARE, SAMPLES_PER_RULE, VERY_LONG_PAGE_WORDS,
                                       CorpusFigures, Histogram, article_length_histogram,
                                       comments_histogram, page_digest, page_figures, removed_share_histogram,
                                       rule_uses)
from corpusconv.report.folder import MARKER, folder_for
from corpusconv.report.records import BadRecord, check_record, read_records
from corpusconv.report.views import (Marker, _compressed_digest, line_marks, load_page, record_fields,
                                     render_lines, render_rebuilt)
from corpusconv.writing import TMP_PREFIX

from report_data import (PROSE, PROSE_WORDS, block, comment, page_with_source, record, removal,
                         small_set, write_jsonl)


def codes(rec: dict) -> list[str]:
    return [f.code for f in page_figures(rec, 1).flags]


# --------------------------------------------------------------------------- page figures


def test_page_counts_words_comments_quotes_and_removed_lines():
    rec = record("p", blocks=[block(1, "one two three"), block(3, "four five", kind="quote")],
                 comments=[comment("c1", 5, "six seven"), comment("c2", 6, "eight", depth=1)],
                 boilerplate=[removal(7, "nine ten eleven"), removal(8, "twelve")])
    page = page_figures(rec, 7)
    assert (page.ordinal, page.words_kept, page.words_removed, page.words_comments) == (7, 5, 4, 3)
    assert (page.comments, page.quotes, page.removed_lines) == (2, 1, 2)
    assert page.words_total == 12 and page.share_removed == pytest.approx(4 / 12)


def test_a_good_page_raises_no_flag():
    assert codes(small_set()[0]) == []


def test_empty_article_is_flagged_with_the_prose_that_was_removed():
    page = page_figures(small_set()[1], 2)
    (flag, *_rest) = page.flags
    assert flag.code == "empty-article"
    assert f"{4 * PROSE_WORDS} words of prose" in flag.reason


def test_tiny_article_needs_removed_prose():
    short = [block(3, "Just a few words here.")]
    prose = [removal(n, PROSE, "shape.page-footer", "page-footer") for n in (5, 7, 9, 11)]
    assert "tiny-article" in codes(record("t", blocks=short, boilerplate=prose))
    menu = [removal(n, "• Menu item", "shape.navigation") for n in range(5, 80)]
    assert "tiny-article" not in codes(record("t", blocks=short, boilerplate=menu))


def test_mostly_removed_share_is_above_the_threshold():
    n_removed = 20
    kept_words = PROSE_WORDS  # one block
    rem = [removal(n, PROSE) for n in range(10, 10 + n_removed)]
    share = n_removed * PROSE_WORDS / (n_removed * PROSE_WORDS + kept_words)
    assert share > MOSTLY_REMOVED_SHARE
    one = [block(1, PROSE)]
    assert "mostly-removed" in codes(record("m", blocks=one, boilerplate=rem))
    assert "mostly-removed" not in codes(record("m", blocks=one, boilerplate=rem[:2]))


def test_no_title_and_repairs_are_flagged():
    untitled = small_set()[2]
    page = page_figures(untitled, 3)
    assert [f.code for f in page.flags] == ["no-title", "repairs"]
    assert page.flags[1].reason == "mojibake"
    assert page.url == "https://example.org/untitled"


@pytest.mark.parametrize("heading, found, flagged", [
    ("5 Comments", 0, True), ("[ 1,234 comments ]", 0, True), ("0 Comments", 0, False),
    ("Comments", 0, False), ("5 Comments", 1, False)])
def test_comments_missed_reads_the_count_in_the_heading(heading, found, flagged):
    rec = record("c", boilerplate=[removal(9, heading, "comment.heading", "comment-heading")],
                 comments=[comment("c1", 12, "Hi there.")] * found)
    assert ("comments-missed" in codes(rec)) is flagged


def test_comments_missed_from_per_comment_links():
    links = [removal(n, "Reply", "comment.reply", "comment-action") for n in (10, 20, 30)]
    assert "comments-missed" in codes(record("c", boilerplate=links))
    assert "comments-missed" not in codes(record("c", boilerplate=links[:2]))


def test_very_short_and_very_long_pages():
    assert "very-short" in codes(record("s", blocks=[block(1, "Hello.")]))
    long_text = " ".join(["word"] * (VERY_LONG_PAGE_WORDS + 1))
    assert "very-long" in codes(record("l", blocks=[block(1, long_text)]))
    assert not {"very-short", "very-long"} & set(codes(small_set()[0]))


# --------------------------------------------------------------------------- corpus figures


def test_corpus_totals_rules_and_categories():
    corpus = CorpusFigures()
    for i, rec in enumerate(small_set(), 1):
        corpus.add(page_digest(rec, i))
    assert corpus.pages == 4
    assert corpus.comments == 2 and corpus.quotes == 0
    assert corpus.words_kept == 3 * 4 * PROSE_WORDS  # the empty page keeps nothing
    assert corpus.flagged_pages == 3
    assert corpus.flags == {"empty-article": 1, "mostly-removed": 1, "no-title": 1, "repairs": 1,
                            "comments-missed": 1}
    ranked = [(f.rule, f.lines, f.pages) for f in corpus.ranked_rules()]
    assert ranked == [("shape.navigation", 4, 3), ("shape.page-footer", 4, 1), ("comment.heading", 2, 2),
                      ("comment.reply", 1, 1), ("share.like", 1, 1)]  # ties by id
    assert corpus.ranked_categories()[0] == ("navigation", 4)
    assert corpus.repairs == {"mojibake": 1} and corpus.tool_versions == {"corpusconv 0.1.0": 4}


def test_samples_come_from_distinct_pages_and_are_bounded():
    corpus = CorpusFigures()
    for i in range(1, 10):
        rec = record(f"p{i}", boilerplate=[removal(1, f"nav {i}"), removal(2, f"nav {i} again")])
        corpus.add(page_digest(rec, i))
    nav = corpus.rules["shape.navigation"]
    assert (nav.lines, nav.pages) == (18, 9)
    assert [(s.page_id, s.line, s.text) for s in nav.samples] == [(f"p{i}", 1, f"nav {i}")
                                                                 for i in range(1, SAMPLES_PER_RULE + 1)]


def test_rule_uses_count_each_rule_once_per_page_with_its_first_line():
    bp = [removal(4, "a b"), removal(2, "Share", "share.like", "share-widget"), removal(9, "c")]
    uses = rule_uses(bp, [2, 1, 1])
    assert [(u.rule, u.lines, u.words, u.first_line, u.first_text) for u in uses] == [
        ("shape.navigation", 2, 3, 4, "a b"), ("share.like", 1, 1, 2, "Share")]


@pytest.mark.parametrize("make, value, label", [
    (article_length_histogram, 0, "0"), (article_length_histogram, 1, "1–49"),
    (article_length_histogram, 50, "50–99"), (article_length_histogram, 10**6, "5k+"),
    (removed_share_histogram, 0.0, "0–10%"), (removed_share_histogram, 0.1, "10–20%"),
    (removed_share_histogram, 1.0, "90–100%"), (comments_histogram, 4, "2–4"),
    (comments_histogram, 100, "100+")])
def test_histogram_bins(make, value, label):
    h: Histogram = make()
    h.add(value)
    assert h.counts[h.labels.index(label)] == 1 and sum(h.counts) == 1


# --------------------------------------------------------------------------- records


def test_check_record_accepts_extra_and_missing_optional_keys():
    rec = record("x", url="https://example.org/", metadata={"a": 1}, future_key=[1, 2])
    assert check_record(rec) is None
    for key in ("source", "title", "provenance", "date", "author"):
        del rec[key]
    assert check_record(rec) is None


@pytest.mark.parametrize("mutate, reason", [
    (lambda r: r.pop("boilerplate"), "'boilerplate' missing"),
    (lambda r: r.update(text=3), "'text' missing or not a str"),
    (lambda r: r.update(url=5), "'url' is not a str"),
    (lambda r: r["boilerplate"].append({"rule": "x"}), "boilerplate entry 1 lacks 'line'"),
    (lambda r: r["blocks"][0].update(lines=[1]), "blocks entry 1 has 'lines' that are not"),
    (lambda r: r["comments"].append("c1"), "comments entry 1 is not an object"),
])
def test_check_record_names_what_is_wrong(mutate, reason):
    rec = record("x")
    mutate(rec)
    assert reason in check_record(rec)


def test_read_records_streams_gzip_and_reports_bad_lines(tmp_path):
    path = write_jsonl(tmp_path / "c.jsonl.gz", small_set()[:2], [b"\n", b"{not json\n", b"[1, 2]\n"])
    got = list(read_records(str(path)))
    assert [r["id"] for r in got if isinstance(r, dict)] == ["good", "empty"]
    bad = [r for r in got if isinstance(r, BadRecord)]
    assert [(b.line, b.reason.split(" (")[0]) for b in bad] == [(4, "not JSON"), (5, "not a JSON object")]
    assert bad[0].message().startswith(f"{path}:4: not JSON")


# --------------------------------------------------------------------------- charts


def test_bar_chart_has_one_bar_per_item_and_escapes_labels():
    bars = [Bar("a<b>", 10, "#f00", href="#x&y"), Bar("c", 5, "#0f0"), Bar("zero", 0, "#00f")]
    svg = etree.fromstring(bar_chart(bars, css_class="t", title="T"))
    rects = svg.findall(".//{http://www.w3.org/2000/svg}rect")
    assert [r.get("class") for r in rects] == ["bar"] * 3
    widths = [int(r.get("width")) for r in rects]
    assert widths[0] > widths[1] > widths[2] == 0 and widths[0] == 2 * widths[1]
    assert svg.find(".//{http://www.w3.org/2000/svg}a").get("href") == "#x&y"
    assert "a<b>" in "".join(svg.itertext())


def test_histogram_chart_draws_each_bin():
    h = comments_histogram()
    for v in (0, 0, 3):
        h.add(v)
    svg = etree.fromstring(histogram_chart(h, css_class="c"))
    rects = svg.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(rects) == len(h.labels) and int(rects[0].get("height")) > int(rects[2].get("height")) > 0


# --------------------------------------------------------------------------- views


def test_line_marks_removals_win_and_partial_cuts_are_noted():
    rec = record("v", blocks=[block(1, "para", last=3)], comments=[comment("c1", 5, "hi", depth=2)],
                 boilerplate=[removal(2, "[image.png]", "image.filename", "image-remnant"),
                              removal(3, "Continue reading", "link.more", "link-remnant", partial=True)])
    marks = line_marks(rec, 5, Marker({"image.filename": "an image's file name"}))
    assert marks[1].css == "a" and marks[1].tag == "paragraph"
    assert marks[2].css == "r k-image-remnant" and marks[2].rule == "image.filename"
    assert "an image's file name" in marks[2].tip and marks[2].key != marks[1].key
    assert "link.more cut 'Continue reading'" in marks[3].tip and marks[3].css == "a"
    assert marks[5].css == "c c2"
    assert 4 not in marks


def test_line_marks_clamp_spans_to_the_page():
    rec = record("v", blocks=[block(1, "x", last=10**9)])
    assert sorted(line_marks(rec, 3, Marker({}))) == [1, 2, 3]


def test_rebuilt_view_lists_removals_blocks_and_comments_in_line_order():
    rec = small_set()[0]
    rows_html, tips = render_rebuilt(rec, Marker({}))
    rows = html.fromstring(f"<div>{rows_html}</div>")
    lines = [int(el.get("id")[1:]) for el in rows]
    assert lines == sorted(lines) and lines[:3] == [1, 2, 3]
    assert rows[0].get("data-rule") == "shape.navigation"
    assert tips["rules"]["shape.navigation"].startswith("removed by shape.navigation (navigation)")
    assert tips["lines"][rows[2].get("data-k")] == "article: paragraph #1"


def test_load_page_checks_the_sha256(tmp_path):
    rec, path = page_with_source(tmp_path)
    lines, why = load_page(rec, "/")
    assert why == "" and lines[0] == "My Blog"
    path.write_text("changed\n", encoding="utf-8")
    assert load_page(rec, "/")[0] is None and "changed" in load_page(rec, "/")[1]
    path.unlink()
    assert "not there" in load_page(rec, "/")[1]
    assert "no SHA-256" in load_page({**rec, "provenance": None}, "/")[1]


def test_load_page_resolves_relative_sources_and_reads_compressed_ones(tmp_path):
    rec, path = page_with_source(tmp_path)
    gz = tmp_path / "page.txt.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    rel = {**rec, "source": "page.txt.gz", "provenance": {**rec["provenance"], "source_path": "page.txt.gz"}}
    lines, why = load_page(rel, str(tmp_path))
    assert why == "" and len(lines) == len(path.read_text().splitlines())


def test_a_plain_file_of_another_size_is_not_read(tmp_path):
    rec, path = page_with_source(tmp_path)
    rec["provenance"]["bytes"] += 1  # the same digest, but not the size it was made from
    assert load_page(rec, "/") == (None, f"{path} has changed since it was converted (SHA-256 differs)")


def test_a_compressed_archive_that_is_not_the_page_is_read_once(tmp_path):
    archive = tmp_path / "crawl.warc.gz"
    archive.write_bytes(gzip.compress(b"WARC/1.0\n" * 1000))
    records = [record(f"w{i}", source=str(archive)) for i in range(3)]
    _compressed_digest.cache_clear()
    assert all(load_page(r, "/")[0] is None for r in records)
    assert _compressed_digest.cache_info().misses == 1


def test_record_fields_show_new_keys_and_url():
    rec = small_set()[2]
    keys = [k for k, _ in record_fields(rec)]
    assert keys[:2] == ["id", "url"] and "metadata" in keys and "provenance.layout" in keys
    assert "url" not in [k for k, _ in record_fields(small_set()[0])]


# --------------------------------------------------------------------------- build


def build(tmp_path: Path, records: list[dict], **kw) -> tuple:
    src = write_jsonl(tmp_path / "corpus.jsonl", records)
    out = tmp_path / "out" / "report.html"
    res = build_report(ReportOptions(records=[str(src)], output=str(out), **kw))
    return res, out, html.fromstring(out.read_bytes())


def test_build_writes_the_page_and_a_view_per_record(tmp_path):
    rec, _ = page_with_source(tmp_path)
    res, out, doc = build(tmp_path, small_set() + [rec])
    assert (res.pages, res.views_from_input, res.views_rebuilt, res.failures) == (5, 1, 4, 0)
    files = sorted(os.listdir(folder_for(out)))
    assert files == [MARKER] + [f"page-00000{i}.html" for i in range(1, 6)] + ["view.css", "view.js"]
    assert not [p for p in os.listdir(out.parent) if p.startswith(TMP_PREFIX)]
    n_rules = len({r["rule"] for x in small_set() + [rec] for r in x["boilerplate"]})
    bars = doc.xpath('//section[@id="rules"]//*[local-name()="svg"][contains(@class, "by-rule")]'
                     '//*[local-name()="rect"][@class="bar"]')
    assert len(bars) == n_rules
    assert doc.xpath('//section[@id="rules"]//*[local-name()="a"][@href="#rule-shape.navigation"]')
    assert {s.get("id") for s in doc.xpath("//section")} == {"overview", "rules", "flagged", "distributions",
                                                                "pages"}
    assert not [p for p in os.listdir(out.parent) if p.startswith(TMP_PREFIX)]


def test_the_view_colours_every_line_of_the_input(tmp_path):
    rec, path = page_with_source(tmp_path)
    _, out, _ = build(tmp_path, [rec])
    view = html.fromstring((folder_for(out) / "page-000001.html").read_bytes())
    rows = view.xpath('//div[@id="lines"]/div[contains(@class, "l")]')
    assert len(rows) == len(path.read_text().splitlines())
    removed = {int(r.get("id")[1:]): r.get("data-rule") for r in view.xpath('//div[@id="lines"]/div[@data-rule]')}
    assert removed == {r["line"]: r["rule"] for r in rec["boilerplate"]}
    assert len(view.xpath('//div[@id="lines"]/div[@class="l a"]')) == len(rec["blocks"])
    assert view.xpath("//nav/a")[0].get("href") == "../report.html#pages"


def test_build_is_deterministic(tmp_path):
    rec, _ = page_with_source(tmp_path)
    _, out, _ = build(tmp_path, small_set() + [rec])
    first = {p.name: p.read_bytes() for p in [out, *folder_for(out).iterdir()]}
    build(tmp_path, small_set() + [rec], force=True)
    assert {p.name: p.read_bytes() for p in [out, *folder_for(out).iterdir()]} == first


def test_the_same_bytes_for_any_number_of_jobs(tmp_path, monkeypatch):
    from corpusconv.report import build as build_module

    pooled = []
    real_pooled = build_module._pooled
    monkeypatch.setattr(build_module, "IN_PROCESS_CHUNKS", 1)  # workers take all but the first chunk
    monkeypatch.setattr(build_module, "_pooled", lambda *a: pooled.append(a[2]) or real_pooled(*a))
    rec, _ = page_with_source(tmp_path)
    src = write_jsonl(tmp_path / "c.jsonl", (small_set() + [rec]) * 8)  # several chunks, shared by workers
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}" / "report.html"
        build_report(ReportOptions(records=[str(src)], output=str(out), jobs=jobs))
        outs.append({p.name: p.read_bytes() for p in [out, *folder_for(out).iterdir()]})
    assert pooled == [2]  # jobs=1 never starts workers, jobs=2 did
    assert len(outs[0]) == 40 + 4 and outs[0] == outs[1]


def test_a_large_index_goes_to_pages_js(tmp_path):
    records = [record(f"p{i}") for i in range(12)]
    res, out, doc = build(tmp_path, records, inline_index_pages=5)
    assert not res.inline_index
    js = (folder_for(out) / "pages.js").read_text()
    rows = orjson.loads(js.split("=", 1)[1].rstrip().rstrip(";"))
    assert [r[1] for r in rows] == [f"p{i}" for i in range(12)]
    assert doc.xpath('//script[@src="report_files/pages.js"]')
    (tmp_path / "b").mkdir()
    small, out2, _ = build(tmp_path / "b", records[:5], inline_index_pages=5)
    assert small.inline_index and not (folder_for(out2) / "pages.js").exists()


def test_existing_outputs_need_force_and_a_foreign_folder_is_never_replaced(tmp_path):
    build(tmp_path, small_set())
    with pytest.raises(OutputError, match="already exists"):
        build(tmp_path, small_set())
    build(tmp_path, small_set(), force=True)
    foreign = tmp_path / "x" / "mine_files"
    foreign.mkdir(parents=True)
    (foreign / "precious.txt").write_text("keep")
    src = write_jsonl(tmp_path / "c2.jsonl", small_set())
    with pytest.raises(OutputError, match="not made by corpusconv report"):
        build_report(ReportOptions(records=[str(src)], output=str(tmp_path / "x" / "mine.html"), force=True))
    assert (foreign / "precious.txt").read_text() == "keep"


def test_no_records_writes_nothing(tmp_path):
    src = write_jsonl(tmp_path / "empty.jsonl", [], [b"{bad\n"])
    with pytest.raises(NothingToReport):
        build_report(ReportOptions(records=[str(src)], output=str(tmp_path / "r.html")))
    assert sorted(os.listdir(tmp_path)) == ["empty.jsonl"]


def test_errors_log_failures_are_listed(tmp_path):
    log = tmp_path / "convert.log"
    log.write_text("corpusconv: error: pages/photo.txt: not text: looks like a PNG image\n"
                   "corpusconv: 1 input(s) failed:\n  pages/photo.txt: not text: looks like a PNG image\n")
    res, _, doc = build(tmp_path, small_set(), errors_log=str(log))
    assert res.failures == 1
    assert [li.text_content() for li in doc.xpath('//ul[@class="failures"]/li')] == [
        "convert: pages/photo.txt: not text: looks like a PNG image"]


# --------------------------------------------------------------------------- CLI


def cli(*args: str):
    """In-process; one job unless a test asks for workers (speed)."""
    args = list(args) + (["-j", "1"] if args[:1] == ("report",) and "--help" not in args else [])
    return CliRunner().invoke(app, args)


def test_cli_report_and_its_exit_codes(tmp_path):
    good = write_jsonl(tmp_path / "c.jsonl", small_set())
    r = cli("report", str(good), "-o", str(tmp_path / "r.html"))
    assert r.exit_code == EXIT_OK, r.output
    assert "report of 4 pages" in r.stderr and (tmp_path / "r_files" / "page-000004.html").exists()
    malformed = record("m", boilerplate=[{"rule": "x", "text": "no line"}])
    bad = write_jsonl(tmp_path / "bad.jsonl", small_set(), [b"{oops\n", orjson.dumps(malformed) + b"\n"])
    r = cli("report", str(bad), "-o", str(tmp_path / "b.html"))
    assert r.exit_code == EXIT_FAILED and f"{bad}:5: not JSON" in r.stderr
    assert f"{bad}:6: boilerplate entry 1 lacks 'line'" in r.stderr
    assert (tmp_path / "b.html").exists()
    empty = write_jsonl(tmp_path / "none.jsonl", [])
    assert cli("report", str(empty), "-o", str(tmp_path / "n.html")).exit_code == EXIT_NOTHING_TO_DO
    rules = tmp_path / "bad.toml"
    rules.write_text("[[rule]]\nid = 1\n")
    assert cli("report", str(good), "-o", str(tmp_path / "x.html"), "--rules", str(rules)).exit_code == EXIT_USAGE
    r = cli("report", str(good), "-o", str(good))
    assert r.exit_code == EXIT_FAILED and "also an input" in r.stderr


def test_cli_report_help_has_an_example():
    r = cli("report", "--help")
    assert r.exit_code == 0 and "Example" in r.output
    assert "corpusconv report corpus.jsonl.gz -o report.html" in r.output


def test_user_rules_describe_their_removals(tmp_path):
    rules = tmp_path / "site.toml"
    rules.write_text('[[rule]]\nid = "mysite.footer"\ncategory = "site-footer"\ntext = "acme"\n'
                     'description = "the acme footer"\n')
    rec = record("u", boilerplate=[removal(1, "Acme", "mysite.footer", "site-footer")])
    src = write_jsonl(tmp_path / "c.jsonl", [rec])
    assert cli("report", str(src), "-o", str(tmp_path / "r.html"), "--rules", str(rules)).exit_code == 0
    view = (tmp_path / "r_files" / "page-000001.html").read_text()
    assert "removed by mysite.footer (site-footer): the acme footer" in view


def test_cli_reads_records_from_stdin(tmp_path):
    data = b"".join(orjson.dumps(r) + b"\n" for r in small_set())
    r = CliRunner().invoke(app, ["report", "-", "-o", str(tmp_path / "r.html"), "-j", "1"], input=data)
    assert r.exit_code == EXIT_OK, r.output
    assert (tmp_path / "r_files" / "page-000004.html").exists()


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.jsonl", "no such file"),
    (lambda p: p, "is a directory"),
    (lambda p: (p / "bad.jsonl.gz").write_bytes(b"\x1f\x8bnot gzip") and p / "bad.jsonl.gz", "cannot read"),
])
def test_cli_unreadable_input_is_one_line(tmp_path, make, message):
    src = make(tmp_path)
    r = cli("report", str(src), "-o", str(tmp_path / "out" / "r.html"))
    assert r.exit_code == EXIT_FAILED
    assert r.stderr.count("\n") == 1 and message in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists() or not [p for p in (tmp_path / "out").iterdir()]


# --------------------------------------------------------------------------- invariants


_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)
_REMOVAL = st.builds(removal, line=st.integers(1, 30), text=_TEXT,
                     rule=st.sampled_from(["shape.navigation", "share.like", "comment.reply", "u<&>"]),
                     category=st.sampled_from(["navigation", "share-widget", "comment-action", "odd cat"]),
                     partial=st.booleans())
_BLOCK = st.builds(block, first=st.integers(1, 30), text=_TEXT,
                   kind=st.sampled_from(["paragraph", "heading", "quote", "list_item"]))
_RECORD = st.builds(record, rid=st.sampled_from(["a", "b", "c"]), title=st.none() | _TEXT,
                    blocks=st.lists(_BLOCK, max_size=5), boilerplate=st.lists(_REMOVAL, max_size=12),
                    comments=st.lists(st.builds(comment, cid=st.sampled_from(["c1", "c2"]), first=st.integers(1, 30),
                                                text=_TEXT, depth=st.integers(0, 6)), max_size=4))


@settings(max_examples=60, deadline=None)
@given(st.lists(_RECORD, min_size=1, max_size=6))
def test_corpus_figures_add_up(records):
    corpus = CorpusFigures()
    for i, rec in enumerate(records, 1):
        assert check_record(rec) is None
        corpus.add(page_digest(rec, i))
    n_removed = sum(len(r["boilerplate"]) for r in records)
    assert corpus.pages == len(records)
    assert sum(f.lines for f in corpus.rules.values()) == n_removed == sum(corpus.categories.values())
    assert all(f.pages <= len(records) and len(f.samples) <= min(f.pages, SAMPLES_PER_RULE)
               for f in corpus.rules.values())
    for hist in (corpus.article_lengths, corpus.removed_shares, corpus.comment_counts):
        assert sum(hist.counts) == len(records)
    assert corpus.flagged_pages == sum(bool(page_figures(r, 1).flags) for r in records)


@settings(max_examples=60, deadline=None)
@given(_RECORD, st.lists(_TEXT, min_size=1, max_size=30))
def test_every_input_line_is_one_row_with_its_text(rec, lines):
    rows_html, tips = render_lines(lines, line_marks(rec, len(lines), Marker({})))
    rows = html.fromstring(f"<div>{rows_html}</div>")
    assert [el.get("id") for el in rows] == [f"L{n}" for n in range(1, len(lines) + 1)]
    for el, text in zip(rows, lines):
        shown = "".join(el.itertext())
        assert shown.endswith(text) and shown.startswith(el.get("id")[1:])
        key, rule = el.get("data-k"), el.get("data-rule")
        assert (key in tips["lines"]) if key else (rule is None or rule in tips["rules"])
