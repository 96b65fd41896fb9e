"""The report's main page: overview, rules, flagged pages, distributions, all pages.

Everything the page shows is drawn here as HTML and inline SVG; the tables of pages are
filled by the inline script from a compact array of rows (inline for a small corpus, in
``report_files/pages.js`` for a large one, so the main file stays small).  No request
leaves the folder: no fonts, no library, no CDN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape
from importlib import resources

import orjson

from .charts import Bar, bar_chart, histogram_chart
from .colours import category_colour
from .jsonhtml import script_json
from .figures import FLAG_LABELS, SAMPLES_PER_RULE, CorpusFigures, PageFigures
from .views import view_name

#: Failures listed by name in the overview; the rest are counted.
FAILURES_SHOWN = 200
#: Characters of a title kept in the page table.
INDEX_TITLE_CHARS = 120


@lru_cache(maxsize=None)
def asset(name: str) -> str:
    return resources.files(__package__).joinpath("assets", name).read_text(encoding="utf-8")


def index_row(page: PageFigures) -> bytes:
    """One page's row of the page tables (see the column list in assets/report.js)."""
    title = page.title if page.title is None or len(page.title) <= INDEX_TITLE_CHARS \
        else page.title[:INDEX_TITLE_CHARS - 1] + "…"
    row = [page.ordinal, page.id, title, page.date, page.words_kept, page.words_removed,
           round(100 * page.share_removed), page.comments, page.quotes,
           [f.code for f in page.flags], [f.reason for f in page.flags], page.url]
    return orjson.dumps(row).replace(b"<", b"\\u003c")


@dataclass
class ReportMeta:
    """What the page says about its making, besides the figures."""

    title: str                       # the input(s), as named on the command line
    files: str                       # the folder beside the page, URL-quoted
    failures: list[str] = field(default_factory=list)
    failures_total: int = 0
    views_from_input: int = 0
    views_rebuilt: int = 0
    rebuilt_reasons: list[str] = field(default_factory=list)


def _card(value: str, label: str) -> str:
    return f'<div class="card"><b>{value}</b><span>{escape(label)}</span></div>'


def _counter_rows(title: str, counter) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    cells = "".join(f'<tr><td><code>{escape(str(k))}</code></td><td class="n">{n:,}</td></tr>' for k, n in items)
    return f"<div><h3>{escape(title)}</h3><table>{cells or '<tr><td>none</td></tr>'}</table></div>"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "–"


def overview(c: CorpusFigures, meta: ReportMeta) -> str:
    total = c.words_total
    cards = "".join([
        _card(f"{c.pages:,}", "pages"),
        _card(f"{c.words_kept:,}", f"words kept ({_share(c.words_kept, total)})"),
        _card(f"{c.words_removed:,}", f"words removed ({_share(c.words_removed, total)})"),
        _card(f"{c.words_comments:,}", "words in comments"),
        _card(f"{c.comments:,}", "comments"),
        _card(f"{c.quotes:,}", "quotes"),
        _card(f"{c.flagged_pages:,}", "pages to review"),
        _card(f"{meta.failures_total:,}", "failures"),
    ])
    made = "".join([_counter_rows("tool version", c.tool_versions), _counter_rows("rules digest", c.rules_digests),
                    _counter_rows("input encoding", c.encodings), _counter_rows("decoder repairs", c.repairs)])
    views = (f"<p>Per-page views: {meta.views_from_input:,} show the input page; {meta.views_rebuilt:,} are "
             "rebuilt from the record (input page missing or changed)"
             + (f", e.g. {escape(meta.rebuilt_reasons[0])}" if meta.rebuilt_reasons else "") + ".</p>")
    return (f'<section id="overview"><h2>Overview</h2><div class="cards">{cards}</div>'
            f'<div class="charts">{made}</div>{views}{_failures(meta)}</section>')


def _failures(meta: ReportMeta) -> str:
    if not meta.failures_total:
        return "<p>No failures: every record was read.</p>"
    items = "".join(f"<li><code>{escape(f)}</code></li>" for f in meta.failures[:FAILURES_SHOWN])
    more = meta.failures_total - min(len(meta.failures), FAILURES_SHOWN)
    tail = f"<li>… and {more:,} more</li>" if more > 0 else ""
    return f'<h3>Failures</h3><ul class="failures">{items}{tail}</ul>'


def rule_anchor(rule: str) -> str:
    return "rule-" + re.sub(r"[^A-Za-z0-9._-]", "_", rule)


def rules_section(c: CorpusFigures, files: str) -> str:
    ranked = c.ranked_rules()
    by_category = [Bar(cat, n, category_colour(cat), tip=f"{cat}: {n:,} lines") for cat, n in c.ranked_categories()]
    by_rule = [Bar(f.rule, f.lines, category_colour(f.category), href="#" + rule_anchor(f.rule),
                   tip=f"{f.rule} ({f.category}): {f.lines:,} lines, {f.words:,} words, on {f.pages:,} pages")
               for f in ranked]
    samples = "".join(_rule_samples(f, files) for f in ranked)
    return ('<section id="rules"><h2>Removals by rule</h2>'
            f"<p>{sum(f.lines for f in ranked):,} lines removed by {len(ranked):,} rules in "
            f"{len(by_category):,} categories. A rule's bar links to sample lines it removed.</p>"
            "<h3>By category (lines)</h3>"
            f"{bar_chart(by_category, css_class='by-category', title='lines removed by category')}"
            f"<h3>By rule (lines)</h3>{bar_chart(by_rule, css_class='by-rule', title='lines removed by rule')}"
            f"<h3>Samples (up to {SAMPLES_PER_RULE} pages per rule)</h3>{samples}</section>")


