"""Hand-made JSON Lines records for the report's tests (figures, flags, views, browser).

Each record has the layout ``convert`` writes; the builders fill what a test does not
care about.  ``PROSE`` is a sentence of 15 words (prose by the report's measure).
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import orjson

PROSE = "This sentence is prose, long enough and ending in a full stop as articles do."
PROSE_WORDS = len(PROSE.split())


def block(first: int, text: str, kind: str = "paragraph", last: int | None = None, **kw) -> dict:
    return {"type": kind, "text": text, "speaker": kw.get("speaker"), "attribution": kw.get("attribution"),
            "lines": [first, last or first]}


def comment(cid: str, first: int, text: str, depth: int = 0, parent: str | None = None,
            last: int | None = None, author: str | None = "Ann") -> dict:
    return {"id": cid, "parent": parent, "depth": depth, "n": None, "author": author, "date": None,
            "text": text, "lines": [first, last or first], "kind": "comment"}


def removal(line: int, text: str, rule: str = "shape.navigation", category: str = "navigation",
            partial: bool = False) -> dict:
    return {"rule": rule, "category": category, "line": line, "text": text, "partial": partial}


def record(rid: str, *, title: str | None = "A title", blocks: list[dict] | None = None,
           comments: list[dict] | None = None, boilerplate: list[dict] | None = None,
           repairs: list[dict] | None = None, source: str | None = None, sha256: str | None = "0" * 64,
           **extra) -> dict:
    blocks = blocks if blocks is not None else [block(n, PROSE) for n in (3, 5, 7, 9)]
    rec = {"id": rid, "source": source or f"/nonexistent/{rid}.txt", "title": title, "date": None,
           "author": None, "text": "\n\n".join(b["text"] for b in blocks), "blocks": blocks,
           "comments": comments or [], "boilerplate": boilerplate or [],
           "provenance": {"source_path": source or f"/nonexistent/{rid}.txt", "sha256": sha256, "bytes": 100,
                          "encoding": "utf-8", "tool": "corpusconv", "tool_version": "0.1.0",
                          "rules_digest": "sha256:test", "repairs": repairs or []}}
    rec.update(extra)
    return rec


def small_set() -> list[dict]:
    """Four pages: a good one, an empty article, one without title (with url and new keys),
    one whose comment heading promises comments that were not found."""
    good = record("good", comments=[comment("c1", 14, "Nice post, thank you."),
                            comment("c2", 16, "Agreed!", depth=1, parent="c1")],
                  boilerplate=[removal(1, "• Home"), removal(2, "• About"),
                               removal(12, "2 Comments", "comment.heading", "comment-heading"),
                               removal(15, "Reply", "comment.reply", "comment-action")])
    empty = record("empty", blocks=[],
                   boilerplate=[removal(1, "• Home")] + [removal(n, PROSE, "shape.page-footer", "page-footer")
                                                          for n in (3, 5, 7, 9)])
    untitled = record("untitled", title=None, url="https://example.org/untitled",
                      metadata={"warc": {"date": "2024-01-01"}},
                      repairs=[{"kind": "mojibake", "detail": "fixed", "line": None, "count": 1}],
                      boilerplate=[removal(1, "• Home"), removal(2, "Share", "share.like", "share-widget")])
    untitled["provenance"]["layout"] = "lynx"
    missed = record("missed", boilerplate=[removal(11, "5 Comments", "comment.heading", "comment-heading")])
    return [good, empty, untitled, missed]


def write_jsonl(path: Path, records: list[dict], extra_lines: list[bytes] = ()) -> Path:
    data = b"".join(orjson.dumps(r) + b"\n" for r in records) + b"".join(extra_lines)
    path.write_bytes(gzip.compress(data, mtime=0) if path.name.endswith(".gz") else data)
    return path


def page_with_source(tmp: Path, name: str = "page.txt") -> tuple[dict, Path]:
    """A real page converted by corpusconv (record and input file on disk)."""
    from corpusconv import convert_bytes, to_record

    text = ("My Blog\n\n• Home\n• About\n• Contact\n\nThe Kitchen Garden\n\n"
            + "\n\n".join(f"Paragraph {n} of the article: {PROSE}" for n in range(1, 7))
            + "\n\n3 Comments\n\nBlog at WordPress.com.\n")
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    rec = to_record(convert_bytes(path.read_bytes(), str(path)))
    assert rec["provenance"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    return rec, path
