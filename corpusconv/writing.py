"""Safe, atomic output: a reader never sees a half-written file, an input is never clobbered.

Every file is written to a temporary file in its final directory, flushed, fsynced and
then renamed over the target with :func:`os.replace` (atomic on POSIX and Windows within
one file system).  Any error removes the temporary file, so an interrupted or failed run
leaves either the previous output or none -- never a partial one.  ``OSError`` is turned
into :class:`~corpusconv.errors.OutputError` with a one-line message.
"""

from __future__ import annotations

import bz2
import errno
import gzip
import lzma
import os
import secrets
import sys
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .errors import OutputError

#: Prefix of temporary files, so that a crash's leftovers are recognisable.
TMP_PREFIX = ".corpusconv-"
TMP_SUFFIX = ".tmp"

#: Output compression by extension.  gzip gets mtime=0 and no file name in its header so
#: that compressed outputs are byte-identical between runs, like the uncompressed ones.
COMPRESSORS = (".gz", ".bz2", ".xz")


def _describe(exc: OSError) -> str:
    """A short reason for an OS error, naming the common cases users can act on."""
    hints = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
             errno.EROFS: "read-only file system", errno.EACCES: "permission denied",
             errno.EPERM: "permission denied", errno.ENOENT: "directory does not exist"}
    return hints.get(exc.errno or 0, exc.strerror or str(exc))


def compressed_writer(raw: BinaryIO, name: str) -> BinaryIO:
    """Wrap ``raw`` in a compressor chosen by ``name``'s extension (or return it as is)."""
    if name.endswith(".gz"):
        return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)  # type: ignore[return-value]
    if name.endswith(".bz2"):
        return bz2.BZ2File(raw, mode="wb")  # type: ignore[return-value]
    if name.endswith(".xz"):
        return lzma.LZMAFile(raw, mode="wb")  # type: ignore[return-value]
    return raw


class AtomicFile:
    """A binary file that appears at ``path`` only when closed successfully.

    Use as a context manager: on a clean exit the data is fsynced and renamed into place;
    on an exception (including ``KeyboardInterrupt``) the temporary file is removed and
    the previous ``path``, if any, stays intact.  Compression is applied by extension.
    """

    def __init__(self, path: str | os.PathLike, *, overwrite: bool = False):
        self.path = Path(path)
        self.overwrite = overwrite
        self._raw: BinaryIO | None = None
        self._stream: BinaryIO | None = None
        self._tmp: str | None = None

    def __enter__(self) -> BinaryIO:
        if not self.overwrite and self.path.exists():
            raise OutputError(f"{self.path}: already exists (use --force to overwrite or "
                              "--skip-existing to keep it)")
        # The temporary name is chosen and remembered *before* the file is created, so an
        # interruption at any later point removes it.  (tempfile.NamedTemporaryFile can be
        # interrupted by Ctrl-C after creating its file but before returning its name: a
        # leaked temporary file in about one of ten interrupted batches.)
        self._tmp = os.path.join(self.path.parent or ".", f"{TMP_PREFIX}{secrets.token_hex(8)}{TMP_SUFFIX}")
        try:
            self._raw = _open_exclusive(self._tmp)
            self._stream = compressed_writer(self._raw, self.path.name)
        except OSError as exc:
            self._discard(self._tmp)
            raise OutputError(f"{self.path}: cannot write ({_describe(exc)})") from None
        except BaseException:
            self._discard(self._tmp)
            raise
        return self._stream

    def __exit__(self, exc_type, exc, tb) -> None:
        assert self._raw is not None and self._stream is not None and self._tmp is not None
        tmp = self._tmp
        if exc_type is not None:
            self._discard(tmp)
            return
        try:
            if self._stream is not self._raw:
                self._stream.close()  # flushes the compressor's trailer into _raw
            self._raw.flush()
            os.fsync(self._raw.fileno())
            self._raw.close()
            os.chmod(tmp, _default_mode())
            os.replace(tmp, self.path)
        except OSError as err:
            self._discard(tmp)
            raise OutputError(f"{self.path}: cannot write ({_describe(err)})") from None
        except BaseException:
            self._discard(tmp)
            raise

    def _discard(self, tmp: str) -> None:
        for closer in (self._stream, self._raw):
            if closer is None:
                continue
            try:
                closer.close()
            except Exception:  # already failing: the first error is the one to report
                pass
        try:
            os.unlink(tmp)
        except OSError:
            pass


