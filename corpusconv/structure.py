"""Stages 4-5: classify every line and structure the page.

Two passes over the lines:

1. per-line features and rules (``lines.build_lines``, ``RuleSet.match``): known phrases,
   list markers, length, punctuation;
2. context: which lists are comment threads (``comments``), where the article lies
   between the page header and the footer (``article.best_region``), the title and
   dateline beside it, then blocks, dialogue turns and quotations inside it.

Every non-blank line ends up owned exactly once: by a block, a comment, or a removal
that names its rule.  Context decisions have rule ids too (``SHAPE_RULES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from . import article, classify, comments, quotes, threads, titles
from .dates import date_and_time_span, is_dateline
from .units import Item, Unit
from .model import Block, Comment, Removal
from .rules import PageMatches, Rule, RuleSet, normalise
from .segment import Layout, Segmented, segment
from .trees import Ensemble, Models

# Decisions made from context rather than from a phrase rule: id -> (category, evidence).
SHAPE_RULES = {
    "shape.page-header": ("page-header", "before the article: site header, navigation or blog description"),
    "shape.page-footer": ("page-footer", "after the article: widgets, sidebars, footer"),
    "shape.navigation": ("navigation", "a list of short link-like items outside the article"),
    "shape.repeated": ("duplicate", "a paragraph printed again further down the page"),
    "shape.widget": ("widget", "a short line enclosed by the known phrases of one widget (newsletter box, cookie consent)"),
    "shape.other-prose": ("other-prose", "sentence prose outside the article: another story's excerpt, an author's "
                                         "note, a comment outside a thread"),
    "meta.title": ("metadata", "the article title (see the record's 'title')"),
    "meta.date": ("metadata", "the article dateline (see the record's 'date')"),
    "meta.byline": ("metadata", "the article byline (see the record's 'author')"),
}


@dataclass
class StructureResult:
    title: str | None = None
    date: str | None = None
    author: str | None = None
    blocks: list[Block] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    # unit no -> the evidence of a consumed unit's removal, where it is the decision's own
    # (the title's: the model's strongest features or the hand-set score's terms)
    evidence: dict[int, str] = field(default_factory=dict)


def _shape_removal(rule_id: str, ln: Unit, why: str | None = None) -> Removal:
    """A context decision's removal; ``why`` adds the fitted model's reasons to the rule's."""
    category, evidence = SHAPE_RULES[rule_id]
    return Removal(rule_id, category, ln.no, ln.text, f"{evidence}; {why}" if why else evidence)


def _rule_removal(rule: Rule, ln: Unit) -> Removal:
    return Removal(rule.id, rule.category, ln.no, ln.text, rule.description or f"matched {rule.origin} rule")


TEASER_MIN_ITEMS = 3
TEASER_SENTENCE_SHARE = 0.3
TEASER_MIN_WORDS = 7  # headline-sized items; ingredient and navigation items are shorter
TEASER_ECHO_MIN_WORDS = 3  # a line printed twice in one card (shorter lines repeat by chance: "Read more")
TEASER_ECHO_SHARE = 0.5    # at least this share of the items print their headline twice


def _teaser_list_lines(nonblank: list[Unit], runs: list[list[Item]], in_thread: set[int]) -> set[int]:
    """Lines of lists whose items are headlines, not sentences (related posts, news teasers)."""
    out: set[int] = set()
    pos = {ln.no: k for k, ln in enumerate(nonblank)}
    for run in runs:
        if len(run) < TEASER_MIN_ITEMS or run[0].marker_line.no in in_thread:
            continue
        k = pos[run[0].marker_line.no]
        if k > 0 and nonblank[k - 1].text.endswith(":"):
            continue  # "Here are some things you can do:" introduces the article's own list
        sentences = sum(1 for it in run if any(article.is_sentence(ln.text) for ln in it.lines))
        words = sum(ln.words for it in run for ln in it.all_lines()) / len(run)
        # Teaser cards print their headline twice (link text and image alt or heading).
        echoed = sum(1 for it in run if len({ln.norm for ln in it.lines if ln.words >= TEASER_ECHO_MIN_WORDS})
                     < len([ln for ln in it.lines if ln.words >= TEASER_ECHO_MIN_WORDS]))
        if (sentences < TEASER_SENTENCE_SHARE * len(run) and words >= TEASER_MIN_WORDS) \
                or echoed >= TEASER_ECHO_SHARE * len(run):
            out.update(ln.no for it in run for ln in it.all_lines())
    return out