def _rule_samples(f, files: str) -> str:
    items = "".join(f'<li><a href="{files}/{view_name(s.ordinal)}#L{s.line}">{escape(s.page_id)}:{s.line}</a> '
                    f"{escape(s.text)}</li>" for s in f.samples)
    swatch = f'<span class="swatch" style="background:{category_colour(f.category)}"></span>'
    return (f'<details class="samples" id="{rule_anchor(f.rule)}"><summary>{swatch}<code>{escape(f.rule)}</code> '
            f'<span class="muted">{escape(f.category)} · {plural(f.lines, "line")} on {plural(f.pages, "page")}</span>'
            f"</summary><ul>{items}</ul></details>")


def _table(kind: str, cols: list[tuple[str, str, bool]], flag_filter: bool) -> str:
    heads = "".join(f'<th data-key="{k}"{" class=n" if num else ""}>{escape(label)}</th>' for k, label, num in cols)
    options = "".join(f'<option value="{code}">{escape(label)}</option>' for code, label in FLAG_LABELS.items())
    select = f'<select class="flag"><option value="">any flag</option>{options}</select>' if flag_filter else ""
    return (f'<div class="tbl" data-rows="{kind}" data-cols="{" ".join(k for k, _, _ in cols)}">'
            f'<div class="tools"><input class="filter" type="search" placeholder="filter: id, title, date, url, flag">'
            f'{select}<span class="count"></span></div>'
            f'<table class="data"><thead><tr>{heads}</tr></thead><tbody></tbody></table>'
            '<button class="more" type="button" hidden>show more</button></div>')


def flagged_section(c: CorpusFigures) -> str:
    items = "".join(f'<li><a href="#flagged" data-flag="{code}">{escape(label)}</a>: '
                    f"{plural(c.flags[code], 'page')}</li>" if c.flags.get(code) else
                    f'<li class="muted">{escape(label)}: 0 pages</li>' for code, label in FLAG_LABELS.items())
    cols = [("n", "#", True), ("id", "page", False), ("title", "title", False), ("reasons", "why", False),
            ("kept", "words kept", True), ("share", "removed", True), ("comments", "comments", True)]
    n_flagged = "every page is fine" if not c.flags else "click a reason to list only those pages"
    return (f'<section id="flagged"><h2>Pages to review</h2><ul class="flagsum">{items}</ul>'
            f'<p class="muted">{n_flagged}; click a column to sort.</p>{_table("flagged", cols, True)}</section>')


def distributions_section(c: CorpusFigures) -> str:
    charts = "".join(f"<div><h3>{escape(h.title)}</h3>{histogram_chart(h, css_class=cls)}</div>"
                     for h, cls in ((c.article_lengths, "article-length"), (c.removed_shares, "removed-share"),
                                    (c.comment_counts, "comments-per-page")))
    return f'<section id="distributions"><h2>Distributions</h2><div class="charts">{charts}</div></section>'


def pages_section() -> str:
    cols = [("n", "#", True), ("id", "page", False), ("title", "title", False), ("date", "date", False),
            ("kept", "words kept", True), ("removed", "words removed", True), ("share", "removed", True),
            ("comments", "comments", True), ("codes", "flags", False)]
    return ('<section id="pages"><h2>All pages</h2><p class="muted">Click a page for its view: every input '
            f'line coloured by what it became. Click a column to sort.</p>{_table("pages", cols, True)}</section>')


def data_script(meta: ReportMeta, inline_rows: list[bytes] | None) -> str:
    """The script that defines the table rows, or loads them from the folder."""
    head = {"files": meta.files, "labels": FLAG_LABELS}
    if inline_rows is None:
        return (f"<script>window.CORPUSCONV={script_json(head)};</script>"
                f'<script src="{meta.files}/pages.js"></script>')
    rows = ",\n".join(r.decode() for r in inline_rows)
    return f"<script>window.CORPUSCONV={script_json(head)};\nwindow.CORPUSCONV.pages=[\n{rows}\n];</script>"


def main_page(c: CorpusFigures, meta: ReportMeta, inline_rows: list[bytes] | None, version: str) -> str:
    toc = "".join(f'<a href="#{s}">{label}</a>' for s, label in (
        ("overview", "overview"), ("rules", "rules"), ("flagged", "flagged"),
        ("distributions", "distributions"), ("pages", "pages")))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>corpusconv report: {escape(meta.title)}</title><link rel=\"icon\" href=\"data:,\">"
            f"<style>{asset('report.css')}</style></head>\n<body><header><h1>corpusconv report</h1>"
            f'<p class="muted">{escape(meta.title)} · {c.pages:,} pages</p><nav class="toc">{toc}</nav></header>\n'
            f"{overview(c, meta)}\n{rules_section(c, meta.files)}\n{flagged_section(c)}\n"
            f"{distributions_section(c)}\n{pages_section()}\n"
            "<noscript><p>The page tables need JavaScript; each page's view is in the folder "
            f"{escape(meta.files)}/.</p></noscript>\n{data_script(meta, inline_rows)}\n"
            f"<script>{asset('report.js')}</script>\n"
            f"<footer>Made by corpusconv {escape(version)} from {escape(meta.title)}. "
            "Works offline: keep this file and its folder together.</footer></body></html>\n")
