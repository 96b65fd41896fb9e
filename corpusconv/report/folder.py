"""The folder of per-page views beside the report, replaced as a whole.

The views are written into a temporary folder next to the target (same file system), and
only when every file is complete is it renamed into place: a reader sees the previous
folder or the new one, never a mix.  A folder is replaced only if an earlier report made
it (it holds :data:`MARKER`), so ``--force`` cannot wipe an unrelated directory that
happens to have the same name.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO

from ..errors import OutputError
from ..writing import TMP_PREFIX, TMP_SUFFIX, ensure_dir

MARKER = ".corpusconv-report"
MARKER_TEXT = b"This folder belongs to a report written by corpusconv report; it is replaced as a whole.\n"


def folder_for(output: Path) -> Path:
    """``report.html`` -> ``report_files`` (the name browsers give a saved page's folder)."""
    stem = output.name.rsplit(".", 1)[0] if "." in output.name.lstrip(".") else output.name
    return output.with_name(stem + "_files")


def check_folder(folder: Path, overwrite: bool) -> None:
    """Refuse a folder we did not make, and (without ``overwrite``) one we did."""
    if not os.path.lexists(folder):
        return
    if not folder.is_dir() or folder.is_symlink() or not (folder / MARKER).is_file():
        raise OutputError(f"{folder}: exists and was not made by corpusconv report; remove it or "
                          "choose another -o")
    if not overwrite:
        raise OutputError(f"{folder}: already exists (use --force to overwrite it)")


def _tmp_name(parent: Path, what: str) -> Path:
    return parent / f"{TMP_PREFIX}{what}-{secrets.token_hex(8)}{TMP_SUFFIX}"


class StagingFolder:
    """A temporary folder that becomes ``target`` on :meth:`commit` (or vanishes on :meth:`discard`)."""

    def __init__(self, target: Path):
        self.target = target
        ensure_dir(target.parent)
        self.path = _tmp_name(target.parent, "files")
        try:
            os.mkdir(self.path)
        except OSError as exc:
            raise OutputError(f"{target}: cannot create folder ({exc.strerror})") from None
        self.bytes = 0
        self.files = 0

    def write(self, name: str, data: bytes) -> None:
        try:
            with open(self.path / name, "xb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError(f"{self.target / name}: cannot write ({exc.strerror})") from None
        self.bytes += len(data)
        self.files += 1

    def open(self, name: str) -> BinaryIO:
        """A file of the folder to write in pieces (the caller closes it)."""
        try:
            return open(self.path / name, "xb")
        except OSError as exc:
            raise OutputError(f"{self.target / name}: cannot write ({exc.strerror})") from None

    def _sync(self) -> None:
        """Flush the finished files to disk before the rename publishes them.

        One ``sync()`` costs a fraction of a second where an ``fsync`` per file costs
        about 2 ms each (25 s for 10,000 views here); without ``os.sync`` (Windows),
        each file is fsynced."""
        if hasattr(os, "sync"):
            os.sync()
            return
        for entry in os.scandir(self.path):
            fd = os.open(entry.path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def commit(self) -> None:
        """Put the folder in place of ``target`` (the previous one, if any, is removed)."""
        self.write(MARKER, MARKER_TEXT)
        old = None
        try:
            self._sync()
            if os.path.lexists(self.target):
                old = _tmp_name(self.target.parent, "old")
                os.rename(self.target, old)
            os.rename(self.path, self.target)
        except OSError as exc:
            if old is not None and not os.path.lexists(self.target):
                os.rename(old, self.target)
            self.discard()
            raise OutputError(f"{self.target}: cannot replace folder ({exc.strerror})") from None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
