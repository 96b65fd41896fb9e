"""Column types of the JSON Lines records, for dataframe and dataset libraries.

Hugging Face ``datasets`` infers a schema from the first rows it reads, so a corpus whose
first pages have no comments (an empty list) or no title (``null``) gets the wrong types.
:func:`hf_features` gives the exact types instead::

    from datasets import load_dataset
    from corpusconv.features import hf_features
    ds = load_dataset("json", data_files="corpus.jsonl", features=hf_features())

The specification is plain data (:data:`SPEC`), so it is tested against the bundled JSON
Schema without needing ``datasets`` installed; ``datasets`` is imported only when
:func:`hf_features` is called.
"""

from __future__ import annotations

STRING, INT, BOOL = "string", "int64", "bool"
#: Free-form JSON (a dict of whatever the input carried): ``datasets.Json``.
JSON = "json"
LINES = ("lines", INT, 2)  # a fixed-length pair [first, last]

#: Field name -> type: a type name, a nested dict (struct), a one-item list (list of
#: structs or values), or a LINES-style tuple (fixed-length list).
SPEC: dict = {
    "id": STRING,
    "source": STRING,
    "title": STRING,
    "date": STRING,
    "author": STRING,
    "text": STRING,
    "blocks": [{
        "type": STRING, "text": STRING, "speaker": STRING, "attribution": STRING, "lines": LINES,
    }],
    "comments": [{
        "id": STRING, "parent": STRING, "depth": INT, "n": INT, "author": STRING, "date": STRING,
        "text": STRING, "lines": LINES, "kind": STRING,
    }],
    "boilerplate": [{"rule": STRING, "category": STRING, "line": INT, "text": STRING, "partial": BOOL}],
    "provenance": {
        "source_path": STRING, "sha256": STRING, "bytes": INT, "encoding": STRING, "tool": STRING,
        "tool_version": STRING, "rules_digest": STRING,
        "repairs": [{"kind": STRING, "detail": STRING, "line": INT, "count": INT}],
        "layout": {"kind": STRING, "width": INT, "body_indent": INT, "bullets": [STRING], "forced": BOOL},
        "model_digest": STRING,
    },
    "url": STRING,
    "metadata": JSON,
}


def _convert(spec, datasets):
    if spec == JSON:
        return datasets.Json()
    if isinstance(spec, str):
        return datasets.Value(spec)
    if isinstance(spec, tuple):
        return datasets.Sequence(datasets.Value(spec[1]), length=spec[2])
    if isinstance(spec, list):
        return [_convert(spec[0], datasets)]
    return {k: _convert(v, datasets) for k, v in spec.items()}


def hf_features():
    """The records' types as a ``datasets.Features`` (requires the ``datasets`` package)."""
    import datasets

    if not hasattr(datasets, "Json"):
        raise RuntimeError("the record's 'metadata' is free-form JSON, which needs a version of "
                           "Hugging Face datasets with datasets.Json: pip install -U datasets")
    return datasets.Features(_convert(SPEC, datasets))
