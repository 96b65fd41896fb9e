"""The Dask engine: a real LocalCluster (2 worker processes on loopback) converting the seeds.

Outputs must be byte-identical to the local CLI run, whatever the engine.  Skipped only when
Dask is not installed (``pip install 'corpusconv[dask]'``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.bag", reason="Dask is not installed: pip install 'corpusconv[dask]'")
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed: "
                                                        "pip install 'corpusconv[dask]'")

from corpusconv import distributed as ccd  # noqa: E402
from corpusconv.cli import SUFFIX, ConvertOptions, convert_command, guarded  # noqa: E402

pytestmark = pytest.mark.dask


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None,
                                  worker_dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _local(paths: list[str], out: Path, fmt: str) -> None:
    code = convert_command(ConvertOptions(paths=paths, output=str(out), fmt=fmt, jobs=1, quiet=True))
    assert code == 0


def test_importing_corpusconv_does_not_import_dask():
    code = ("import sys, corpusconv, corpusconv.distributed, corpusconv.cli; "
            "sys.exit(1 if [m for m in sys.modules if m == 'dask' or m.startswith(('dask.', 'distributed'))] else 0)")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0


def test_suffixes_match_the_cli():
    assert ccd.SUFFIX == SUFFIX


def test_jsonl_file_identical_to_local_run(client, seeds_dir, tmp_path):
    _local([str(seeds_dir)], tmp_path / "local.jsonl", "jsonl")
    # partition_size=2: several partitions, so part files are concatenated in order
    res = ccd.convert([str(seeds_dir)], str(tmp_path / "dask.jsonl"), scheduler=client, partition_size=2)
    n = len(list(seeds_dir.glob("*.txt")))
    assert (res.documents, res.failed, res.errors) == (n, 0, [])
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(ccd.PARTS_PREFIX)]


def test_tei_directory_identical_to_local_run(client, seeds_dir, tmp_path):
    _local([str(seeds_dir)], tmp_path / "local", "tei")
    res = ccd.convert([str(seeds_dir)], str(tmp_path / "dask") + "/", fmt="tei", scheduler=client,
                      partition_size=2)
    assert res.failed == 0 and res.documents == len(list(seeds_dir.glob("*.txt")))
    local, dask_out = _tree(tmp_path / "local"), _tree(tmp_path / "dask")
    assert local and dask_out == local
    # Same totals as the local summary would show.
    assert res.totals().documents == res.documents


def test_existing_outputs_follow_local_rules(client, seeds_dir, tmp_path):
    out = tmp_path / "out"
    ccd.convert([str(seeds_dir)], str(out) + "/", fmt="jsonl", scheduler=client)
    again = ccd.convert([str(seeds_dir)], str(out) + "/", fmt="jsonl", scheduler=client)
    n = len(list(seeds_dir.glob("*.txt")))
    assert again.documents == 0 and again.failed == n
    assert "already exists" in again.errors[0][1]
    skipped = ccd.convert([str(seeds_dir)], str(out) + "/", fmt="jsonl", scheduler=client, skip_existing=True)
    assert (skipped.skipped, skipped.failed) == (n, 0)
    forced = ccd.convert([str(seeds_dir)], str(out) + "/", fmt="jsonl", scheduler=client, overwrite=True)
    assert (forced.documents, forced.failed) == (n, 0)
    assert not [p for p in out.rglob("*") if p.name.startswith(".corpusconv-")]


def test_bad_input_is_reported_not_fatal(client, seeds_dir, tmp_path):
    bad = tmp_path / "in" / "zz-binary.txt"
    bad.parent.mkdir()
    bad.write_bytes(b"%PDF-1.4 binary")
    good = tmp_path / "in" / "a.txt"
    good.write_bytes(next(iter(sorted(seeds_dir.glob("*.txt")))).read_bytes())
    res = ccd.convert([str(tmp_path / "in")], str(tmp_path / "o.jsonl"), scheduler=client)
    assert res.documents == 1 and res.failed == 1
    assert res.errors[0][0] == str(bad) and "not text" in res.errors[0][1]
    assert (tmp_path / "o.jsonl").read_bytes().count(b"\n") == 1


def test_stdin_and_tei_file_are_refused(seeds_dir, tmp_path):
    from corpusconv.reading import UsageError

    with pytest.raises(UsageError):
        ccd.convert(["-"], str(tmp_path / "o.jsonl"))
    with pytest.raises(UsageError):
        ccd.convert([str(seeds_dir)], str(tmp_path / "o.xml"))


def test_learn_counts_map_reduce_equals_local(client, seeds_dir):
    from corpusconv.learn import learn_jobs
    from corpusconv.reading import expand_inputs

    local = learn_jobs(expand_inputs([str(seeds_dir)]))
    dist = ccd.learn_counts([str(seeds_dir)], scheduler=client, partition_size=2)
    assert dist.docs == local.docs == len(list(seeds_dir.glob("*.txt")))
    assert dist.pruned == local.pruned == 0
    assert {k: (v.df, v.edge) for k, v in dist.lines.items()} == \
           {k: (v.df, v.edge) for k, v in local.lines.items()}


def test_cli_entry_point_matches_local_run(client, seeds_dir, tmp_path, capsys):
    _local([str(seeds_dir)], tmp_path / "local.jsonl", "jsonl")
    opts = ConvertOptions(paths=[str(seeds_dir)], output=str(tmp_path / "d.jsonl"), quiet=True)
    assert ccd.cli_convert(opts, client) == 0
    assert (tmp_path / "d.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    opts = ConvertOptions(paths=[str(seeds_dir)], output=str(tmp_path / "d.jsonl"), quiet=True)
    # exists, no --force: the CLI's guarded() turns the error into one line and exit 1
    assert guarded(lambda: ccd.cli_convert(opts, client)) == 1
    assert "already exists" in capsys.readouterr().err


def test_cli_scheduler_option_converts_on_the_cluster(client, seeds_dir, tmp_path):
    from typer.testing import CliRunner

    from corpusconv.cli import app

    _local([str(seeds_dir)], tmp_path / "local.jsonl", "jsonl")
    address = client.scheduler.address  # tcp://127.0.0.1:PORT
    r = CliRunner().invoke(app, ["convert", str(seeds_dir), "-o", str(tmp_path / "c.jsonl"),
                                 "--scheduler", address, "-q"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "c.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


# --------------------------------------------------------------------------- containers


def _wet(path: Path, n: int, damage_at: int | None = None) -> None:
    """A WET file of ``n`` records (warcio's writer), the record ``damage_at`` cut short."""
    import io

    from conftest import gzip_members
    from corpusconv.containers import WetPage, write_wet

    buf = io.BytesIO()
    text = "\n\n".join(["A Page Title", "This paragraph is the article of the page and it is long "
                        "enough to be prose, with a full stop at the end.", "Share this"])
    write_wet(buf, [WetPage(url=f"https://s{i % 3}.example/{i}", text=f"{text} {i}\n".encode())
                    for i in range(n)], filename=path.name)
    data = buf.getvalue()
    if damage_at is not None:
        offs = gzip_members(data)
        a, b = offs[damage_at + 1], offs[damage_at + 2]
        data = data[:a + (b - a) // 2] + data[b:]
    path.write_bytes(data)


def test_container_chunks_identical_to_local_run(client, tmp_path):
    from corpusconv.reading import expand_inputs

    wet = tmp_path / "in" / "crawl.warc.wet.gz"
    wet.parent.mkdir()
    _wet(wet, 120, damage_at=50)
    good = ('{"id": "j%d", "text": "A Title\\n\\nSome text of a page that is long enough to read as '
            'prose here.", "url": "https://j.example/%d"}\n')
    (tmp_path / "in" / "docs.jsonl").write_text(
        "".join(good % (i, i) for i in range(200)) + '{"broken\n' + "\n" + good % (99, 99), encoding="utf-8")
    paths = [str(wet), str(tmp_path / "in" / "docs.jsonl")]
    size = wet.stat().st_size
    units = ccd.work_units(expand_inputs(paths), chunk_bytes=size // 5)
    assert len(units) > 6 and [u.start for u in units[:2]] == [0, size // 5]
    jsonl = [u for u in units if u.kind == "jsonl"]
    assert len(jsonl) > 1 and jsonl[0].start == 0 and jsonl[1].first_line > 0
    code = convert_command(ConvertOptions(paths=paths, output=str(tmp_path / "local.jsonl"), jobs=1, quiet=True))
    assert code == 1
    res = ccd.convert(paths, str(tmp_path / "dask.jsonl"), scheduler=client, chunk_bytes=size // 5)
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    assert res.documents == 320 and res.failed == 2 and res.records_skipped == {"warcinfo record": 1}
    (wet_error, jsonl_error) = res.errors
    assert wet_error[0] == str(wet) and wet_error[1].startswith("record at byte ")
    assert "gzip member" in wet_error[1] and jsonl_error[1].startswith("line 201: ")
    # one TEI file per record under the container's folder, the same as a local run
    convert_command(ConvertOptions(paths=[str(wet)], output=str(tmp_path / "lt") + "/", jobs=1, quiet=True))
    ccd.convert([str(wet)], str(tmp_path / "dt") + "/", scheduler=client, chunk_bytes=size // 5)
    local, dask_out = _tree(tmp_path / "lt"), _tree(tmp_path / "dt")
    assert len(local) == 119 and dask_out == local and all(k.startswith("crawl/") for k in local)


def test_learn_counts_over_container_chunks_equal_local(client, tmp_path):
    from corpusconv.learn import learn_jobs
    from corpusconv.reading import expand_inputs

    wet = tmp_path / "c.warc.wet.gz"
    _wet(wet, 90)
    local = learn_jobs(expand_inputs([str(wet)]))
    dist = ccd.learn_counts([str(wet)], scheduler=client, chunk_bytes=wet.stat().st_size // 4)
    assert dist.docs == local.docs == 90 and sorted(dist.sites) == ["s0.example", "s1.example", "s2.example"]
    for site in local.sites:
        assert {k: (v.df, v.edge) for k, v in dist.sites[site].lines.items()} == \
               {k: (v.df, v.edge) for k, v in local.sites[site].lines.items()}
