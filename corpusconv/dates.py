"""Printed dates: recognise them in datelines and comment headers, normalise to ISO 8601.

Only unambiguous forms are normalised (month names, ``YYYY-MM-DD``).  Numeric dates such
as ``10/28/12`` or ``10.29.2012`` are recognised (so headers and datelines are found) but
never converted: month-first or day-first depends on the site, which one line cannot
tell, so they are kept as printed text.  A date printed without a year is kept as text.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from .rules import lower_matches_like_ignorecase

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
        r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TIME = r"(?:\s*(?:,|at|@|-|–|/|\|)?\s*\d{1,2}[:.]\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?(?-i:\s+[A-Z]{2,4}\b)?)?"

DATE_PATTERNS = [
    re.compile(_WEEKDAY + _MON + r"\s+" + _DAY + r",?\s+" + _YEAR, re.I),          # April 16, 2010
    re.compile(_WEEKDAY + _DAY + r"\.?\s+(?:of\s+)?" + _MON + r",?\s+" + _YEAR, re.I),  # 16 April 2010
    re.compile(r"(?P<year>(?:19|20)\d\d)-(?P<mnum>[01]\d)-(?P<day>[0-3]\d)"),        # 2010-04-16
    re.compile(r"(?P<n1>[01]?\d)/(?P<n2>[0-3]?\d)/(?P<y2>(?:19|20)?\d\d)\b"),          # 10/28/12
    re.compile(r"(?P<n1>[0-3]?\d)\.(?P<n2>[0-3]?\d)\.(?P<y2>(?:19|20)\d\d)\b"),       # 28.10.2012, 10.29.2012
    # Hyphens only with a four-digit year ("09-04-12" is as often a score or a code).
    re.compile(r"(?<![\d-])(?P<n1>[0-3]?\d)-(?P<n2>[0-3]?\d)-(?P<y2>(?:19|20)\d\d)\b"),  # 09-04-2012
    # No year, but a clock time: "Thursday, November 1 at 2:57 pm" (comment headers).
    re.compile(_WEEKDAY + _MON + r"\s+" + _DAY + r"(?=\s*(?:,|at|@)?\s*\d{1,2}:\d\d)", re.I),
]
# Which hint (below) each of DATE_PATTERNS needs, in the same order.
_PATTERN_FORMS = ("month-day", "day-month", "numeric", "numeric", "numeric", "numeric", "month-day")
assert len(_PATTERN_FORMS) == len(DATE_PATTERNS)
_TIME_AFTER = re.compile(_TIME, re.I)
TIME_RE = re.compile(r"\b\d{1,2}[:.]\d\d(?::\d\d)?\s*(?:[ap]\.?m\.?)?", re.I)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


# Every date form has a month name next to a number ("May 4", "4th of May") or a numeric
# d/m/y group; most lines have neither.  (A month name alone is no hint: "many", "market".)
# One hint per form, so that only the patterns a line can match are tried.  The month-first
# form is searched in the lower-cased line (a case-sensitive scan is several times faster),
# except where re.I and str.lower fold differently.
_MONTH_PREFIX = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_DIGIT = re.compile(r"\d")
_HINT_MONTH_DAY = re.compile(_MONTH_PREFIX + r"[a-z]*\.?\s+\d")
_HINT_MONTH_DAY_ANY_CASE = re.compile(_MONTH_PREFIX + r"[a-z]*\.?\s+\d", re.I)
_HINT_DAY_MONTH = re.compile(r"\d(?i:(?:st|nd|rd|th)?\.?\s+(?:of\s+)?" + _MONTH_PREFIX + ")")
_HINT_NUMERIC = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}")
DATE_SCAN_CHARS = 300


@lru_cache(maxsize=65536)
def find_date(text: str) -> tuple[str | None, tuple[int, int]] | None:
    """The first date printed in ``text``: (ISO date or None, (start, end)) or None.

    Pure, and cached: the structuring stages ask about the same lines many times.

    >>> find_date("Posted on April 16, 2010"), find_date("16th of April, 2010")
    (('2010-04-16', (10, 24)), ('2010-04-16', (0, 19)))
    >>> find_date("2010-04-16"), find_date("Updated 28.10.2012"), find_date("Jeet Banerjee09-04-2012")
    (('2010-04-16', (0, 10)), (None, (8, 18)), (None, (13, 23)))

    Numeric day/month dates and dates without a year are found but not normalised; an
    impossible date is no date:

    >>> find_date("on 10/28/12 at noon"), find_date("Thursday, November 1 at 2:57 pm")
    ((None, (3, 11)), (None, (0, 20)))
    >>> find_date("February 30, 2012"), find_date("chapter 42")
    (None, None)
    """
    # A printed date sits near the start of a dateline or header; scanning a 10 MB line
    # for one would cost minutes and find nothing useful.
    text = text[:DATE_SCAN_CHARS]
    # Cheap searches before the full patterns: every date has a digit (a scan for one is
    # fast; most lines have none), then the hints.
    if not _DIGIT.search(text):
        return None
    if lower_matches_like_ignorecase(text):
        month_day = _HINT_MONTH_DAY.search(text.lower()) is not None
    else:
        month_day = _HINT_MONTH_DAY_ANY_CASE.search(text) is not None
    hints = {"month-day": month_day, "day-month": _HINT_DAY_MONTH.search(text) is not None,
             "numeric": _HINT_NUMERIC.search(text) is not None}
    if not any(hints.values()):
        return None
    best = None
    for pat, form in zip(DATE_PATTERNS, _PATTERN_FORMS):
        if not hints[form]:
            continue
        m = pat.search(text)
        if not m or (best is not None and m.start() >= best[1][0]):
            continue
        iso = None
        g = m.groupdict()
        if g.get("mon") and not g.get("year"):
            iso = None  # printed without a year: kept as text, never guessed
        elif g.get("mon"):
            # casefold: re.I lets "ſep" (long s) match a month name; lower() keeps the "ſ".
            month = MONTHS.get(g["mon"].casefold()[:3])
            iso = _iso(int(g["year"]), month, int(g["day"])) if month else None
            if iso is None:
                continue
        elif g.get("mnum"):
            iso = _iso(int(g["year"]), int(g["mnum"]), int(g["day"]))
            if iso is None:
                continue
        best = (iso, (m.start(), m.end()))
    return best


@lru_cache(maxsize=65536)
def date_and_time_span(text: str) -> tuple[str | None, tuple[int, int]] | None:
    """Like :func:`find_date` but the span also covers a following clock time.

    >>> date_and_time_span("March 15, 2021 at 8:12 am"), date_and_time_span("4 May 2021, 8:12 pm EST")
    (('2021-03-15', (0, 25)), ('2021-05-04', (0, 23)))
    >>> date_and_time_span("May 4 at 10:25 am")
    (None, (0, 17))
    """
    found = find_date(text)
    if not found:
        return None
    iso, (s, e) = found
    m = _TIME_AFTER.match(text, e)
    if m and m.end() > e:
        e = m.end()
    return iso, (s, e)


_DATELINE_FILLER = re.compile(
    r"^(?:posted|published|updated|last updated|written|date|on|at|by|in|·|\||/|-|–|—|,|:|\s)*$", re.I)


def is_dateline(text: str) -> bool:
    """True when the line is essentially a date (plus filler like 'Posted on', a time).

    >>> [is_dateline(s) for s in ("Posted on April 16, 2010", "Published: 4 May 2021 10:15",
    ...                           "Updated 28.10.2012 - 14:05", "March 15, 2021 at 8:12 am")]
    [True, True, True, True]

    A date inside a sentence, or beside a name (a byline), is not a dateline:

    >>> [is_dateline(s) for s in ("I was born on May 4, 1970 in Leeds",
    ...                           "Posted by Jane on May 4, 2012", "Chapter 4 of 12")]
    [False, False, False]
    """
    # find_date's first test, before the cache look-ups: most lines (the title and
    # article features ask about every unit) have no digit where a date is looked for.
    if _DIGIT.search(text, 0, DATE_SCAN_CHARS) is None:
        return False
    found = date_and_time_span(text)
    if not found:
        return False
    _, (s, e) = found
    rest = text[:s] + " " + text[e:]
    return bool(_DATELINE_FILLER.match(rest.strip()))
