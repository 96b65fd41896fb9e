"""The tool's name and version: a leaf module, so that every stage can name the tool
(provenance, error lines, corpus headers) without importing the package's ``__init__``,
which imports the stages (that would be an import cycle)."""

from __future__ import annotations

__version__ = "0.1.0"
TOOL_NAME = "corpusconv"
