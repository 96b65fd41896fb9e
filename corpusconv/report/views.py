"""One page's view: every input line coloured by what it became, the record's fields on top.

The lines are the input page's, decoded exactly as ``convert`` decoded them (line numbers
in the record are lines of that text), when the page is still where the record says and
its SHA-256 still matches.  Otherwise the view is rebuilt from the record alone: removed
lines are there verbatim, article blocks and comments as their joined text at their first
line.  Either way each line carries its decision: the block type, the comment and its
depth, or the rule that removed it with its category and evidence (on hover).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from html import escape

import orjson

from ..decoding import decode_bytes
from ..errors import CorpusconvError
from ..reading import Job, read_job
from ..rules import RuleSet, default_rules
from .colours import category_hue
from .figures import PageFigures, repairs_reason

#: Comment depths shown with their own indentation; deeper replies share the last one.
MAX_DEPTH_CLASS = 4
#: Characters of a structured field (metadata, ...) shown in the view's header.
FIELD_MAX_CHARS = 400
#: Top-level keys shown first in the header, in this order; the article, blocks, comments
#: and boilerplate are the lines themselves, so they are not repeated there.
FIELD_ORDER = ("id", "url", "source", "title", "date", "author")
NOT_FIELDS = ("text", "blocks", "comments", "boilerplate")

#: How a view names each page's file inside the report's folder.
VIEW_NAME = "page-{:06d}.html"


def view_name(ordinal: int) -> str:
    return VIEW_NAME.format(ordinal)


def rule_descriptions(extra: RuleSet | None = None) -> dict[str, str]:
    """Evidence shown for each rule id: its description in the rules (user rules first),
    and the context decisions' explanations (``shape.*``, ``meta.*``)."""
    from ..structure import SHAPE_RULES  # the structuring engine: imported only to describe it

    out = {rule_id: why for rule_id, (_, why) in SHAPE_RULES.items()}
    for ruleset in ([extra] if extra else []) + [default_rules()]:
        for rule in ruleset.rules:
            out.setdefault(rule.id, rule.description or f"a {rule.origin} rule")
    return out


