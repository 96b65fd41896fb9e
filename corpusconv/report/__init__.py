"""``corpusconv report``: a self-contained HTML audit page of a corpus's decisions.

From the JSON Lines records ``convert`` wrote, :func:`build_report` writes one HTML page
(overview, removals by rule and category as inline SVG charts, the pages to review and
why, distributions, a sortable table of every page) and, in a folder beside it, one view
per page: its input lines coloured by what they became.  It works offline: no request
leaves the page and its folder.

    from corpusconv.report import ReportOptions, build_report
    result = build_report(ReportOptions(records=["corpus.jsonl.gz"], output="report.html"))

Modules: ``records`` (streaming input), ``figures`` (pure figures and flags), ``charts``
(SVG), ``views`` (per-page views), ``mainpage`` (the main page), ``folder`` (the atomic
folder), ``build`` (the one pass that ties them together).
"""

from __future__ import annotations

from .build import NothingToReport, ReportOptions, ReportResult, build_report

__all__ = ["build_report", "ReportOptions", "ReportResult", "NothingToReport"]
