"""corpusconv: scraped web text to clean, structured, validated TEI-XML and JSON Lines.

Library API (the CLI is a thin layer over it)::

    import corpusconv
    doc = corpusconv.convert_text(text, source="page.txt")   # -> Document
    xml = corpusconv.to_tei(doc)                              # -> bytes (validated TEI)
    rec = corpusconv.to_record(doc)                           # -> dict (one JSON Lines record)
"""

from __future__ import annotations

from .version import TOOL_NAME, __version__
from .errors import CorpusconvError, InputError, OutputError, ValidationError
from .model import Block, Comment, Document, Provenance, Removal, Repair
from .pipeline import convert_bytes, convert_file, convert_text
from .record import to_record
from .tei import to_tei

__all__ = [
    "__version__", "TOOL_NAME", "convert_text", "convert_bytes", "convert_file", "to_tei",
    "to_record", "Document", "Block", "Comment", "Removal", "Provenance", "Repair",
    "CorpusconvError", "InputError", "OutputError", "ValidationError",
]