def category_slug(category: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", category.lower()).strip("-") or "other"


@dataclass(frozen=True)
class LineMark:
    """The decision about one line, as the view shows it."""

    css: str            # "a" article, "q" quote, "c cN" comment at depth N, "r k-CATEGORY" removed
    tag: str            # shown beside the line: block type, comment id, or rule id
    tip: str            # hover text: the whole decision and its evidence
    rule: str = ""


def _block_mark(block: dict, index: int) -> LineMark:
    kind = str(block.get("type") or "block")
    tip = f"article: {kind} #{index}"
    if block.get("speaker"):
        tip += f", spoken by {block['speaker']}"
    if block.get("attribution"):
        tip += f", quoting {block['attribution']}"
    return LineMark("q" if kind == "quote" else "a", kind, tip)


def _comment_mark(comment: dict) -> LineMark:
    depth = comment.get("depth") if isinstance(comment.get("depth"), int) else 0
    cid = str(comment.get("id") or "?")
    tip = f"comment {cid}, depth {depth}"
    if comment.get("parent"):
        tip += f", replying to {comment['parent']}"
    if comment.get("author"):
        tip += f", by {comment['author']}"
    if comment.get("kind") == "pingback":
        tip += " (pingback)"
    return LineMark(f"c c{min(max(depth, 0), MAX_DEPTH_CLASS)}", f"comment {cid}", tip)


def _removal_mark(removal: dict, describe: dict[str, str]) -> LineMark:
    rule = str(removal["rule"])
    category = str(removal.get("category") or "other")
    why = describe.get(rule, "")
    tip = f"removed by {rule} ({category})" + (f": {why}" if why else "")
    return LineMark(f"r k-{category_slug(category)}", rule, tip, rule)


def _span(item: dict, n_lines: int) -> range:
    first, last = item["lines"]
    return range(max(first, 1), min(last, n_lines) + 1)


def line_marks(rec: dict, n_lines: int, describe: dict[str, str]) -> dict[int, LineMark]:
    """Line number -> decision, for the lines 1..n_lines of the page (pure).

    Removals win over the block or comment whose span encloses them (a span is first to
    last line, removed lines inside it included); a partial removal (text cut from a line
    that stays in the article) is added to the line's tooltip.
    """
    marks: dict[int, LineMark] = {}
    for i, block in enumerate(rec["blocks"], 1):
        mark = _block_mark(block, i)
        for n in _span(block, n_lines):
            marks[n] = mark
    for comment in rec["comments"]:
        mark = _comment_mark(comment)
        for n in _span(comment, n_lines):
            marks[n] = mark
    partial = [r for r in rec["boilerplate"] if r.get("partial")]
    for r in rec["boilerplate"]:
        if not r.get("partial") and 1 <= r["line"] <= n_lines:
            marks[r["line"]] = _removal_mark(r, describe)
    for r in partial:
        n = r["line"]
        base = marks.get(n)
        if base is not None:
            cut = f"; {r['rule']} cut {r.get('text')!r} ({r.get('category')})"
            marks[n] = replace(base, tip=base.tip + cut, rule=base.rule or str(r["rule"]))
    return marks


def _line_div(no: str, anchor: int, text: str, mark: LineMark | None) -> str:
    body = escape(text)
    if mark is None:
        return f'<div class="l" id="L{anchor}"><b>{no}</b><i></i><span>{body}</span></div>'
    rule = f' data-rule="{escape(mark.rule)}"' if mark.rule else ""
    return (f'<div class="l {mark.css}" id="L{anchor}"{rule} title="{escape(mark.tip)}">'
            f"<b>{no}</b><i>{escape(mark.tag)}</i><span>{body}</span></div>")


def render_lines(lines: list[str], marks: dict[int, LineMark]) -> str:
    """The input lines as coloured rows (blank lines stay unmarked)."""
    out = []
    for no, text in enumerate(lines, 1):
        out.append(_line_div(str(no), no, text, marks.get(no) if text.strip() else None))
    return "\n".join(out)


def render_rebuilt(rec: dict, describe: dict[str, str]) -> str:
    """Rows rebuilt from the record alone: each removal at its line, each block and comment
    as its text at its first line (labelled with its span)."""
    items: list[tuple[int, int, str, str, LineMark]] = []
    for i, block in enumerate(rec["blocks"], 1):
        first, last = block["lines"]
        items.append((first, 1, f"{first}–{last}" if last != first else str(first),
                      str(block.get("text") or ""), _block_mark(block, i)))
    for comment in rec["comments"]:
        first, last = comment["lines"]
        items.append((first, 1, f"{first}–{last}" if last != first else str(first),
                      str(comment.get("text") or ""), _comment_mark(comment)))
    for r in rec["boilerplate"]:
        if not r.get("partial"):
            items.append((r["line"], 0, str(r["line"]), str(r.get("text") or ""), _removal_mark(r, describe)))
    items.sort(key=lambda it: (it[0], it[1]))
    return "\n".join(_line_div(no, anchor, text, mark) for anchor, _, no, text, mark in items)


# --- the input page --------------------------------------------------------------------


def load_page(rec: dict, root: str) -> tuple[list[str] | None, str]:
    """The decoded lines of the record's input page, or ``None`` and why not.

    The page is used only if its SHA-256 is the one the record was made from: the line
    numbers then agree, and a record cannot make the report embed an arbitrary file.
    """
    prov = rec.get("provenance") or {}
    source = prov.get("source_path") or rec.get("source")
    expected = prov.get("sha256")
    if not source or source == "-":
        return None, "the record names no input file"
    if not isinstance(expected, str):
        return None, "the record has no SHA-256 to check its input against"
    path = source if os.path.isabs(source) else os.path.join(root, source)
    if not os.path.isfile(path):
        return None, f"{source} is not there any more"
    try:
        data = read_job(Job(source=source, relpath=os.path.basename(path), path=path))
    except CorpusconvError as exc:
        return None, f"{source}: {exc}"
    if hashlib.sha256(data).hexdigest() != expected:
        return None, f"{source} has changed since it was converted (SHA-256 differs)"
    try:
        return decode_bytes(data).lines, ""
    except CorpusconvError as exc:
        return None, f"{source}: {exc}"


# --- the view page ----------------------------------------------------------------------


def _value(key: str, value: object) -> str:
    if value is None:
        return '<span class="null">null</span>'
    if key == "url" and isinstance(value, str):
        return f'<a href="{escape(value)}" rel="noreferrer">{escape(value)}</a>'
    if key == "repairs" and isinstance(value, list):
        return escape(repairs_reason(value) or "none")
    if isinstance(value, (dict, list)):
        text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
        if len(text) > FIELD_MAX_CHARS:
            text = text[:FIELD_MAX_CHARS] + "…"
        return f"<code>{escape(text)}</code>"
    return escape(str(value))


def record_fields(rec: dict) -> list[tuple[str, object]]:
    """The record's fields for the header: known ones first, then any other key (newer
    records add keys), provenance's entries flattened as ``provenance.KEY``."""
    keys = [k for k in FIELD_ORDER if k in rec or k != "url"]
    keys += sorted(k for k in rec if k not in FIELD_ORDER and k not in NOT_FIELDS and k != "provenance")
    out: list[tuple[str, object]] = [(k, rec.get(k)) for k in keys]
    prov = rec.get("provenance")
    if isinstance(prov, dict):
        out += [(f"provenance.{k}", v) for k, v in prov.items()]
    return out


def _figures_row(page: PageFigures) -> str:
    flags = "; ".join(f"{f.code}: {f.reason}" for f in page.flags) or "none"
    return (f"<p class=\"figs\">{page.words_kept:,} words kept · {page.words_removed:,} removed "
            f"({page.share_removed:.0%}) · {page.comments:,} comments ({page.words_comments:,} words) · "
            f"{page.quotes} quotes · flags: {escape(flags)}</p>")


LEGEND = ('<p class="legend"><span class="l a">article</span> <span class="l q">quote</span> '
          '<span class="l c c0">comment</span> <span class="l c c1">reply</span> '
          '<span class="l r">removed (coloured by category; hover a line for its rule)</span></p>')


@dataclass(frozen=True)
class ViewLinks:
    report: str            # the main report, relative to the view
    prev: str | None = None
    next: str | None = None


def view_html(rec: dict, page: PageFigures, rows: str, note: str, links: ViewLinks) -> str:
    """A whole view page (HTML text) around already rendered ``rows``."""
    title = page.title or page.id
    nav = [f'<a href="{escape(links.report)}#pages">← all pages</a>']
    nav += [f'<a href="{escape(h)}" rel="{r}">{r}</a>' for h, r in ((links.prev, "prev"), (links.next, "next")) if h]
    fields = "".join(f"<tr><th>{escape(k)}</th><td>{_value(k.split('.')[-1], v)}</td></tr>"
                     for k, v in record_fields(rec))
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} — corpusconv report</title>"
            '<link rel="icon" href="data:,"><link rel="stylesheet" href="view.css"></head>\n<body>'
            f"<nav>{' · '.join(nav)}</nav><h1>{escape(title)}</h1>{_figures_row(page)}"
            f'<details class="fields"><summary>record fields</summary><table>{fields}</table></details>'
            f'{LEGEND}{note_html}<div class="page" id="lines">\n{rows}\n</div></body></html>\n')


def category_css(categories: list[str]) -> str:
    """Background colours of removed lines, one rule per category (matches the charts)."""
    rules = []
    for slug, hue in sorted({(category_slug(c), category_hue(c)) for c in categories}):
        rules.append(f".r.k-{slug}{{background:hsl({hue},70%,93%);border-left-color:hsl({hue},55%,52%)}}")
    return "\n".join(rules) + "\n"
