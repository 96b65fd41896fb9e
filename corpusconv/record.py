"""Serialise a :class:`Document` as one JSON Lines record (a plain dict).

The top-level keys are a contract read by the shared scorer and by users' scripts: keys
may be added, never renamed or dropped, and every key is always present (``null`` rather
than missing) so that pandas and Hugging Face ``datasets`` see one stable shape.
"""

from __future__ import annotations

from dataclasses import asdict

from .model import Document


def to_record(doc: Document) -> dict:
    """Return the JSON Lines record of ``doc`` (validate it with ``validate.check_record``)."""
    prov = doc.provenance
    return {
        "id": doc.id,
        "source": doc.source,
        "title": doc.title,
        "date": doc.date,
        "author": doc.author,
        "text": doc.text,
        "blocks": [
            {
                "type": b.type,
                "text": b.text,
                "speaker": b.speaker,
                "attribution": b.attribution,
                "lines": [b.lines[0], b.lines[1]],
            }
            for b in doc.blocks
        ],
        "comments": [
            {
                "id": c.id,
                "parent": c.parent,
                "depth": c.depth,
                "n": c.n,
                "author": c.author,
                "date": c.date,
                "text": c.text,
                "lines": [c.lines[0], c.lines[1]],
                "kind": c.kind,
            }
            for c in doc.comments
        ],
        "boilerplate": [
            {"rule": r.rule, "category": r.category, "line": r.line, "text": r.text, "partial": r.partial}
            for r in doc.removals
        ],
        "provenance": {
            "source_path": prov.source_path,
            "sha256": prov.sha256,
            "bytes": prov.bytes,
            "encoding": prov.encoding,
            "tool": prov.tool,
            "tool_version": prov.tool_version,
            "rules_digest": prov.rules_digest,
            "repairs": [asdict(r) for r in prov.repairs],
            "layout": prov.layout,
            "model_digest": prov.model_digest,
        },
        # Added for container inputs (issue 14), after the original keys.
        "url": doc.url,
        "metadata": doc.metadata,
    }