# Top-level article lines indented this much deeper than the article's usual margin are a
# block quotation (renderers indent <blockquote>).
QUOTE_INDENT = 2


def _indented_lines(content: list[Unit]) -> set[int]:
    top = sorted(ln.indent for ln in content if ln.item is None)
    if not top:
        return set()
    margin = top[len(top) // 2]
    return {ln.no for ln in content if ln.item is None and ln.indent >= margin + QUOTE_INDENT}


REPEATED_BLOCK_MIN_WORDS = 8


def _drop_repeated_blocks(blocks: list[Block], lines: list[Unit]) -> tuple[list[Block], list[Removal]]:
    """Second copies of long paragraphs (a page printing the post twice, an excerpt box)."""
    seen: set[str] = set()
    kept: list[Block] = []
    removed: list[Removal] = []
    for b in blocks:
        key = " ".join(normalise(b.text).split())
        if b.type in ("paragraph", "quote", "list_item", "turn") and len(key.split()) >= REPEATED_BLOCK_MIN_WORDS:
            if key in seen:
                removed.extend(_shape_removal("shape.repeated", lines[n - 1]) for n in b.source_lines)
                continue
            seen.add(key)
        kept.append(b)
    return kept, removed


@dataclass
class _Page:
    """What the stages below share: the lines and the first pass's rule decisions."""

    lines: list[Unit]
    nonblank: list[Unit]
    rules: RuleSet
    kept: set[int]
    dropped: dict[int, Rule]
    runs: list[list[Item]]  # sibling list-item runs (see threads.sibling_runs), computed once
    furniture: threads.Furniture  # which units are comment furniture
    page_rules: PageMatches | None = None  # the rule answers of the whole page, found in one scan

    def removed_by_rule(self, ln: Unit) -> Rule | None:
        return self.dropped.get(ln.no) if ln.no not in self.kept else None


def _first_pass(units: list[Unit], rules: RuleSet) -> _Page:
    """Phrase rules over the page's units (answered by one scan of the page)."""
    nonblank = [u for u in units if not u.blank]
    page_rules = rules.match_page([u.norm for u in nonblank])
    hits: dict[int, Rule] = {}
    # "tail" rules (widget headings such as "Related posts") apply once prose has begun.
    zone = "head"
    for k, ln in enumerate(nonblank):
        rule = page_rules.first(k, zone)
        if rule is not None:
            hits[ln.no] = rule
        elif ln.words >= article.PROSE_MIN_WORDS:
            zone = "tail"
    dropped = {no: r for no, r in hits.items() if r.action == "drop"}
    return _Page(units, nonblank, rules, kept={no for no, r in hits.items() if r.action == "keep"},
                 dropped=dropped, runs=threads.sibling_runs(nonblank, dropped),
                 furniture=threads.Furniture(dropped, page_rules.match), page_rules=page_rules)


def _comment_section(page: _Page, res: StructureResult) -> set[int]:
    """The comment threads (see :mod:`corpusconv.threads`); return the units they own."""
    found = threads.find_comments(page.nonblank, page.dropped, page.runs, page.furniture)
    res.comments.extend(found.comments)
    res.removals.extend(found.removals)
    return found.owned


@dataclass
class _Scored:
    seq: list[Unit]        # non-blank lines outside comments (a thread stands as one wall)
    scores: list[float]
    walls: set[int]
    span: tuple[int, int] | None
    link_lines: set[int] = field(default_factory=set)
    teaser_lines: set[int] = field(default_factory=set)


def _score_lines(page: _Page, in_thread: set[int]) -> _Scored:
    """Per-line body-text scores and the best article run (see ``article``)."""
    seq: list[Unit] = []
    scores: list[float] = []
    teasers = _teaser_list_lines(page.nonblank, page.runs, in_thread)
    link_lines = article.link_block_lines([ln for ln in page.nonblank if ln.no not in in_thread]) | teasers
    wall_before = None
    for ln in page.nonblank:
        if ln.no in in_thread:
            if wall_before != len(seq):
                wall_before = len(seq)
                seq.append(ln)
                scores.append(article.THREAD_WALL)
            continue
        seq.append(ln)
        rule = page.removed_by_rule(ln)
        if rule is not None and rule.wall:
            scores.append(article.WIDGET_WALL)  # "Related posts": the article cannot run on
            continue
        scores.append(article.line_score(ln, rule is not None, ln.no in link_lines))
    scores = article.widget_run_walls(scores)
    walls = {k for k, s in enumerate(scores) if s in (article.THREAD_WALL, article.WIDGET_WALL)}
    thread_walls = [k for k, s in enumerate(scores) if s == article.THREAD_WALL]
    scores = [s if k in walls else e for k, (s, e) in enumerate(zip(scores, article.escalate(scores)))]
    span = article.best_region(scores)
    if thread_walls:
        # Comments follow the article: prefer the best run above the first thread when it
        # holds a real article, over a longer sidebar or footer text below the comments.
        above = article.best_region(scores[:min(thread_walls)])
        if above is not None and sum(scores[above[0]:above[1] + 1]) >= article.MIN_ARTICLE_SCORE:
            span = above
    return _Scored(seq, scores, walls, span, link_lines, teasers)


def _article_region(page: _Page, sc: _Scored, in_thread: set[int], res: StructureResult,
                    title_model: Ensemble | None = None,
                    explain: bool = False) -> tuple[set[int], dict[int, str], titles.Search | None]:
    """The article's line numbers, the lines consumed as title/date/byline, and the title
    search (None when the page has no article run)."""
    consumed: dict[int, str] = {}
    if sc.span is None:
        return _sentences(page, sc), consumed, None
    seq = sc.seq
    look = titles.page_lookups(page.nonblank, page.dropped, in_thread)
    start, end = sc.span
    end = article.extend_region(seq, end, lambda k: k in sc.walls or page.removed_by_rule(seq[k]) is not None)
    start = article.post_header_start(seq, start, end, sc.scores, look.named_by_comments)
    search = titles.Search(seq, start, end, look, sc.scores, sc.link_lines)
    head = titles.find_title(search, title_model, explain)
    start = _consume_post_header(head, seq, start, consumed, res)
    start = _trim_post_header(head, page, sc, start, end, consumed, res)
    return {seq[k].no for k in range(start, end + 1) if k not in sc.walls}, consumed, search


def _sentences(page: _Page, sc: _Scored) -> set[int]:
    """No run of prose at all (a one-line note, a page of short sentences): the sentences
    no rule removed, rather than call the whole page a footer."""
    return {ln.no for k, ln in enumerate(sc.seq) if k not in sc.walls
            and article.is_sentence(ln.text) and page.removed_by_rule(ln) is None}


def _consume_post_header(head: titles.PostHeader, seq: list[Unit], start: int, consumed: dict[int, str],
                         res: StructureResult) -> int:
    """Record the title, dateline and byline; the article starts below the title."""
    if head.title is not None:
        res.title = head.title.text
        for u in head.title_parts:
            consumed[u.no] = "meta.title"
            res.evidence[u.no] = head.evidence
        start = max(start, seq.index(head.title_parts[-1]) + 1)
    if head.date_line is not None:
        res.date = _iso_or_none(head.date_line.text)
        consumed[head.date_line.no] = "meta.date"
    if head.byline is not None:
        consumed[head.byline.no] = "meta.byline"
    res.author = head.author
    return start


def _trim_post_header(head: titles.PostHeader, page: _Page, sc: _Scored, start: int, end: int,
                      consumed: dict[int, str], res: StructureResult) -> int:
    """With the title above the run, the run's leading short lines are the rest of the post
    header (a dateline printed again, "Contributing Writer", a "View PDF/Print Mode"
    control): metadata and chrome, not the article's first paragraph."""
    seq = sc.seq
    title_above = head.title is not None and start < len(seq) and head.title.no < seq[start].no
    while start <= end and start < len(seq) and seq[start].no not in consumed:
        ln = seq[start]
        if is_dateline(ln.text) and (res.date is None or _iso_or_none(ln.text) == res.date):
            res.date = res.date or _iso_or_none(ln.text)
            consumed[ln.no] = "meta.date"
        elif start == end or not (titles.is_ui_label(ln) or (
                title_above and ln.item is None and sc.scores[start] < 0 and not article.is_sentence(ln.text))):
            break  # the last line of the run always stays: an article is never emptied here
        start += 1
    return start


# A widget's own lines between two of its known phrases ("Subscribe to my newsletter" /
# "Get regular updates…" / "I hate spam…"; a cookie-consent box around a video) belong to
# the widget: at most this many short lines, enclosed by removals of one category.
WIDGET_INTERIOR_LINES = 3
WIDGET_INTERIOR_MAX_WORDS = 15
WIDGET_CATEGORIES = {"appeal", "cookie-notice", "share-widget", "comment-form"}


def _widget_interiors(nonblank: list[Unit], dropped: dict[int, Rule]) -> set[int]:
    out: set[int] = set()
    prev_k = None  # index of the last line dropped by a widget rule
    for k, ln in enumerate(nonblank):
        r = dropped.get(ln.no)
        if r is None or r.category not in WIDGET_CATEGORIES or r.action != "drop":
            continue
        if prev_k is not None and 0 < k - prev_k - 1 <= WIDGET_INTERIOR_LINES \
                and dropped[nonblank[prev_k].no].category == r.category:
            between = nonblank[prev_k + 1:k]
            if all(b.no not in dropped and b.words <= WIDGET_INTERIOR_MAX_WORDS for b in between):
                out.update(b.no for b in between)
        prev_k = k
    return out


# A unit this long that ends like a sentence, with few links, is prose: when it is not the
# article it is never called navigation or page chrome (issue 12's safety invariant), but
# other prose, so that an audit of the removals finds it.
LONG_PROSE_WORDS = 40


def is_long_prose(u: Unit) -> bool:
    return article.is_sentence_prose(u, LONG_PROSE_WORDS)


def _assign_lines(page: _Page, in_thread: set[int], region: set[int], consumed: dict[int, str],
                  res: StructureResult, enclosed: set[int], evidence: dict[int, str] | None = None) -> list[Unit]:
    """Every line outside the comments becomes article content or a removal with its reason."""
    content: list[Unit] = []
    first_region = min(region) if region else None
    why = evidence or {}
    for ln in page.nonblank:
        if ln.no in in_thread:
            continue
        if ln.no in consumed:
            res.removals.append(_shape_removal(consumed[ln.no], ln, res.evidence.get(ln.no)))
        elif ln.no in page.kept:
            content.append(ln)
        elif ln.no in page.dropped:
            res.removals.append(_rule_removal(page.dropped[ln.no], ln))
        elif ln.no in enclosed:
            res.removals.append(_shape_removal("shape.widget", ln))
        elif ln.no in region:
            content.append(ln)
        else:
            if is_long_prose(ln):
                rule = "shape.other-prose"
            elif ln.item is not None:
                rule = "shape.navigation"
            elif first_region is not None and ln.no < first_region:
                rule = "shape.page-header"
            else:
                rule = "shape.page-footer"
            res.removals.append(_shape_removal(rule, ln, why.get(ln.no)))
    return content


def _article_blocks(content: list[Unit], lines: list[Unit], res: StructureResult) -> list[Block]:
    """Paragraphs, then dialogue turns, quotations and headings inside them."""
    blocks = article.paragraphs_from_lines(content)
    for line_no, text in article.strip_remnants(blocks):
        res.removals.append(Removal("link.trailing-remnant", "link-remnant", line_no, text,
                                    "a link label glued to the end of a paragraph", partial=True))
    blocks = article.apply_dialogue(blocks)
    line_text = {ln.no: ln.text for ln in content}
    separated = quotes.page_blank_separated(blocks, line_text, {ln.no for ln in lines if ln.blank})
    blocks = quotes.mark_joined_quotes(blocks, line_text, separated)
    blocks = quotes.apply_quotes(blocks)
    blocks = quotes.mark_block_quotes(blocks, _indented_lines(content), line_text, separated)
    blocks = quotes.mark_pull_quotes(blocks, line_text)
    blocks = article.mark_headings(blocks)
    blocks, dupes = _drop_repeated_blocks(blocks, lines)
    res.removals.extend(dupes)
    return blocks


@dataclass
class Analysis:
    """The context stage's view of a page, before the article decision."""

    page: _Page
    res: StructureResult
    in_thread: set[int]
    scored: _Scored
    region: set[int]
    consumed: dict[int, str]
    enclosed: set[int]
    title: titles.Search | None = None   # the title search (its candidates are the title model's rows)

    def context(self) -> classify.Context:
        seq, raw = self.scored.seq, self.scored.scores
        scores = {u.no: s for u, s in zip(seq, raw)}
        runs = {u.no: r for u, r in zip(seq, classify.runs_through(raw))}
        title = next((no for no, rule in self.consumed.items() if rule == "meta.title"), None)
        return classify.Context(self.page.nonblank, self.page.dropped, self.in_thread, self.region, scores,
                                runs, self.scored.link_lines, self.scored.teaser_lines, title)

    def article_or_sentences(self) -> set[int]:
        """The region, or where it is empty (the best run was only the post header: a
        title image scored as a heading) the page's other sentences: never nothing."""
        return self.region or (_sentences(self.page, self.scored) - self.consumed.keys())

    def candidates(self) -> list[Unit]:
        """The units the article decision is about: not claimed by a thread, a field, a
        phrase rule or a widget."""
        return [u for u in self.page.nonblank if u.no not in self.in_thread and u.no not in self.consumed
                and u.no not in self.page.kept and u.no not in self.page.dropped and u.no not in self.enclosed]


def analyse(units: list[Unit], rules: RuleSet, models: Models | None = None, explain: bool = False) -> Analysis:
    """Phrase rules, comment threads, the body-text region and the post header (its title
    picked by the models' ``"title"`` member if they have one; with ``explain``, the pick's
    evidence names its strongest features)."""
    res = StructureResult()
    page = _first_pass(units, rules)
    in_thread = _comment_section(page, res)
    scored = _score_lines(page, in_thread)
    title_model = models.get("title") if models is not None else None
    region, consumed, search = _article_region(page, scored, in_thread, res, title_model, explain)
    return Analysis(page, res, in_thread, scored, region, consumed, _widget_interiors(page.nonblank, page.dropped),
                    search)


def _decide(a: Analysis, models: Models | None, explain: bool = False) -> tuple[set[int], dict[int, str]]:
    """The article's units (the fitted model's choice among the candidates, or the
    hand-written region when no model is given), and the evidence of each model decision
    (with ``explain``, its strongest features too: that costs a second walk of the trees)."""
    member = models.get("article") if models is not None else None
    if models is None or member is None:
        return a.article_or_sentences(), {}
    cands = a.candidates()
    verdicts = classify.decide(models, a.context(), cands)
    threshold = models.get("article-context") or member
    keep = {no for no, (p, _) in verdicts.items() if p >= threshold.threshold}
    fallback = a.article_or_sentences()
    if _lost_the_article(cands, keep, fallback, bool(a.page.kept)):
        return fallback, {}
    keep |= _attributions_under_quotes(a.page.nonblank, keep, set(verdicts))
    evidence = {no: _model_evidence(threshold, p, x if explain else None)
                for no, (p, x) in verdicts.items() if no not in keep}
    return keep | (a.region - {u.no for u in cands}), evidence


def _attributions_under_quotes(units: list[Unit], keep: set[int], candidates: set[int]) -> set[int]:
    """The candidates that are attribution lines printed directly under a kept quotation
    ("— Alfred Korzybski" under "“The map is not the territory.”"): an attribution belongs
    with its quotation, whatever the model made of a short line of names.  The quotes
    stage joins them."""
    kept_norms = [u.norm for u in units if u.no in keep]
    out: set[int] = set()
    for prev, u in zip(units, units[1:]):
        if (u.no in keep or u.no not in candidates or prev.no not in keep or u.no != prev.no + 1
                or quotes.attribution_line(u.text) is None):
            continue
        if quotes.is_quotation_line(prev.text, kept_norms, prev.norm):
            out.add(u.no)
    return out


# Never lose the article: a page where the fitted model keeps less than this share of the
# prose the hand-written region holds (at least FALLBACK_MIN_WORDS words) is one whose
# shape the model never saw (one enormous line, an unusual template): the region decides.
FALLBACK_MIN_WORDS = 50
FALLBACK_KEPT_SHARE = 0.1


def _lost_the_article(cands: list[Unit], keep: set[int], region: set[int], ruled_in: bool) -> bool:
    """Whether the model lost the article the region holds: most of a long one, or all of
    a short one where no rule keeps anything either (``ruled_in``), so that a page with an
    article never yields an empty one."""
    in_region = sum(u.words for u in cands if u.no in region)
    kept = sum(u.words for u in cands if u.no in keep)
    if kept == 0 and in_region > 0 and not ruled_in:
        return True
    return in_region >= FALLBACK_MIN_WORDS and kept < FALLBACK_KEPT_SHARE * in_region


def _model_evidence(model, p: float, x: list[float] | None) -> str:
    """'fitted model: p(article) 0.12; strongest against: region_distance, words'."""
    if x is None:
        return f"fitted model: p(article) {p:.2f}"
    parts = model.explain(x)
    against = ", ".join(name for name, v in parts if v < 0) or "none"
    return f"fitted model: p(article) {p:.2f}; strongest against: {against}"


def structure_units(units: list[Unit], rules: RuleSet, models: Models | None = None,
                    explain: bool = False) -> StructureResult:
    """Classify every unit of a page and structure it (the module docstring has the plan).

    The result's line numbers are unit numbers; :func:`structure_page` maps them to the
    input's physical lines."""
    a = analyse(units, rules, models, explain)
    keep, evidence = _decide(a, models, explain)
    content = _assign_lines(a.page, a.in_thread, keep, a.consumed, a.res, a.enclosed, evidence)
    a.res.blocks = _article_blocks(content, a.page.lines, a.res)
    return a.res


def segment_page(raw_lines: list[str], layout: str = "auto") -> Segmented:
    return segment(raw_lines, layout, comments.opens_with_header, comments.is_action_line)


def structure_page(raw_lines: list[str], rules: RuleSet, layout: str = "auto",
                   models: Models | None = None, explain: bool = False) -> tuple[StructureResult, Layout]:
    """Segment the decoded page, structure its units, and map every decision back to the
    physical input lines (a removed unit is one removal per line it spans)."""
    seg = segment_page(raw_lines, layout)
    res = structure_units(seg.units, rules, models, explain)
    return _to_physical(res, seg), seg.layout


def _phys(seg: Segmented, nos) -> tuple[int, ...]:
    return tuple(n for no in nos for n in seg.units[no - 1].lines)


def _span(seg: Segmented, span: tuple[int, int]) -> tuple[int, int]:
    return seg.units[span[0] - 1].lines[0], seg.units[span[1] - 1].lines[-1]


def _to_physical(res: StructureResult, seg: Segmented) -> StructureResult:
    for b in res.blocks:
        b.lines, b.source_lines = _span(seg, b.lines), _phys(seg, b.source_lines)
    for c in res.comments:
        c.lines, c.source_lines = _span(seg, c.lines), _phys(seg, c.source_lines)
    removals = list(seg.removals)
    for r in res.removals:
        unit = seg.units[r.line - 1]
        if r.partial:
            removals.append(replace(r, line=unit.lines[-1]))
        else:
            removals.extend(replace(r, line=n, text=seg.physical[n]) for n in unit.lines)
    removals.sort(key=lambda r: r.line)
    res.removals = removals
    return res


def _iso_or_none(text: str) -> str | None:
    """The record's date is ISO 8601 or null; the printed text stays in the removal."""
    found = date_and_time_span(text)
    return found[0] if found else None
