"""The figures of a report, computed from records one at a time (pure functions).

A page's figures (:func:`page_figures`) come from its record alone: words kept in the
article, removed as boilerplate, written in comments, and the reasons to review it
(:func:`page_flags`).  :func:`page_digest` adds what the corpus totals need (rules used,
provenance); :class:`CorpusFigures` adds digests up as they stream past.  It keeps
counters, fixed-size histograms and a few sample lines per rule, never records, so its
memory does not grow with the corpus beyond one small row per rule.

Words are whitespace-separated tokens, as ``wc -w`` counts them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from ..article import PROSE_MIN_WORDS, is_sentence

# --- flag thresholds --------------------------------------------------------------------
#: An article shorter than this is "tiny" when prose was removed around it.
TINY_ARTICLE_WORDS = 50
#: Words of removed prose (sentences of PROSE_MIN_WORDS or more) that make a tiny article
#: suspicious: the page had prose, and the article is not where it went.
PROSE_ELSEWHERE_MIN_WORDS = 50
#: Share of a page's words removed above which the page is worth a look.
MOSTLY_REMOVED_SHARE = 0.9
#: Per-comment action lines (Reply, Report, ...) that show a thread was on the page.
THREAD_ACTION_LINES = 3
#: Pages with fewer words (all of them: kept, removed, comments) are "very short",
#: with more, "very long": both are often not the page the crawl meant to fetch.
VERY_SHORT_PAGE_WORDS = 50
VERY_LONG_PAGE_WORDS = 25_000

#: Categories of removed lines read as signs of a comment thread.
COMMENT_HEADING_CATEGORY = "comment-heading"
COMMENT_ACTION_CATEGORY = "comment-action"

#: Sample removed lines kept per rule (from distinct pages, first ones seen).
SAMPLES_PER_RULE = 5
#: Characters kept of a sample line.
SAMPLE_MAX_CHARS = 200

#: Flag codes, in the order they are listed, with a short label for the report.
FLAG_LABELS = {
    "empty-article": "empty article",
    "tiny-article": "tiny article on a page with prose",
    "mostly-removed": f"more than {MOSTLY_REMOVED_SHARE:.0%} of the words removed",
    "no-title": "no title",
    "comments-missed": "a comment thread, but no comments found",
    "repairs": "decoder repairs",
    "very-short": f"very short page (< {VERY_SHORT_PAGE_WORDS} words)",
    "very-long": f"very long page (> {VERY_LONG_PAGE_WORDS:,} words)",
}

_NUMBER = re.compile(r"\d[\d,.]*")


def words(text: str | None) -> int:
    return len(text.split()) if text else 0


@dataclass(frozen=True)
class Flag:
    code: str
    reason: str


@dataclass(frozen=True)
class PageFigures:
    """What one record holds, in numbers, and why it may need a look."""

    ordinal: int            # 1-based position in the input (names the page's view)
    id: str
    title: str | None
    date: str | None
    url: str | None
    words_kept: int
    words_removed: int
    words_comments: int
    comments: int
    quotes: int
    removed_lines: int
    flags: tuple[Flag, ...] = ()

    @property
    def words_total(self) -> int:
        return self.words_kept + self.words_removed + self.words_comments

    @property
    def share_removed(self) -> float:
        total = self.words_total
        return self.words_removed / total if total else 0.0


def removed_prose_words(boilerplate: list[dict]) -> int:
    """Words in removed lines that read as prose (sentences of PROSE_MIN_WORDS or more)."""
    n = 0
    for r in boilerplate:
        text = r.get("text") or ""
        w = words(text)
        if w >= PROSE_MIN_WORDS and is_sentence(text.rstrip()):
            n += w
    return n


def expected_comments(boilerplate: list[dict]) -> tuple[int, int]:
    """(the largest comment count a removed comment heading states, per-comment action lines)."""
    stated, actions = 0, 0
    for r in boilerplate:
        category = r.get("category")
        if category == COMMENT_HEADING_CATEGORY:
            m = _NUMBER.search(r.get("text") or "")
            if m:
                stated = max(stated, int(re.sub(r"\D", "", m.group()) or 0))
        elif category == COMMENT_ACTION_CATEGORY and not r.get("partial"):
            actions += 1
    return stated, actions


def _article_flags(kept: int, boilerplate: list[dict], total: int) -> list[Flag]:
    if kept == 0 and total:
        prose = removed_prose_words(boilerplate)
        extra = f"; {prose} words of prose were removed" if prose else ""
        return [Flag("empty-article", f"the article is empty{extra}")]
    if 0 < kept < TINY_ARTICLE_WORDS:
        prose = removed_prose_words(boilerplate)
        if prose >= PROSE_ELSEWHERE_MIN_WORDS:
            return [Flag("tiny-article", f"article of {kept} words; {prose} words of prose were removed")]
    return []


def _comment_flags(rec: dict) -> list[Flag]:
    if rec["comments"]:
        return []
    stated, actions = expected_comments(rec["boilerplate"])
    if stated:
        return [Flag("comments-missed", f"the page says {stated} comment{'s' * (stated != 1)}; none found")]
    if actions >= THREAD_ACTION_LINES:
        return [Flag("comments-missed", f"{actions} per-comment links (Reply, Report, ...) but no comments found")]
    return []


def repairs_reason(repairs: list) -> str:
    """``mojibake, zero-width ×3``: the decoder's repairs by kind, in first-seen order."""
    kinds: Counter = Counter()
    for r in repairs:
        kinds[r.get("kind", "?") if isinstance(r, dict) else str(r)] += 1
    return ", ".join(k if n == 1 else f"{k} ×{n}" for k, n in kinds.items())