def _open_exclusive(path: str) -> BinaryIO:
    """Create ``path``, failing if it exists (temporary names are random; never clobber)."""
    return open(path, "xb")


def _default_mode() -> int:
    """The mode a plain ``open()`` would give (NamedTemporaryFile is 0600, too strict)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomic(path: str | os.PathLike, data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically (see :class:`AtomicFile`)."""
    try:
        with AtomicFile(path, overwrite=overwrite) as fh:
            fh.write(data)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({_describe(exc)})") from None


def safe_target(out_dir: str | os.PathLike, relpath: str) -> Path:
    """``out_dir/relpath``, guaranteed to lie inside ``out_dir`` whatever ``relpath`` says.

    Absolute paths and ``..`` components are rejected, and so is a target whose parent
    directory resolves (through symlinks) outside the output directory.
    """
    pp = PurePosixPath(relpath.replace("\\", "/"))
    if pp.is_absolute() or any(part in ("..", "") for part in pp.parts) or not pp.parts:
        raise OutputError(f"{relpath}: unsafe output name (absolute or contains '..')")
    root = Path(out_dir)
    target = root.joinpath(*pp.parts)
    real_root = os.path.realpath(root)
    real_parent = os.path.realpath(target.parent)
    if os.path.commonpath([real_root, real_parent]) != real_root:
        raise OutputError(f"{target}: would be written outside {root} (through a symlink)")
    return target


def ensure_dir(path: str | os.PathLike) -> None:
    """Create a directory (and parents), with a one-line error when that is impossible."""
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{path}: cannot create directory ({_describe(exc)})") from None


class DirectorySink:
    """Writes one file per document under ``out_dir``, mirroring input relative paths."""

    def __init__(self, out_dir: str | os.PathLike, *, overwrite: bool = False,
                 protected: set[str] | None = None):
        self.out_dir = Path(out_dir)
        self.overwrite = overwrite
        # Real paths of the inputs: an output landing on one of them would destroy data.
        self.protected = protected or set()

    def target(self, out_relpath: str) -> Path:
        return safe_target(self.out_dir, out_relpath)

    def write(self, out_relpath: str, data: bytes) -> Path:
        target = self.target(out_relpath)
        if os.path.realpath(target) in self.protected:
            raise OutputError(f"{target}: refusing to overwrite an input file")
        ensure_dir(target.parent)
        # Re-check after creating directories: a symlink could have been swapped in.
        target = self.target(out_relpath)
        write_atomic(target, data, overwrite=self.overwrite)
        return target


class StreamSink:
    """Writes documents one after another to a binary stream (standard output).

    Records are flushed as they are written so that ``| head`` sees them early and a
    closed pipe is noticed promptly (as :class:`BrokenPipeError`, handled by the CLI).
    """

    def __init__(self, stream: BinaryIO | None = None):
        self.stream = stream if stream is not None else sys.stdout.buffer

    def write(self, data: bytes) -> None:
        self.stream.write(data)
        self.stream.flush()


class FileSink:
    """Writes all documents into one file, atomically: it appears only on :meth:`commit`.

    Until then the previous file (if any) is untouched; :meth:`abort` (or garbage) drops
    the temporary file.  Used for ``-o corpus.jsonl`` and ``--bundle``.
    """

    def __init__(self, path: str | os.PathLike, *, overwrite: bool = False):
        self._atomic = AtomicFile(path, overwrite=overwrite)
        self.path = self._atomic.path
        self._fh: BinaryIO | None = None

    def open(self) -> "FileSink":
        self._fh = self._atomic.__enter__()
        return self

    def write(self, data: bytes) -> None:
        assert self._fh is not None, "FileSink.open() first"
        try:
            self._fh.write(data)
        except OSError as exc:
            self.abort()
            raise OutputError(f"{self.path}: cannot write ({_describe(exc)})") from None

    def commit(self) -> None:
        if self._fh is not None:
            self._fh = None
            self._atomic.__exit__(None, None, None)

    def abort(self) -> None:
        if self._fh is not None:
            self._fh = None
            err = RuntimeError("aborted")
            self._atomic.__exit__(type(err), err, None)


def is_stdout(target: str | None) -> bool:
    return target in (None, "-")

