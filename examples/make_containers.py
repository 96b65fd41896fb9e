#!/usr/bin/env python3
"""Build the example containers in examples/containers/ from the example pages.

* ``crawl.warc.wet.gz`` -- a Common Crawl style WET file (WARC/1.0, one gzip member per
  record, a warcinfo record, then ``conversion`` records): every example page as
  published on two sites, each site adding its own header and footer lines, so that
  ``corpusconv learn`` finds boilerplate per site;
* ``archive.warc`` -- an uncompressed WARC/1.1 file with ``resource`` records (two pages)
  and a ``response`` record that is no page (skipped and counted);
* ``docs.jsonl`` -- JSON Lines documents as datasets write them (``id``, ``text``,
  ``source``, ``added``, ``metadata.url``).

Deterministic (fixed record ids and dates): ``python examples/make_containers.py`` makes
the same bytes every time; ``tests/test_examples.py`` checks the committed files.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from corpusconv.containers import WetPage, write_wet  # noqa: E402

SITES = {
    "https://www.greenleaf.example": ("Greenleaf Journal | Home | Archive | About", "© Greenleaf Journal. "
                                      "Written in the garden shed."),
    "https://notes.example.org": ("Notes from Elsewhere — a reading list", "Notes from Elsewhere is "
                                  "published by volunteers. Subscribe by RSS."),
}


def pages() -> list[tuple[str, bytes]]:
    # The pages written as text (the rendered examples are for the layout tests).
    return [(p.relative_to(HERE / "input").with_suffix("").as_posix(), p.read_bytes())
            for p in sorted((HERE / "input").rglob("*.txt")) if "renderers" not in p.parts]


def crawl() -> list[WetPage]:
    out = []
    for base, (header, footer) in SITES.items():
        for name, text in pages():
            body = f"{header}\n\n".encode() + text.rstrip(b"\n") + f"\n\n{footer}\n".encode()
            out.append(WetPage(url=f"{base}/{name}", text=body,
                               headers=(("WARC-Identified-Content-Language", "eng"),)))
    return out


def archive() -> list[WetPage]:
    (a, ta), (b, tb) = pages()[:2]
    return [WetPage(url=f"https://archive.example/{a}", text=ta, record_type="resource"),
            WetPage(url="https://archive.example/index.html",
                    text=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>index</body></html>",
                    record_type="response", content_type="application/http; msgtype=response"),
            WetPage(url=f"https://archive.example/{b}", text=tb, record_type="resource")]


def docs() -> bytes:
    lines = [json.dumps({"id": f"doc-{n:03d}", "text": text.decode("utf-8"), "source": "examples",
                         "added": "2024-03-01", "metadata": {"url": f"https://docs.example/{name}",
                                                             "language": "en"}}, ensure_ascii=False)
             for n, (name, text) in enumerate(pages(), 1)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def build(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "crawl.warc.wet.gz", "wb") as fh:
        write_wet(fh, crawl(), filename="crawl.warc.wet.gz")
    with open(out / "archive.warc", "wb") as fh:
        write_wet(fh, archive(), filename="archive.warc", gz=False, version="1.1", warcinfo=None)
    (out / "docs.jsonl").write_bytes(docs())
    return [out / n for n in ("crawl.warc.wet.gz", "archive.warc", "docs.jsonl")]


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "containers"):
        print(f"wrote {path}")
