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
import lzma
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from html import escape

import orjson

from ..decoding import decode_bytes
from ..errors import CorpusconvError
from ..reading import COMPRESSED_OPENERS, Job, read_job, strip_compression
from ..rules import RuleSet, default_rules
from ..structure import SHAPE_RULES
from .colours import category_hue
from .figures import PageFigures, repairs_reason
from .jsonhtml import script_json

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

    out = {rule_id: why for rule_id, (_, why) in SHAPE_RULES.items()}
    for ruleset in ([extra] if extra else []) + [default_rules()]:
        for rule in ruleset.rules:
            out.setdefault(rule.id, rule.description or f"a {rule.origin} rule")
    return out


def category_slug(category: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", category.lower()).strip("-") or "other"


@dataclass(frozen=True)
class LineMark:
    """The decision about one line, as the view shows it (``attrs`` and ``tag_html`` are
    rendered once per mark: most marks are shared by many lines)."""

    css: str            # "a" article, "q" quote, "c cN" comment at depth N, "r k-CATEGORY" removed
    tag: str            # shown beside the line: block type, comment id, or rule id
    tip: str            # hover text: the whole decision and its evidence
    key: str            # names the tip in the view's table of tips ("" for a removal: its rule does)
    rule: str = ""
    attrs: str = field(default="", compare=False)
    tag_html: str = field(default="", compare=False)   # the tag, and the text's opening element if any
    close: str = field(default="", compare=False)      # the text's closing element


def make_mark(css: str, tag: str, tip: str, key: str, rule: str = "", indent: bool = False) -> LineMark:
    """A mark; ``indent``: the text is wrapped in a ``<span>`` (indented by CSS: replies)."""
    data = (f' data-rule="{escape(rule)}"' if rule else "") + (f' data-k="{key}"' if key else "")
    return LineMark(css, tag, tip, key, rule, attrs=f' class="l {css}"{data}',
                    tag_html=f"<i>{escape(tag)}</i>" + ("<span>" if indent else ""),
                    close="</span>" if indent else "")


def _block_mark(block: dict, index: int) -> LineMark:
    kind = str(block.get("type") or "block")
    tip = f"article: {kind} #{index}"
    if block.get("speaker"):
        tip += f", spoken by {block['speaker']}"
    if block.get("attribution"):
        tip += f", quoting {block['attribution']}"
    return make_mark("q" if kind == "quote" else "a", kind, tip, f"b{index}")


def _comment_mark(comment: dict, index: int) -> LineMark:
    raw_depth = comment.get("depth")
    depth = raw_depth if isinstance(raw_depth, int) else 0
    cid = str(comment.get("id") or "?")
    tip = f"comment {cid}, depth {depth}"
    if comment.get("parent"):
        tip += f", replying to {comment['parent']}"
    if comment.get("author"):
        tip += f", by {comment['author']}"
    if comment.get("kind") == "pingback":
        tip += " (pingback)"
    level = min(max(depth, 0), MAX_DEPTH_CLASS)
    return make_mark(f"c c{level}", f"comment {cid}", tip, f"c{index}", indent=level > 0)


class Marker:
    """Makes the marks of removed lines, one per (rule, category) for a whole report."""

    def __init__(self, describe: dict[str, str]):
        self.describe = describe
        self._cache: dict[tuple[str, str], LineMark] = {}

    def removal(self, removal: dict) -> LineMark:
        key = (removal["rule"], removal.get("category") or "other")
        mark = self._cache.get(key)
        if mark is None:
            rule, category = str(key[0]), str(key[1])
            why = self.describe.get(rule, "")
            tip = f"removed by {rule} ({category})" + (f": {why}" if why else "")
            mark = self._cache[key] = make_mark(f"r k-{category_slug(category)}", rule, tip, "", rule)
        return mark


def _span(item: dict, n_lines: int) -> range:
    first, last = item["lines"]
    return range(max(first, 1), min(last, n_lines) + 1)


def line_marks(rec: dict, n_lines: int, marker: Marker) -> dict[int, LineMark]:
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
    for i, comment in enumerate(rec["comments"], 1):
        mark = _comment_mark(comment, i)
        for n in _span(comment, n_lines):
            marks[n] = mark
    partial = []
    for r in rec["boilerplate"]:
        if r.get("partial"):
            partial.append(r)
        elif 1 <= r["line"] <= n_lines:
            marks[r["line"]] = marker.removal(r)
    for r in partial:
        base = marks.get(r["line"])
        if base is not None:
            cut = f"; {r['rule']} cut {r.get('text')!r} ({r.get('category')})"
            marks[r["line"]] = make_mark(base.css, base.tag, base.tip + cut, f"p{r['line']}",
                                         base.rule or str(r["rule"]), indent=bool(base.close))
    return marks


def _text(text: str) -> str:
    # Element content needs only &, < and > escaped; most lines have none of them.
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _rows(items) -> str:
    """Rows from ``(shown number, anchor, text, mark or None)``; the report's innermost loop.

    The text is the row's last grid cell without an element of its own: views are mostly
    these rows, and every byte of markup counts a hundred thousand times."""
    return "\n".join(
        f'<div id="L{anchor}"{mark.attrs}><b>{no}</b>{mark.tag_html}{_text(text)}{mark.close}</div>' if mark
        else f'<div class="l" id="L{anchor}"><b>{no}</b><i></i>{_text(text)}</div>'
        for no, anchor, text, mark in items)


def tips(marks) -> dict[str, dict[str, str]]:
    """The hover texts of the marks used on a page (shown by view.js): removals' by rule
    (``rules``), the others' by key (``lines``)."""
    rules: dict[str, str] = {}
    lines: dict[str, str] = {}
    for m in marks:
        if m.key:
            lines[m.key] = m.tip
        else:
            rules.setdefault(m.rule, m.tip)
    return {"rules": rules, "lines": lines}


def render_lines(lines: list[str], marks: dict[int, LineMark]) -> tuple[str, dict]:
    """The input lines as coloured rows (blank lines stay unmarked), and their tips."""
    get = marks.get
    rows = _rows((no, no, text, get(no) if text and not text.isspace() else None)
                 for no, text in enumerate(lines, 1))
    return rows, tips(marks.values())


def render_rebuilt(rec: dict, marker: Marker) -> tuple[str, dict]:
    """Rows rebuilt from the record alone: each removal at its line, each block and comment
    as its text at its first line (labelled with its span)."""
    items: list[tuple[int, int, str, str, LineMark]] = []
    for i, block in enumerate(rec["blocks"], 1):
        first, last = block["lines"]
        items.append((first, 1, f"{first}–{last}" if last != first else str(first),
                      str(block.get("text") or ""), _block_mark(block, i)))
    for i, comment in enumerate(rec["comments"], 1):
        first, last = comment["lines"]
        items.append((first, 1, f"{first}–{last}" if last != first else str(first),
                      str(comment.get("text") or ""), _comment_mark(comment, i)))
    for r in rec["boilerplate"]:
        if not r.get("partial"):
            items.append((r["line"], 0, str(r["line"]), str(r.get("text") or ""), marker.removal(r)))
    items.sort(key=lambda it: (it[0], it[1]))
    return _rows((no, anchor, text, mark) for anchor, _, no, text, mark in items), tips(it[4] for it in items)


# --- the input page --------------------------------------------------------------------


@lru_cache(maxsize=64)
def _compressed_digest(path: str, size: int, mtime_ns: int) -> str:
    """SHA-256 of a compressed file's content, remembered per file version: when records
    name one large compressed file (a crawl archive holding many pages), it is read once
    per process, not once per record, to find it is not their page."""
    sha = hashlib.sha256()
    try:
        with COMPRESSED_OPENERS[strip_compression(path)[1]](path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                sha.update(block)
    except (OSError, EOFError, lzma.LZMAError):
        return ""
    return sha.hexdigest()


def _same_content(path: str, expected: str, prov: dict) -> bool:
    """Is the file (probably) still the input the record was made from?  Cheap checks
    first: a plain file's size is its input's size."""
    st = os.stat(path)
    if strip_compression(path)[1]:
        return _compressed_digest(path, st.st_size, st.st_mtime_ns) == expected
    size = prov.get("bytes")
    return not isinstance(size, int) or size == st.st_size


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
    changed = f"{source} has changed since it was converted (SHA-256 differs)"
    if not _same_content(path, expected, prov):
        return None, changed
    try:
        data = read_job(Job(source=source, relpath=os.path.basename(path), path=path))
    except CorpusconvError as exc:
        return None, f"{source}: {exc}"
    if hashlib.sha256(data).hexdigest() != expected:
        return None, changed
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
            f"{page.quotes} quote{'s' * (page.quotes != 1)} · flags: {escape(flags)}</p>")


LEGEND = ('<p class="legend">Kept: <span class="l a">article</span> <span class="l q">quote</span> '
          '<span class="l c c0">comment</span> <span class="l c c1">reply</span> · removed: '
          '<span class="l r">a coloured line, one colour per category, its rule beside it</span> · '
          "hover a line for the decision and its evidence</p>")


def view_html(rec: dict, page: PageFigures, rows: str, tips: dict, note: str, report_href: str) -> str:
    """A whole view page (HTML text) around already rendered ``rows`` and their hover ``tips``;
    ``report_href`` is the main page, relative to the view."""
    title = page.title or page.id
    nav = [f'<a href="{escape(report_href)}#pages">← all pages</a>',
           f'<a href="{escape(report_href)}#flagged">pages to review</a>']
    fields = "".join(f"<tr><th>{escape(k)}</th><td>{_value(k.split('.')[-1], v)}</td></tr>"
                     for k, v in record_fields(rec))
    note_html = f'<p class="note">{escape(note)}</p>' if note else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(title)} — corpusconv report</title>"
            '<link rel="icon" href="data:,"><link rel="stylesheet" href="view.css"></head>\n<body>'
            f"<nav>{' · '.join(nav)}</nav><h1>{escape(title)}</h1>{_figures_row(page)}"
            f'<details class="fields" open><summary>record fields</summary><table>{fields}</table></details>'
            f'{LEGEND}{note_html}<div class="page" id="lines">\n{rows}\n</div>'
            f"<script>window.TIPS={script_json(tips)};</script>"
            '<script src="view.js"></script></body></html>\n')


def category_css(categories: list[str]) -> str:
    """Background colours of removed lines, one rule per category (matches the charts)."""
    rules = []
    for slug, hue in sorted({(category_slug(c), category_hue(c)) for c in categories}):
        rules.append(f".r.k-{slug}{{background:hsl({hue},70%,93%);border-left-color:hsl({hue},55%,52%)}}")
    return "\n".join(rules) + "\n"
