"""Validate serialised output against the bundled schemas.

Each schema is compiled once per process and cached (:func:`functools.lru_cache`):
compiling is far more expensive than validating, and a batch run validates every
document it writes.  The compiled objects are the only module state.  lxml's RelaxNG
objects keep an error log, so share them between processes, not threads.

XML is always parsed with entity resolution, DTD loading and network access switched
off: the files we validate may come from anywhere, and a validator must not be a way
to read local files (external entities) or exhaust memory (entity expansion).  A
DOCTYPE is reported as an error, since corpusconv never writes one.
"""

from __future__ import annotations

import gzip
import json
import os
from functools import lru_cache
from pathlib import Path

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree

from .errors import ValidationError
from .resources import schema_path
from .tei import tei_bytes

TEI_SCHEMA = "corpusconv-tei.rng"
RECORD_SCHEMA = "corpusconv-record.schema.json"


def safe_parser(huge: bool = False) -> etree.XMLParser:
    """A parser that never expands entities, loads DTDs or touches the network.

    ``huge`` lifts libxml2's size limits (a 10 MB paragraph is one text node); it is used
    only for documents corpusconv itself wrote, never for files users hand to ``validate``,
    where the limits also guard against entity amplification.
    """
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=huge)


@lru_cache(maxsize=None)
def _relaxng(path: str) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(path, safe_parser()))


def tei_schema() -> etree.RelaxNG:
    """The compiled bundled TEI subset schema (cached)."""
    return _relaxng(str(schema_path(TEI_SCHEMA)))


def relaxng(path: str | os.PathLike[str]) -> etree.RelaxNG:
    """Any RELAX NG schema (e.g. the official ``tei_all.rng``), compiled once per path."""
    return _relaxng(str(Path(path).resolve()))


@lru_cache(maxsize=None)
def record_schema() -> dict:
    """The JSON Schema of a JSON Lines record, as a dict."""
    with open(schema_path(RECORD_SCHEMA), encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=None)
def record_validator() -> Draft202012Validator:
    """The compiled record validator (cached)."""
    schema = record_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _parse(xml: bytes, huge: bool = False) -> tuple[etree._ElementTree | None, list[str]]:
    try:
        tree = etree.ElementTree(etree.fromstring(xml, safe_parser(huge)))
    except etree.XMLSyntaxError as exc:
        return None, [f"line {exc.lineno or 0}: not well-formed XML: {exc.msg}"]
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return tree, ["line 1: DOCTYPE not allowed (entities are not expanded)"]
    return tree, []


def _relaxng_errors(schema: etree.RelaxNG, tree: etree._ElementTree) -> list[str]:
    if schema.validate(tree):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log] or ["invalid"]


def tei_errors(xml: bytes, schema: etree.RelaxNG | None = None, *, own_output: bool = False) -> list[str]:
    """Problems of ``xml`` against the bundled TEI schema (or ``schema``); [] if valid.

    ``own_output=True`` for TEI that corpusconv just serialised (see :func:`safe_parser`).
    """
    tree, problems = _parse(xml, huge=own_output)
    if tree is None or problems:
        return problems
    return _relaxng_errors(schema if schema is not None else tei_schema(), tree)


def _path(err) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path)


@lru_cache(maxsize=None)
def _fast_record_validator() -> jsonschema_rs.Validator:
    """A compiled (Rust) validator for the common, valid case.

    ``jsonschema`` stays the judge: the fast validator only short-cuts records it finds
    valid, and every record it rejects is re-checked (and explained) by ``jsonschema``.
    """
    return jsonschema_rs.validator_for(record_schema())


def record_errors(record: dict) -> list[str]:
    """Problems of a JSON Lines record against the record schema; [] if valid."""
    if _fast_record_validator().is_valid(record):
        return []
    errs = sorted(record_validator().iter_errors(record), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_path(e)}: {e.message}" for e in errs]


def check_tei(xml: bytes) -> None:
    """Raise :class:`ValidationError` if ``xml`` is not valid against the bundled TEI schema."""
    errors = tei_errors(xml, own_output=True)
    if errors:
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationError(f"TEI output does not validate: {errors[0]}{more}", errors)


def check_tei_tree(root: etree._Element) -> bytes:
    """Validate a tree that :func:`corpusconv.tei.to_tei_tree` built and return its bytes;
    raise :class:`ValidationError` if it is invalid.

    The tree is validated in memory (no re-parse of the bytes); an invalid one is checked
    again through its bytes, for messages with line numbers.
    """
    xml = tei_bytes(root)
    if not tei_schema().validate(root):
        check_tei(xml)
        raise ValidationError("TEI output does not validate", ["invalid"])  # pragma: no cover
    return xml


def check_record(record: dict) -> None:
    """Raise :class:`ValidationError` if ``record`` is not valid against the record schema."""
    errors = record_errors(record)
    if errors:
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ValidationError(f"record {record.get('id', '?')!r} does not validate: "
                              f"{errors[0]}{more}", errors)


def _read(path: Path) -> bytes:
    with (gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")) as f:
        return f.read()


def _one(errors: list[str]) -> str:
    return errors[0] + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else "")


def validate_file(path: str | Path, tei_all: Path | None = None) -> list[str]:
    """Validate a TEI file or a JSON Lines file; return one message per invalid document.

    The kind is sniffed from the first non-blank byte (``<`` is XML, anything else is
    JSON Lines), so extensions do not matter; ``.gz`` files are decompressed.  A TEI file
    is checked against the bundled schema and, if ``tei_all`` is given, against that
    schema too.  Messages read ``FILE:LINE: ...`` (TEI) or
    ``FILE:LINE: record N (id ...): ...`` (JSON Lines).
    """
    p = Path(path)
    try:
        data = _read(p)
    except OSError as exc:
        return [f"{p}: cannot read ({exc.strerror or exc})"]
    if data.lstrip()[:1] == b"<":
        return _validate_tei_file(p, data, tei_all)
    return _validate_jsonl(p, data)


def _validate_tei_file(p: Path, data: bytes, tei_all: Path | None) -> list[str]:
    tree, problems = _parse(data)
    if tree is None or problems:
        return [f"{p}:{_one(problems)}"]
    messages = []
    errors = _relaxng_errors(tei_schema(), tree)
    if errors:
        messages.append(f"{p}:{_one(errors)} [{TEI_SCHEMA}]")
    if tei_all is not None:
        errors = _relaxng_errors(relaxng(tei_all), tree)
        if errors:
            messages.append(f"{p}:{_one(errors)} [{Path(tei_all).name}]")
    return messages


def _validate_jsonl(p: Path, data: bytes) -> list[str]:
    messages = []
    n = 0
    for lineno, raw in enumerate(data.splitlines(), 1):
        if not raw.strip():
            continue
        n += 1
        try:
            rec = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            messages.append(f"{p}:{lineno}: record {n}: not valid JSON: {exc}")
            continue
        if not isinstance(rec, dict):
            messages.append(f"{p}:{lineno}: record {n}: not a JSON object")
            continue
        errors = record_errors(rec)
        if errors:
            messages.append(f"{p}:{lineno}: record {n} (id {rec.get('id', '?')!r}): {_one(errors)}")
    return messages
