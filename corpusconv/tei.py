"""Serialise a Document as TEI P5 XML (placeholder until the TEI serialiser lands)."""

from __future__ import annotations

from .model import Document


def to_tei(doc: Document) -> bytes:
    raise NotImplementedError