def page_flags(rec: dict, kept: int, removed: int, in_comments: int) -> tuple[Flag, ...]:
    """Every reason to review the page of ``rec``, in FLAG_LABELS order."""
    total = kept + removed + in_comments
    flags = _article_flags(kept, rec["boilerplate"], total)
    if total and removed / total > MOSTLY_REMOVED_SHARE:
        flags.append(Flag("mostly-removed", f"{removed / total:.0%} of {total} words removed"))
    if not rec.get("title"):
        flags.append(Flag("no-title", "no title found"))
    flags += _comment_flags(rec)
    repairs = (rec.get("provenance") or {}).get("repairs") or []
    if repairs:
        flags.append(Flag("repairs", repairs_reason(repairs)))
    if total < VERY_SHORT_PAGE_WORDS:
        flags.append(Flag("very-short", f"{total} words on the page"))
    elif total > VERY_LONG_PAGE_WORDS:
        flags.append(Flag("very-long", f"{total:,} words on the page"))
    return tuple(flags)


def page_figures(rec: dict, ordinal: int, removal_words: list[int] | None = None) -> PageFigures:
    """The figures of one record (checked by ``records.check_record``); ``removal_words``
    (the words of each removed line) when the caller has counted them already."""
    kept = words(rec["text"])
    if removal_words is None:
        removal_words = [words(r.get("text")) for r in rec["boilerplate"]]
    removed = sum(removal_words)
    in_comments = sum(words(c.get("text")) for c in rec["comments"])
    return PageFigures(
        ordinal=ordinal, id=rec["id"], title=rec.get("title"), date=rec.get("date"), url=rec.get("url"),
        words_kept=kept, words_removed=removed, words_comments=in_comments,
        comments=len(rec["comments"]), quotes=sum(1 for b in rec["blocks"] if b.get("type") == "quote"),
        removed_lines=len(rec["boilerplate"]), flags=page_flags(rec, kept, removed, in_comments))


# --- distributions ----------------------------------------------------------------------


@dataclass
class Histogram:
    """Counts of values in fixed bins: ``edges[i] <= value < edges[i + 1]`` (last bin open)."""

    title: str
    edges: tuple[float, ...]
    labels: tuple[str, ...]
    counts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        assert len(self.edges) == len(self.labels)
        if not self.counts:
            self.counts = [0] * len(self.edges)

    def add(self, value: float) -> None:
        i = len(self.edges) - 1
        while i > 0 and value < self.edges[i]:
            i -= 1
        self.counts[i] += 1


def article_length_histogram() -> Histogram:
    edges = (0, 1, 50, 100, 200, 500, 1000, 2000, 5000)
    labels = ("0", "1–49", "50–99", "100–199", "200–499", "500–999", "1k–2k", "2k–5k", "5k+")
    return Histogram("article length (words)", edges, labels)


def removed_share_histogram() -> Histogram:
    edges = tuple(i / 10 for i in range(10))
    labels = tuple(f"{i * 10}–{i * 10 + 10}%" for i in range(10))
    return Histogram("share of the page's words removed", edges, labels)


def comments_histogram() -> Histogram:
    edges = (0, 1, 2, 5, 10, 20, 50, 100)
    labels = ("0", "1", "2–4", "5–9", "10–19", "20–49", "50–99", "100+")
    return Histogram("comments per page", edges, labels)


# --- the corpus -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A line a rule removed: on which page (ordinal, id) and where."""

    ordinal: int
    page_id: str
    line: int
    text: str


@dataclass
class RuleFigures:
    rule: str
    category: str
    lines: int = 0
    words: int = 0
    pages: int = 0
    samples: list[Sample] = field(default_factory=list)


