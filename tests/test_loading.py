"""The JSON Lines output loads cleanly where users take it: pandas, jq, Hugging Face
`datasets` (with the exported Features).  The commands mirror the README's."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from corpusconv.features import SPEC
from corpusconv.validate import record_schema

CORPUS = Path(__file__).resolve().parent.parent / "examples" / "expected" / "corpus.jsonl"


def test_spec_matches_the_json_schema():
    schema = record_schema()

    def resolve(node):
        while "$ref" in node:  # "#/$defs/name"
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[1]]
        return node

    def check(spec, node, where):
        node = resolve(node)
        if isinstance(spec, dict):
            props = node.get("properties", {})
            assert set(spec) <= set(props), f"{where}: {set(spec) - set(props)} not in schema"
            for k, v in spec.items():
                check(v, props[k], f"{where}.{k}")
        elif isinstance(spec, list):
            check(spec[0], node["items"], where + "[]")

    check(SPEC, schema, "$")
    assert set(schema["required"]) <= set(SPEC)


def test_pandas_reads_the_corpus():
    pd = pytest.importorskip("pandas", reason="pandas is in the [test] extra")
    df = pd.read_json(CORPUS, lines=True)
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    assert len(df) == len(lines)
    assert list(df.columns[:10]) == ["id", "source", "title", "date", "author", "text", "blocks",
                                     "comments", "boilerplate", "provenance"]
    comments = df.explode("comments")["comments"].dropna().apply(pd.Series)
    assert {"author", "depth", "parent"} <= set(comments.columns)
    assert comments["depth"].max() >= 1


def _jq(program: str, data: str) -> list[str]:
    if shutil.which("jq"):
        out = subprocess.run(["jq", "-r", program], input=data.encode(), capture_output=True, check=True)
        return out.stdout.decode().splitlines()
    jq = pytest.importorskip("jq", reason="neither the jq program nor the jq module")
    return [str(x) for line in data.splitlines() for x in jq.compile(program).input_text(line).all()]


def test_jq_reads_the_corpus():
    data = CORPUS.read_text(encoding="utf-8")
    ids = _jq(".id", data)
    assert ids == [json.loads(line)["id"] for line in data.splitlines()]
    rules = _jq(".boilerplate[] | .rule", data)
    assert "comment.report" in rules or "comment.reply" in rules


def test_hf_datasets_with_exported_features(tmp_path):
    datasets = pytest.importorskip("datasets", reason="Hugging Face datasets is not installed")
    from corpusconv.features import hf_features

    ds = datasets.load_dataset("json", data_files=str(CORPUS), features=hf_features(),
                               cache_dir=str(tmp_path), split="train")
    assert ds.num_rows == len(CORPUS.read_text(encoding="utf-8").splitlines())
    assert ds.features == hf_features()


CONTAINERS = CORPUS.parent / "containers.jsonl"


def test_container_records_load_with_url_and_metadata(tmp_path):
    pd = pytest.importorskip("pandas", reason="pandas is in the [test] extra")
    df = pd.read_json(CONTAINERS, lines=True)
    assert list(df.columns[-2:]) == ["url", "metadata"]
    assert df["url"].str.startswith("https://").all()
    assert all(isinstance(m, dict) and m for m in df["metadata"])


def test_hf_datasets_reads_free_form_metadata(tmp_path):
    datasets = pytest.importorskip("datasets", reason="Hugging Face datasets is not installed")
    from corpusconv.features import hf_features

    ds = datasets.load_dataset("json", data_files=str(CONTAINERS), features=hf_features(),
                               cache_dir=str(tmp_path), split="train")
    rows = [json.loads(line) for line in CONTAINERS.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in ds] == [r["url"] for r in rows]
    assert [r["metadata"] for r in ds] == [r["metadata"] for r in rows]
