#!/usr/bin/env python3
"""Render the example HTML pages (examples/html/) with the dump tools people use, into
examples/input/renderers/TOOL/NAME.txt: the bundled inputs for each layout.

Run by hand after editing a page (the outputs are committed; CI does not run this):

    python examples/render.py            # needs lynx, w3m, elinks, links2 (Debian) and the
                                         # PyPI packages html2text, inscriptis, resiliparse

Invocations are those of the shared development set's renderings (see
../shared/realweb/README.md) plus elinks and links2, two tools that set has none of.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
HTML = HERE / "html"
OUT = HERE / "input" / "renderers"

COMMANDS = {
    "lynx": ["lynx", "-dump", "-nolist", "-force_html", "-assume_charset=utf-8", "-display_charset=utf-8",
             "-stdin"],
    "w3m": ["w3m", "-dump", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8"],
    "elinks": ["elinks", "-dump", "-no-references", "-no-numbering", "-dump-charset", "utf-8"],
    "links2": ["links2", "-dump", "-codepage", "utf-8"],
}


def python_renderers(html: str) -> dict[str, str]:
    out = {}
    try:
        import html2text
        out["html2text"] = html2text.html2text(html)
    except ImportError:
        print("skipping html2text (pip install html2text)", file=sys.stderr)
    try:
        import inscriptis
        out["inscriptis"] = inscriptis.get_text(html)
    except ImportError:
        print("skipping inscriptis (pip install inscriptis)", file=sys.stderr)
    try:
        from resiliparse.extract.html2text import extract_plain_text
        out["resiliparse"] = extract_plain_text(html, preserve_formatting=True, main_content=False, list_bullets=True)
    except ImportError:
        print("skipping resiliparse (pip install resiliparse)", file=sys.stderr)
    return out


def main() -> int:
    for page in sorted(HTML.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        outputs = python_renderers(html)
        for tool, cmd in COMMANDS.items():
            if shutil.which(cmd[0]) is None:
                print(f"skipping {tool} (not installed)", file=sys.stderr)
                continue
            args = cmd if tool in ("lynx", "w3m") else cmd + [str(page)]
            r = subprocess.run(args, input=html.encode() if tool in ("lynx", "w3m") else None,
                               capture_output=True, check=True)
            outputs[tool] = r.stdout.decode("utf-8")
        for tool, text in sorted(outputs.items()):
            target = OUT / tool / (page.stem + ".txt")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
            print(f"wrote {target.relative_to(HERE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
