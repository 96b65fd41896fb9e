"""Locate data files shipped with corpusconv (the bundled schemas).

The schemas live in the repository's top-level ``schemas/`` directory, which the wheel
build force-includes as ``corpusconv/schemas/``.  An installed package therefore finds
them next to this module, while an editable install or a plain source checkout finds
them one level up, in the repository.  Looking in both places (package first) keeps one
code path for every way the tool is run.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def schema_dirs() -> list[Path]:
    """The directories searched for schemas, in order."""
    return [_PACKAGE_DIR / "schemas", _PACKAGE_DIR.parent / "schemas"]


def schema_path(name: str) -> Path:
    """Return the path of the bundled schema ``name`` (e.g. ``corpusconv-tei.rng``).

    Raises :class:`FileNotFoundError` naming every place looked in when it is missing
    (a broken installation, not a user error).
    """
    if not name or Path(name).name != name:
        raise ValueError(f"schema name must be a plain file name, got {name!r}")
    tried = []
    for d in schema_dirs():
        p = d / name
        if p.is_file():
            return p
        tried.append(str(p))
    raise FileNotFoundError(f"bundled schema {name!r} not found; looked in: {', '.join(tried)} "
                            "(is corpusconv installed correctly?)")