@dataclass(frozen=True)
class RuleUse:
    """What one rule did on one page: lines and words removed, and its first line there."""

    rule: str
    category: str
    lines: int
    words: int
    first_line: int
    first_text: str


@dataclass(frozen=True)
class PageDigest:
    """Everything the corpus figures need from one record: small, so that a worker
    process can send it back instead of the record."""

    page: PageFigures
    rules: tuple[RuleUse, ...]
    tool: str
    rules_digest: str
    encoding: str
    repairs: tuple[str, ...]


def rule_uses(boilerplate: list[dict], removal_words: list[int]) -> tuple[RuleUse, ...]:
    """Per rule, in order of first use on the page: its lines, words and first line."""
    lines: dict[str, int] = {}
    n_words: dict[str, int] = {}
    first: dict[str, dict] = {}
    for r, w in zip(boilerplate, removal_words):
        rule = r["rule"]
        if rule not in first:
            first[rule], lines[rule], n_words[rule] = r, 0, 0
        lines[rule] += 1
        n_words[rule] += w
    return tuple(RuleUse(rule, r.get("category") or "?", lines[rule], n_words[rule], r["line"],
                         (r.get("text") or "")[:SAMPLE_MAX_CHARS]) for rule, r in first.items())


def page_digest(rec: dict, ordinal: int) -> PageDigest:
    """The digest of one checked record (pure)."""
    removal_words = [words(r.get("text")) for r in rec["boilerplate"]]
    prov = rec.get("provenance") or {}
    repairs = tuple(r.get("kind", "?") if isinstance(r, dict) else str(r) for r in prov.get("repairs") or [])
    return PageDigest(page=page_figures(rec, ordinal, removal_words),
                      rules=rule_uses(rec["boilerplate"], removal_words),
                      tool=f"{prov.get('tool') or '?'} {prov.get('tool_version') or '?'}",
                      rules_digest=str(prov.get("rules_digest") or "?"),
                      encoding=str(prov.get("encoding") or "?"), repairs=repairs)


@dataclass
class CorpusFigures:
    """Totals over the pages seen so far (:meth:`add` one :class:`PageDigest` at a time)."""

    pages: int = 0
    words_kept: int = 0
    words_removed: int = 0
    words_comments: int = 0
    comments: int = 0
    quotes: int = 0
    flagged_pages: int = 0
    rules: dict[str, RuleFigures] = field(default_factory=dict)
    categories: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)
    tool_versions: Counter = field(default_factory=Counter)
    rules_digests: Counter = field(default_factory=Counter)
    encodings: Counter = field(default_factory=Counter)
    repairs: Counter = field(default_factory=Counter)
    article_lengths: Histogram = field(default_factory=article_length_histogram)
    removed_shares: Histogram = field(default_factory=removed_share_histogram)
    comment_counts: Histogram = field(default_factory=comments_histogram)

    def add(self, digest: PageDigest) -> None:
        page = digest.page
        self.pages += 1
        self.words_kept += page.words_kept
        self.words_removed += page.words_removed
        self.words_comments += page.words_comments
        self.comments += page.comments
        self.quotes += page.quotes
        self.flags.update(f.code for f in page.flags)
        self.flagged_pages += bool(page.flags)
        self.article_lengths.add(page.words_kept)
        self.removed_shares.add(page.share_removed)
        self.comment_counts.add(page.comments)
        self.tool_versions[digest.tool] += 1
        self.rules_digests[digest.rules_digest] += 1
        self.encodings[digest.encoding] += 1
        self.repairs.update(digest.repairs)
        for use in digest.rules:
            self._add_rule(page, use)

    def _add_rule(self, page: PageFigures, use: RuleUse) -> None:
        fig = self.rules.get(use.rule)
        if fig is None:
            fig = self.rules[use.rule] = RuleFigures(use.rule, use.category)
        fig.lines += use.lines
        fig.words += use.words
        fig.pages += 1
        self.categories[use.category] += use.lines
        if len(fig.samples) < SAMPLES_PER_RULE:
            fig.samples.append(Sample(page.ordinal, page.id, use.first_line, use.first_text))

    def ranked_rules(self) -> list[RuleFigures]:
        """Rules by lines removed, most first (ties by id: stable output)."""
        return sorted(self.rules.values(), key=lambda f: (-f.lines, f.rule))

    def ranked_categories(self) -> list[tuple[str, int]]:
        return sorted(self.categories.items(), key=lambda kv: (-kv[1], kv[0]))

    @property
    def words_total(self) -> int:
        return self.words_kept + self.words_removed + self.words_comments
