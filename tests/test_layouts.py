"""The same two pages, rendered by seven dump tools, convert to the same structure.

``examples/html/`` holds two pages written for the project (a blog post with a quotation,
a list and a nested comment thread; a news story with headings, a numbered list, a
caption and related links); ``examples/render.py`` rendered each with resiliparse,
inscriptis (one block per line), lynx, w3m, elinks, links2 (hard-wrapped) and html2text
(Markdown) into ``examples/input/renderers/``.  elinks and links2 are in no development
set: they check that segmentation is about layouts, not about the tools it was built on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpusconv import convert_file
from corpusconv.pipeline import check_accounting

RENDERED = Path(__file__).resolve().parent.parent / "examples" / "input" / "renderers"
LAYOUT = {"resiliparse": "lines", "inscriptis": "lines", "lynx": "wrapped", "w3m": "wrapped",
          "elinks": "wrapped", "links2": "wrapped", "html2text": "markdown"}
TOOLS = sorted(LAYOUT)


def _doc(tool: str, page: str):
    path = RENDERED / tool / f"{page}.txt"
    assert path.exists(), f"missing rendered example {path}; run examples/render.py"
    doc = convert_file(path)
    assert check_accounting(doc) == []
    return doc


@pytest.mark.parametrize("tool", TOOLS)
def test_blog_post(tool):
    doc = _doc(tool, "allotment-diary")
    assert doc.provenance.layout["kind"] == LAYOUT[tool]
    assert doc.title == "Why I Stopped Digging My Allotment"
    assert (doc.date, doc.author) == ("2021-03-14", "Ellen Marsh")
    text = " ".join(doc.text.split())
    # Wrapped paragraphs come back whole, hyphenated words too.
    assert ("For eleven winters I turned every bed on the plot with a fork, the way my grandfather did, "
            "breaking the clods") in text
    assert "my back has never been better." in text
    for chrome in ("Seed swap", "Recent Posts", "Proudly powered by WordPress", "Share this", "Leave a Reply"):
        assert chrome not in text, f"{tool}: {chrome!r} kept in the article"
    quotes = [b for b in doc.blocks if b.type == "quote"]
    assert [" ".join(q.text.split())[:30] for q in quotes] == ["Soil is like a good loaf. The "]
    assert quotes[0].attribution == "Arthur Pym, plot 17"
    items = [b.text for b in doc.blocks if b.type == "list_item"]
    assert items == ["Garden compost, about five centimetres deep", "Cardboard without tape or glossy print",
                     "Leaf mould from the council collection"]
    assert [(c.author, c.depth, c.parent) for c in doc.comments] == [
        ("Priya", 0, None), ("Ellen Marsh", 1, "c1"), ("Tom Hale", 0, None)]
    assert doc.comments[1].text.startswith("A few, but the frogs found them")


@pytest.mark.parametrize("tool", TOOLS)
def test_news_story(tool):
    doc = _doc(tool, "harbour-bridge")
    assert doc.provenance.layout["kind"] == LAYOUT[tool]
    assert doc.title == "Harbour footbridge to reopen after two-year repair"
    assert doc.author == "Sam Okafor"
    text = " ".join(doc.text.split())
    assert text.startswith("The footbridge across the inner harbour will reopen")
    assert "the harbour ferry will run a free shuttle for the rest of the day." in text
    for chrome in ("Subscribe", "More from Local news", "Library extends weekend opening hours",
                   "All rights reserved", "Cookie settings"):
        assert chrome not in text, f"{tool}: {chrome!r} kept in the article"
    assert "Cost and delays" in [b.text for b in doc.blocks if b.type == "heading"]
    assert [b.text for b in doc.blocks if b.type == "list_item"] == [
        "Deck panels replaced and sealed", "Pier strengthened below the waterline",
        "Lighting and handrails renewed"]
    assert doc.comments == []
