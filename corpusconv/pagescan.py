"""Rules answered once per page: all pattern rules scanned over a page in one pass.

With the optional Hyperscan wheel (``pip install 'corpusconv[fast]'``) every pattern rule
goes into one Hyperscan database, the page's normalised lines are joined with ``\\n``
(which no normalised line contains) and scanned once; each report names a rule and the
line it matched.  Python's ``re`` stays the judge: Hyperscan only *proposes* (line, rule)
pairs, and ``rules.PageMatches`` confirms them with the rule's own compiled pattern in
rule order.  So the answers are those of ``RuleSet.match`` whatever the two engines'
differences (``\\b``, Unicode classes, case folding, lazy quantifiers), provided the
proposals are a superset of the true matches.  That is what :func:`relaxed` guarantees:
it rewrites the *parsed* Python pattern (never its source text, whose syntax PCRE reads
differently, e.g. ``{,3}``) into a pattern that matches at least what it matches on one
line and never crosses a line:

* zero-width assertions (``^ $ \\b \\B \\A \\Z``, look-arounds) are dropped: a pattern
  without them matches more;
* ``.`` becomes ``[^\\n]``; a class becomes the characters it certainly holds, plus every
  non-ASCII character when it holds a Unicode category (``\\w``, ``\\d``, ``\\s``), minus
  ``\\n``; a negated class the complement of what it certainly excludes;
* back-references become ``[^\\n]*``, conditionals both branches, atomic groups and
  possessive repeats plain ones, lazy quantifiers greedy (the same set of lines match),
  repeats of more than ``MAX_BOUND`` unbounded;
* a whole-line rule becomes ``^(?:R)$`` and a search rule ``(?:R)[^\\n]*$`` in
  multi-line mode, so each rule is reported at most once per line, at the line's end.

A pattern with case-insensitive flags, or anything the rewrite does not know, is left to
``re``: it is proposed for every line.  The database costs ~0.6 CPU-s to compile, so it is
cached by the digest of its patterns: in the process, and on disk (``$CORPUSCONV_CACHE``
or ``$XDG_CACHE_HOME/corpusconv``, default ``~/.cache/corpusconv``; else a private
``corpusconv-UID`` directory in the temporary directory), written atomically and
checksummed, loaded only from directories nobody else can write, the ``MAX_CACHED``
newest kept; an unwritable or damaged cache only costs a compile.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import add
from pathlib import Path
from typing import Any

try:  # the stdlib's regex parser (private, but stable in 3.11-3.13); no Hyperscan without it
    from re import _constants as _sre_c, _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre_c = _sre_parse = None

#: Bumped when the rewrite changes, so that cached databases of older rewrites are not used.
REWRITE_FORMAT = "2"
#: Repeat counts above this become unbounded in the rewrite (a superset, cheaper to compile).
MAX_BOUND = 8
#: Databases kept in the disk cache (one per distinct rule set; ~0.6 MB each).
MAX_CACHED = 8
_MAX_CHAR = 0x10FFFF
# What Python's Unicode categories certainly hold among ASCII characters; every non-ASCII
# character is assumed possible (a superset whatever the two engines' Unicode tables).
_ASCII_CATEGORY = {
    "CATEGORY_DIGIT": set(range(0x30, 0x3A)),
    "CATEGORY_WORD": set(range(0x30, 0x3A)) | set(range(0x41, 0x5B)) | set(range(0x61, 0x7B)) | {0x5F},
    "CATEGORY_SPACE": {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20},
}
_NOT_CATEGORY = {"CATEGORY_NOT_DIGIT": "CATEGORY_DIGIT", "CATEGORY_NOT_WORD": "CATEGORY_WORD",
                 "CATEGORY_NOT_SPACE": "CATEGORY_SPACE"}
_NL = 0x0A
_SURROGATES = (0xD800, 0xDFFF)


class Unsupported(Exception):
    """The rewrite cannot promise a superset for this pattern (it is left to ``re``)."""


def _ranges(points: set[int], non_ascii: bool) -> list[tuple[int, int]]:
    """Sorted code point ranges of ``points`` (plus all non-ASCII), without \\n and surrogates."""
    out: list[tuple[int, int]] = []
    for p in sorted(points):
        if p == _NL or _SURROGATES[0] <= p <= _SURROGATES[1] or (non_ascii and p > 0x7F):
            continue
        if out and out[-1][1] == p - 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    if non_ascii:
        out += [(0x80, _SURROGATES[0] - 1), (_SURROGATES[1] + 1, _MAX_CHAR)]
    return out


def _class(points: set[int], non_ascii: bool) -> str:
    spans = _ranges(points, non_ascii)
    if not spans:
        raise Unsupported("a class that matches nothing on a line")
    return "[" + "".join(_span(a, b) for a, b in spans) + "]"


def _span(a: int, b: int) -> str:
    return f"\\x{{{a:x}}}" if a == b else f"\\x{{{a:x}}}-\\x{{{b:x}}}"


def _complement(points: set[int]) -> str:
    """Every character but ``points`` and \\n (UTF-8 input holds no surrogates)."""
    return "[^" + "".join(_span(a, b) for a, b in _ranges(points, False)) + "\\n]"


def _in(items) -> str:
    """A parsed class ``[...]`` as a superset class (see the module's doc)."""
    c = _sre_c
    negate = False
    sure: set[int] = set()       # certainly in the class
    unknown_non_ascii = False    # the class may hold (some) non-ASCII characters
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            sure.add(av)
        elif op is c.RANGE:
            if av[1] - av[0] > 0x3000:
                unknown_non_ascii = True
                sure.update(range(av[0], min(av[1], 0x7F) + 1))
            else:
                sure.update(range(av[0], av[1] + 1))
        elif op is c.CATEGORY:
            name = getattr(av, "name", str(av))
            if name in _ASCII_CATEGORY:
                sure |= _ASCII_CATEGORY[name]
            elif name in _NOT_CATEGORY:
                sure |= set(range(0x80)) - _ASCII_CATEGORY[_NOT_CATEGORY[name]]
            else:
                raise Unsupported(f"class category {name}")
            unknown_non_ascii = True
        else:
            raise Unsupported(f"class item {op}")
    if negate:
        # Python matches what the class does not hold, and it certainly holds ``sure``.
        return _complement(sure)
    return _class(sure, unknown_non_ascii)


def _literal(ch: int) -> str:
    if ch == _NL:
        raise Unsupported("a newline, which no normalised line holds")
    if _SURROGATES[0] <= ch <= _SURROGATES[1]:
        raise Unsupported("a surrogate")
    c = chr(ch)
    return c if c.isascii() and c.isalnum() else f"\\x{{{ch:x}}}"


def _seq(items) -> str:
    return "".join(_node(op, av) for op, av in items)


def _node(op, av) -> str:
    c = _sre_c
    if op is c.LITERAL:
        return _literal(av)
    if op is c.NOT_LITERAL:
        return _complement({av})
    if op is c.ANY:
        return "[^\\n]"
    if op is c.IN:
        return _in(av)
    if op is c.AT or op in (c.ASSERT, c.ASSERT_NOT):
        return ""  # zero width: without it the pattern matches more
    if op is c.BRANCH:
        return "(?:" + "|".join(_seq(b) for b in av[1]) + ")"
    if op is c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        if add_flags & _IGNORECASE:
            raise Unsupported("case-insensitive group")
        return "(?:" + _seq(sub) + ")"
    if op is getattr(c, "ATOMIC_GROUP", None):
        return "(?:" + _seq(av) + ")"
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        lo, hi, sub = av
        if hi is c.MAXREPEAT or hi > MAX_BOUND:
            # x{0,200} as x*: the same lines within re's confirmation, a fraction of the
            # compile time and memory (a bounded repeat of a UTF-8 class is an automaton
            # of that many copies)
            return f"(?:{_seq(sub)}){{{min(lo, MAX_BOUND)},}}"
        return f"(?:{_seq(sub)}){{{lo},{hi}}}"
    if op is c.GROUPREF:
        return "[^\\n]*"
    if op is c.GROUPREF_EXISTS:
        _group, yes, no = av
        return "(?:" + _seq(yes) + "|" + (_seq(no) if no is not None else "") + ")"
    raise Unsupported(f"regex operator {op}")


_IGNORECASE = 2  # re.IGNORECASE, without importing re's flag enum for one constant


def relaxed(pattern: str, whole: bool) -> str:
    """A Hyperscan pattern (UTF-8, multi-line) that matches every line ``pattern`` matches
    (``fullmatch`` if ``whole`` else ``search``) and reports it at the line's end; raises
    :class:`Unsupported` when no such rewrite is known."""
    if _sre_parse is None:
        raise Unsupported("no regex parser")
    try:
        parsed = _sre_parse.parse(pattern, 0)
    except Exception as exc:  # the rule's own compile would have failed first
        raise Unsupported(f"unparsable ({exc})") from None
    if parsed.state.flags & _IGNORECASE:
        raise Unsupported("case-insensitive pattern")
    if re.compile(pattern).search("") is not None:
        # Hyperscan does not report every empty match (one on an empty last line of a
        # long page is lost): a pattern that matches an empty line is left to re.
        raise Unsupported("matches the empty line")
    body = _seq(parsed.data)
    return f"^(?:{body})$" if whole else f"(?:{body})[^\\n]*$"


def hyperscan_module() -> Any | None:
    """The ``hyperscan`` module, or None where the wheel is not installed."""
    try:
        import hyperscan
    except ImportError:
        return None
    return hyperscan


@dataclass
class Database:
    """The compiled scanner of one rule set: Hyperscan proposes rules ``ids``; the rules
    in ``everywhere`` (not rewritable) are proposed for every line."""

    db: Any
    ids: tuple[int, ...]
    everywhere: tuple[int, ...]

    def candidates(self, norms: list[str]) -> dict[int, tuple[int, ...]] | None:
        """The rule indices Hyperscan proposes, by line (lines without any are left out;
        ``everywhere`` is proposed for every line on top); None when the page cannot be
        scanned (a line holding a lone surrogate, which UTF-8 cannot encode, or "\\n")."""
        # A final "\n" too: Hyperscan reports no empty match at the very end of the data
        # (an empty last line); what it reports after that "\n" belongs to no line.
        text = "\n".join(norms) + "\n"
        if text.count("\n") != len(norms):
            return None  # a line holding "\n" itself (normalise never leaves one): re judges
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            return None
        # byte offset of each line's end: its bytes and those before, plus one "\n" per line before
        ends = list(map(add, accumulate(map(len, data.split(b"\n"))), range(len(norms))))
        hits: list[tuple[int, int]] = []
        report = hits.append
        self.db.scan(data, match_event_handler=lambda rid, _f, to, _fl, _c: report((to, rid)))
        out: dict[int, list[int]] = {}
        for to, rid in hits:
            if to == len(data):
                continue
            line = bisect_left(ends, to)
            if line == len(ends) or ends[line] != to:  # not at a line's end: let re judge the page
                return None
            out.setdefault(line, []).append(rid)
        return {line: tuple(sorted(set(rids) | set(self.everywhere))) for line, rids in out.items()}


def cache_dirs() -> list[Path]:
    """Where databases are cached, in order: the user cache directory, then a private
    per-user directory under the system temporary directory (for an unwritable home)."""
    base = os.environ.get("CORPUSCONV_CACHE")
    xdg = os.environ.get("XDG_CACHE_HOME")
    first = Path(base) if base else (Path(xdg, "corpusconv") if xdg else Path.home() / ".cache" / "corpusconv")
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return [first, Path(tempfile.gettempdir(), f"corpusconv-{uid}")]


def _private(d: Path) -> bool:
    """Is ``d`` a directory of ours that nobody else can write (so no one can plant a
    database for us to load)?  Created (mode 0700) when missing."""
    try:
        d.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = d.stat()
    except OSError:
        return False
    mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return mine and not st.st_mode & 0o022 and os.access(d, os.W_OK)


def _digest(hs: Any, exprs: list[tuple[int, str]]) -> str:
    h = hashlib.sha256(f"{REWRITE_FORMAT}\0{getattr(hs, '__version__', '?')}\0{sys.platform}\n".encode())
    for rid, expr in exprs:
        h.update(f"{rid}\0{expr}\n".encode())
    return h.hexdigest()[:24]


def _load(hs: Any, name: str) -> Any | None:
    for d in cache_dirs():
        path = d / name
        try:
            if not path.is_file() or not _private(d):
                continue
            blob = path.read_bytes()
            check, data = blob[:32], blob[32:]
            if hashlib.sha256(data).digest() != check:
                continue  # damaged (a crash mid-write on a file system without rename)
            db = hs.loadb(data, hs.HS_MODE_BLOCK)
            db.scratch = hs.Scratch(db)  # a loaded database has none
            return db
        except Exception:  # unreadable, another platform or version: compile instead
            continue
    return None


def _store(hs: Any, db: Any, name: str) -> None:
    try:
        data = hs.dumpb(db)
    except Exception:
        return
    for d in cache_dirs():
        if not _private(d):
            continue
        try:
            fd, tmp = tempfile.mkstemp(dir=d, prefix=".hs-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(hashlib.sha256(data).digest() + data)
                os.replace(tmp, d / name)
                _prune(d, keep=d / name)
                return
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError:  # a full disk: try the next place, else the next process compiles
            continue


def _prune(d: Path, keep: Path) -> None:
    """Keep the ``MAX_CACHED`` newest databases (rule files change; old digests pile up).
    A process reading one removed meanwhile compiles instead."""
    try:
        files = sorted(d.glob("hs-*.db"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in [p for p in files if p != keep][MAX_CACHED - 1:]:
            old.unlink()
    except OSError:
        pass


def _compile(hs: Any, exprs: list[tuple[int, str]]) -> Any:
    flags = hs.HS_FLAG_UTF8 | hs.HS_FLAG_MULTILINE | hs.HS_FLAG_ALLOWEMPTY
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(expressions=[e.encode("utf-8") for _, e in exprs], ids=[rid for rid, _ in exprs],
               elements=len(exprs), flags=[flags] * len(exprs))
    return db


def _compilable(hs: Any, exprs: list[tuple[int, str]]) -> tuple[Any, list[tuple[int, str]], list[int]]:
    """The database of the expressions Hyperscan accepts, those, and the refused rules
    (tried one by one only when the whole set fails)."""
    try:
        return _compile(hs, exprs), exprs, []
    except Exception:
        pass
    ok, refused = [], []
    for e in exprs:
        try:
            _compile(hs, [e])
            ok.append(e)
        except Exception:
            refused.append(e[0])
    return (_compile(hs, ok) if ok else None), ok, refused


@lru_cache(maxsize=4)
def database(patterns: tuple[tuple[int, str, bool], ...]) -> Database | None:
    """The scanner for ``(rule index, pattern, whole)`` triples, built once per process
    (from the disk cache when there); None without the Hyperscan wheel."""
    hs = hyperscan_module()
    if hs is None or not patterns:
        return None
    exprs, everywhere = [], []
    for rid, pattern, whole in patterns:
        try:
            exprs.append((rid, relaxed(pattern, whole)))
        except Unsupported:
            everywhere.append(rid)
    name = f"hs-{_digest(hs, exprs)}.db"
    db = _load(hs, name) if exprs else None
    if db is None and exprs:
        db, exprs, refused = _compilable(hs, exprs)
        everywhere += refused
        if db is not None and not refused:  # cached under the digest of what it holds
            _store(hs, db, name)
    if db is None:
        return None
    return Database(db, tuple(rid for rid, _ in exprs), tuple(sorted(everywhere)))
