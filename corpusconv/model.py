"""The one data model that flows through every stage.

A :class:`Document` is created by the pipeline from a decoded text, filled in by the
structuring stages and read by the serialisers.  Every stage adds to it; none of them
re-reads the input.  Line numbers are 1-based lines of the decoded input text.

Accounting invariant (checked by :func:`corpusconv.pipeline.check_accounting` and by the
property tests): every non-blank input line is owned by exactly one of

* an article block (``Document.blocks``),
* a comment (``Document.comments``),
* a recorded removal (``Document.removals``) -- boilerplate, or a line consumed as
  metadata (title, dateline, byline, comment header), with the rule that decided it.

Nothing is silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BLOCK_TYPES = ("heading", "paragraph", "section_break", "turn", "quote", "list_item")


@dataclass(frozen=True)
class Repair:
    """A change the decoder made to the input characters, with its reason.

    ``line`` is the 1-based line of the decoded text, or ``None`` for a whole-file repair
    (e.g. ``"mojibake"`` fixed by ftfy).
    """

    kind: str
    detail: str
    line: int | None = None
    count: int = 1


@dataclass
class Provenance:
    """Where a document came from and what made it."""

    source_path: str
    sha256: str
    bytes: int
    encoding: str
    tool: str
    tool_version: str
    rules_digest: str = ""
    repairs: list[Repair] = field(default_factory=list)
    # What segmentation detected (segment.Layout.as_dict()): kind, width, body indent, bullets.
    layout: dict | None = None
    # The fitted models' file (trees.Models.digest), or None when none was used.
    model_digest: str | None = None


@dataclass(frozen=True)
class Removal:
    """A non-blank input line that is not content, and why.

    ``category`` is a family such as ``comment-action``, ``site-footer``, ``navigation``
    or ``metadata`` (a line consumed into a field: title, dateline, byline, comment
    header).  ``evidence`` is a short human explanation shown by ``corpusconv explain``.
    """

    rule: str
    category: str
    line: int
    text: str
    evidence: str = ""
    # True when only part of the line was removed (a trailing "(continue reading)"); the
    # rest of the line is content, so the line's owner is the block, not this removal.
    partial: bool = False


@dataclass
class Block:
    """A unit of article content.

    ``lines`` is the (first, last) input line span; ``source_lines`` lists every
    non-blank line the block owns (used for accounting and ``explain``).
    """

    type: str
    text: str
    lines: tuple[int, int]
    source_lines: tuple[int, ...] = ()
    speaker: str | None = None
    attribution: str | None = None


@dataclass
class Comment:
    """One comment of a thread.

    ``id`` is stable within the document (``c1``, ``c2``, … in page order); ``parent`` is
    the id of the comment it replies to (from indentation) or ``None``; ``depth`` is 0
    for top-level comments; ``n`` is the number printed by the site, if any.
    """

    id: str
    parent: str | None
    depth: int
    n: int | None
    author: str | None
    date: str | None
    paragraphs: list[str]
    lines: tuple[int, int]
    source_lines: tuple[int, ...] = ()
    kind: str = "comment"  # or "pingback"

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass
class Document:
    """A converted document: metadata, article blocks, comments, removals, provenance."""

    id: str
    source: str
    lines: list[str]
    provenance: Provenance
    title: str | None = None
    date: str | None = None
    author: str | None = None
    blocks: list[Block] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    #: The page's URL when its input says it (a WARC record's target URI, a JSON Lines
    #: document's url field), else None.
    url: str | None = None
    #: What the input said about the document besides its text: a WARC record's headers,
    #: a JSON Lines document's other fields; None for a plain page.
    metadata: dict | None = None

    @property
    def text(self) -> str:
        """The article as plain text: block texts joined by blank lines."""
        parts = []
        for b in self.blocks:
            if b.type == "section_break":
                parts.append("* * *")
            elif b.type == "turn" and b.speaker:
                parts.append(f"{b.speaker}: {b.text}")
            elif b.type == "quote" and b.attribution:
                parts.append(f"{b.text}\n— {b.attribution}")
            else:
                parts.append(b.text)
        return "\n\n".join(parts)
