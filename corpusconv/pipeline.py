"""The conversion pipeline: read -> decode/repair -> structure -> Document.

Serialisation (``tei.to_tei``, ``record.to_record``), validation and writing are separate
stages called by the caller (the CLI or a distributed engine), so that a ``Document`` can
be inspected, explained or serialised several ways without converting twice.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from .version import TOOL_NAME, __version__
from .decoding import Decoded, decode_bytes, decode_text
from .errors import InputError
from .model import Document, Provenance
from .reading import document_id, input_error
from .rules import RuleSet, default_rules
from .sites import site_of
from .structure import structure_page
from .trees import DEFAULT, ModelSpec, resolve


def _build(decoded: Decoded, source: str, sha256: str, size: int, rules: RuleSet | None,
           doc_id: str | None, layout: str, model: ModelSpec, url: str | None = None,
           metadata: dict | None = None, explain: bool = False) -> Document:
    # A site's learned rules apply only to its own pages: the page's URL picks them.
    rules = (rules or default_rules()).for_site(site_of(url))
    models = resolve(model)
    result, found = structure_page(decoded.lines, rules, layout, models, explain)
    prov = Provenance(source_path=source, sha256=sha256, bytes=size, encoding=decoded.encoding,
                      tool=TOOL_NAME, tool_version=__version__, rules_digest=rules.digest,
                      repairs=decoded.repairs, layout=found.as_dict(),
                      model_digest=models.digest if models is not None else None)
    doc = Document(id=doc_id or document_id(source), source=source, lines=decoded.lines, provenance=prov,
                   url=url, metadata=metadata)
    doc.title, doc.date, doc.author = result.title, result.date, result.author
    doc.blocks, doc.comments, doc.removals = result.blocks, result.comments, result.removals
    return doc


def convert_bytes(data: bytes, source: str = "<bytes>", *, rules: RuleSet | None = None,
                  doc_id: str | None = None, url: str | None = None, metadata: dict | None = None,
                  layout: str = "auto", model: ModelSpec = DEFAULT, explain: bool = False) -> Document:
    """Convert the raw bytes of one rendered page.  Raises :class:`InputError` for non-text.

    ``url`` (and ``metadata``) are what a container said about the page; the URL's site
    selects the site-scoped rules of ``rules``.  ``layout`` is ``auto`` (detected from the
    text) or one of ``lines``, ``wrapped``, ``markdown`` (see :mod:`corpusconv.segment`);
    ``model`` the fitted decisions (:mod:`corpusconv.trees`: the bundled ones by default,
    ``None`` for none); ``explain`` adds each fitted decision's strongest features to its
    evidence (what ``corpusconv explain`` shows; it costs time, so it is off by default).
    """
    decoded = decode_bytes(data)
    return _build(decoded, source, hashlib.sha256(data).hexdigest(), len(data), rules, doc_id,
                  layout, model, url, metadata, explain)


def convert_text(text: str, source: str = "<string>", *, rules: RuleSet | None = None,
                 doc_id: str | None = None, url: str | None = None, metadata: dict | None = None,
                 layout: str = "auto", model: ModelSpec = DEFAULT) -> Document:
    """Convert one page given as a string (``source`` names it in provenance and the id;
    the other arguments are :func:`convert_bytes`'s)."""
    data = text.encode("utf-8", errors="surrogatepass")
    return _build(decode_text(text), source, hashlib.sha256(data).hexdigest(), len(data), rules, doc_id,
                  layout, model, url, metadata)


def convert_file(path: str | os.PathLike, *, rules: RuleSet | None = None,
                 source: str | None = None, layout: str = "auto", model: ModelSpec = DEFAULT) -> Document:
    """Read and convert one file.  Raises :class:`InputError` with a one-line reason."""
    p = Path(path)
    shown = source if source is not None else str(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{shown}: {input_error(exc, str(path))}") from None
    try:
        return convert_bytes(data, shown, rules=rules, layout=layout, model=model)
    except InputError as exc:
        raise InputError(f"{shown}: {exc}") from None


def check_accounting(doc: Document) -> list[str]:
    """Return problems with the 'every non-blank line owned exactly once' invariant."""
    owners: dict[int, list[str]] = {}
    for i, b in enumerate(doc.blocks):
        for n in b.source_lines:
            owners.setdefault(n, []).append(f"block {i}")
    for c in doc.comments:
        for n in c.source_lines:
            owners.setdefault(n, []).append(f"comment {c.id}")
    for r in doc.removals:
        if r.partial:
            continue
        owners.setdefault(r.line, []).append(f"removal {r.rule}")
    problems = []
    for no, line in enumerate(doc.lines, 1):
        got = owners.pop(no, [])
        if line.strip() and len(got) != 1:
            problems.append(f"line {no}: owned by {got or 'nothing'}")
        if not line.strip() and got:
            problems.append(f"blank line {no}: owned by {got}")
    problems.extend(f"line {n}: does not exist, owned by {o}" for n, o in sorted(owners.items()))
    return problems
