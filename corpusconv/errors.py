"""Errors a user can see.  Each carries a one-line message meant for stderr, never a traceback."""

from __future__ import annotations


class CorpusconvError(Exception):
    """Base class: an expected failure with a clear one-line message."""


class InputError(CorpusconvError):
    """An input cannot be converted (not text, unreadable, undecodable, ...)."""


class ValidationError(CorpusconvError):
    """A serialised document does not validate against a bundled schema; it is not written."""

    def __init__(self, message: str, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []


class OutputError(CorpusconvError):
    """An output cannot be written (exists without --force, read-only, disk full, ...)."""
