"""Rules answered once per page (RuleSet.match_page, corpusconv/pagescan.py) give exactly
RuleSet.match's answers, with Hyperscan and without it.

* rule for rule: ``match_page(norms).first(i, zone) is match(norms[i], zone)`` on the dev
  set's normalised lines (all five renderings), the seeds, generated lines and user rules
  that use what Python's ``re`` and Hyperscan read differently;
* the rewrite of a pattern for Hyperscan matches every line the pattern matches (a
  superset: ``re`` confirms), checked on generated patterns and lines drawn from them;
* the database cache: on disk, damaged or unwritable, and without the Hyperscan wheel.

The ``test`` extra installs Hyperscan, so CI runs both paths.
"""

from __future__ import annotations

import functools
import platform
import random
import re
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corpusconv import pagescan
from corpusconv.decoding import decode_bytes
from corpusconv.segment import segment
from corpusconv.rules import ZONES, PageMatches, RuleSet, build_ruleset, default_rules, normalise, parse_rules

from conftest import SEEDS, SHARED, shared_path

hs = pagescan.hyperscan_module()
# Where the test extra installs the wheel (pyproject.toml's marker): there it must be present.
WHEEL_PLATFORM = platform.machine() in ("x86_64", "AMD64") or sys.platform == "darwin"
needs_hyperscan = pytest.mark.skipif(hs is None and not WHEEL_PLATFORM,
                                     reason="no Hyperscan wheel for this platform (re matcher only)")

# User rules exercising what the two regex engines read differently.
TRICKY_RULES = r"""
[[rule]]
id = "u.word-boundary"
category = "x"
pattern = '.*\bnews\b.*'

[[rule]]
id = "u.unicode-word"
category = "x"
zone = "comments"
pattern = '\w+ says'

[[rule]]
id = "u.search"
category = "x"
whole = false
pattern = 'sponsored'
max_words = 6

[[rule]]
id = "u.lazy"
category = "x"
zone = "head"
pattern = 'menu.*?end'

[[rule]]
id = "u.lookahead"
category = "x"
pattern = 'read (?!more)\S+'

[[rule]]
id = "u.backref"
category = "x"
zone = "tail"
pattern = '(\w+) and \1'

[[rule]]
id = "u.caseless"
category = "x"
pattern = '(?i)straße'

[[rule]]
id = "u.digits"
category = "x"
pattern = '\d{2,3} (min|minutes) read'

[[rule]]
id = "u.nonascii-class"
category = "x"
pattern = '[«‹] ?(zurück|précédent|назад)'

[[rule]]
id = "u.bounded"
category = "x"
pattern = 'tag(s|ged)?: .{1,30}'

[[rule]]
id = "u.empty-ok"
category = "x"
whole = false
pattern = 'x*'
zone = "tail"

[[rule]]
id = "u.space-class"
category = "x"
pattern = 'share\s+on\s+\S+'

[[rule]]
id = "u.exact"
category = "learned"
text = "Posted in Uncategorized"
zone = "comments"

[[rule]]
id = "u.possessive"
category = "x"
pattern = '(?:ab)++c|(?>xy)z|a{,3}q'
"""
LINES = ["Reply", "reply", "12 Comments", "Share this:", "News of the day", "the newsroom", "Straße", "STRASSE",
         "ſtraße", "read more", "read this now", "menu a b end", "cats and cats", "cats and dogs", "5 min read",
         "123 minutes read", "« précédent", "‹zurück", "tags: one, two", "tagged: " + "x" * 40, "",
         "share  on twitter", "Posted in Uncategorized", "sponsored by acme", "this is sponsored content here ok no",
         "١٢ comments", "Ⅻ says", "élodie says", "ababc", "xyz", "aaq", "{,3}q", "Copyright © 2012 Jane",
         "Your email address will not be published. Required fields are marked *"]


@functools.cache
def rule_sets() -> list[RuleSet]:
    base = default_rules()
    return [base, base.extended(build_ruleset(parse_rules(TRICKY_RULES, "user")))]


def same_answers(rs: RuleSet, norms: list[str]) -> None:
    pm = rs.match_page(norms)
    for zone in ZONES:
        for i, norm in enumerate(norms):
            assert pm.first(i, zone) is rs.match(norm, zone), (norm, zone)
    assert all(pm.match(n, "comments") is rs.match(n, "comments") for n in norms[:50])


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CORPUSCONV_CACHE", str(tmp_path_factory.getbasetemp() / "hs-cache"))


@needs_hyperscan
def test_hyperscan_is_installed_and_takes_every_builtin_rule():
    # The test extra installs it: without it the fast path would go untested.
    assert hs is not None
    rs = default_rules()
    rs.match_page(["x"])
    db = rs._scan[0]
    n_patterns = sum(1 for r in rs.rules if r.pattern is not None)
    assert db is not None and len(db.ids) == n_patterns and db.everywhere == ()


@needs_hyperscan
def test_tricky_rules_left_to_re_only_where_needed():
    rs = rule_sets()[1]
    rs.match_page(["x"])
    db = rs._scan[0]
    left = {rs.rules[i].id for i in db.everywhere}
    # The case-insensitive one, and the one matching an empty line (Hyperscan loses an
    # empty match on an empty last line of a long page); the rest are rewritten.
    assert left == {"u.caseless", "u.empty-ok"}


def _page_norms(path) -> list[str]:
    units = segment(decode_bytes(path.read_bytes()).lines).units
    return [u.norm for u in units if not u.blank]


def test_same_answers_on_dev_pages_of_every_rendering_and_seeds():
    realweb = shared_path(SHARED / "realweb")
    paths = []
    for rendering in ("pages", "pages-lynx", "pages-w3m", "pages-html2text", "pages-inscriptis"):
        paths += sorted((realweb / rendering).glob("*.txt"))[::9]
    paths += sorted(shared_path(SEEDS).glob("*.txt"))
    n = hits = 0
    for rs in rule_sets():
        for p in paths:
            norms = _page_norms(p)
            same_answers(rs, norms)
            n += len(norms)
            hits += sum(1 for norm in norms if rs.match(norm, "tail") is not None)
    assert n > 20_000 and hits > 1_000  # real work: many lines, many of them matched


def test_same_answers_on_crafted_lines():
    for rs in rule_sets():
        same_answers(rs, [normalise(x) for x in LINES])
        same_answers(rs, LINES)  # not normalised: capitals, edge punctuation


WORDS = ["reply", "share", "this", "comment", "comments", "posted", "by", "on", "news", "sponsored", "copyright",
         "©", "12", "3", "»", "«", "→", "|", "home", "menu", "end", "read", "more", "straße", "ſ", "k", "é",
         "назад", "tag:", "tags:", "min", "read", "and", "cats", "x", "", "powered", "wordpress.com", "(5)",
         "privacy", "policy", "subscribe", "to", "our", "newsletter", "☆", "١٢", "\u00a0", "\t"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join), min_size=1, max_size=30),
       st.lists(st.text(max_size=40), max_size=5))
def test_same_answers_on_generated_lines(phrases, noise):
    lines = [p.replace("\n", " ") for p in phrases + noise]
    for rs in rule_sets():
        same_answers(rs, lines)


def test_page_that_cannot_be_scanned_falls_back_to_match():
    rs = rule_sets()[1]
    for norms in (["reply", "bad \ud800 surrogate", "12 comments"], ["reply", "two\nlines", "12 comments"]):
        pm = rs.match_page(norms)
        assert pm.proposed is None
        same_answers(rs, norms)


def test_without_hyperscan_every_answer_is_match(monkeypatch):
    monkeypatch.setattr(pagescan, "hyperscan_module", lambda: None)
    pagescan.database.cache_clear()
    try:
        rs = build_ruleset(list(default_rules().rules))
        pm = rs.match_page(["reply", "hello"])
        assert pm.proposed is None and rs._scan == (None,)
        assert pm.first(0).id == "comment.reply" and pm.first(1) is None
    finally:
        pagescan.database.cache_clear()


# --- the rewrite is a superset ------------------------------------------------------------

_ATOMS = ["a", "b", "é", "ß", "\u00a0", " ", r"\w", r"\d", r"\s", r"\S", r"\W", r"\D", ".", "[ab]", "[^a]",
          "[a-cé]", r"[^\w]", r"[\d.]", r"[^\s]", "[«»]", "\\.", "\\(", "ж", "١"]


def _regexes() -> st.SearchStrategy[str]:
    atom = st.sampled_from(_ATOMS)

    def extend(inner):
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map(lambda t: f"(?:{t[0]}|{t[1]})"),
            st.tuples(inner, st.sampled_from(["*", "+", "?", "*?", "+?", "{0,3}", "{2}", "{1,40}", "++", "{,2}"]))
            .map(lambda t: f"(?:{t[0]}){t[1]}"),
            inner.map(lambda x: f"({x})"),
            st.tuples(inner, st.sampled_from([r"\b", r"\B", "^", "$", r"\A", r"\Z"])).map(lambda t: t[1] + t[0]),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}(?={t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"{t[0]}(?!{t[1]})"),
            st.tuples(inner, inner).map(lambda t: f"(?<!b){t[0]}{t[1]}"),
            inner.map(lambda x: f"(?>{x})"),
        )

    return st.recursive(atom, extend, max_leaves=6)


@needs_hyperscan
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_regexes(), st.booleans(), st.data())
def test_rewrite_proposes_every_line_the_pattern_matches(pattern, whole, data):
    try:
        rx = re.compile(pattern)
    except re.error:
        assume(False)
    try:
        expr = pagescan.relaxed(pattern, whole)
    except pagescan.Unsupported:
        return  # left to re: proposed for every line
    db = pagescan.Database(pagescan._compile(hs, [(0, expr)]), (0,), ())
    try:
        examples = [data.draw(st.from_regex(rx, fullmatch=whole)) for _ in range(3)]
    except Exception:  # look-arounds and back-references hypothesis cannot build from
        examples = []
    rnd = random.Random(len(pattern))
    examples += ["".join(rnd.choice("abé ß.ж١(") for _ in range(rnd.randrange(8))) for _ in range(20)]
    lines = [e for e in examples if "\n" not in e]
    proposed = db.candidates(lines)
    assert proposed is not None
    for i, line in enumerate(lines):
        if (rx.fullmatch(line) if whole else rx.search(line)) is not None:
            assert 0 in proposed.get(i, ()), (pattern, whole, line, expr)


def test_rewrite_refuses_what_it_cannot_promise():
    for pattern in ["(?i)ab", "a(?i:b)", "a\nb"]:
        with pytest.raises(pagescan.Unsupported):
            pagescan.relaxed(pattern, True)


# --- the cache -----------------------------------------------------------------------------


def _patterns(rs: RuleSet) -> tuple:
    return tuple((i, r.pattern, r.whole) for i, r in enumerate(rs.rules) if r.pattern is not None)


@needs_hyperscan
def test_database_cached_on_disk_and_loaded_without_compiling(tmp_path, monkeypatch):
    monkeypatch.setenv("CORPUSCONV_CACHE", str(tmp_path / "cache"))
    key = _patterns(rule_sets()[1])
    pagescan.database.cache_clear()
    first = pagescan.database(key)
    (cached,) = list((tmp_path / "cache").glob("hs-*.db"))
    pagescan.database.cache_clear()

    def no_compile(*a, **k):
        raise AssertionError("compiled although cached")

    monkeypatch.setattr(pagescan, "_compile", no_compile)
    second = pagescan.database(key)
    assert second is not None and second.ids == first.ids and second.everywhere == first.everywhere
    norms = [normalise(x) for x in LINES]
    assert second.candidates(norms) == first.candidates(norms)
    # a damaged file is not loaded: the database is compiled again
    cached.write_bytes(cached.read_bytes()[:-10])
    monkeypatch.undo()
    monkeypatch.setenv("CORPUSCONV_CACHE", str(tmp_path / "cache"))
    pagescan.database.cache_clear()
    calls = []
    real = pagescan._compile
    monkeypatch.setattr(pagescan, "_compile", lambda *a: calls.append(1) or real(*a))
    assert pagescan.database(key).candidates(norms) == first.candidates(norms) and calls
    pagescan.database.cache_clear()


@needs_hyperscan
def test_disk_cache_keeps_the_newest_databases(tmp_path, monkeypatch):
    import os

    cache = tmp_path / "cache"
    cache.mkdir(mode=0o700)
    for k in range(12):  # databases of older rule sets
        (cache / f"hs-old{k:02d}.db").write_bytes(b"x")
        os.utime(cache / f"hs-old{k:02d}.db", (1000 + k, 1000 + k))
    monkeypatch.setenv("CORPUSCONV_CACHE", str(cache))
    pagescan.database.cache_clear()
    try:
        assert pagescan.database(_patterns(rule_sets()[1])) is not None
    finally:
        pagescan.database.cache_clear()
    left = sorted(p.name for p in cache.glob("hs-*.db"))
    assert len(left) == pagescan.MAX_CACHED
    assert [n for n in left if n.startswith("hs-old")] == [f"hs-old{k:02d}.db" for k in range(5, 12)]


@needs_hyperscan
def test_unwritable_cache_still_scans(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")  # nothing can be created below it, even by root
    monkeypatch.setenv("CORPUSCONV_CACHE", str(blocker / "sub"))
    monkeypatch.setattr(pagescan.tempfile, "gettempdir", lambda: str(blocker))  # no fallback either
    pagescan.database.cache_clear()
    try:
        rs = build_ruleset(list(default_rules().rules))
        same_answers(rs, [normalise(x) for x in LINES])
        assert rs._scan[0] is not None
    finally:
        pagescan.database.cache_clear()


def test_shared_cache_directory_is_not_trusted(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    assert not pagescan._private(shared)
    assert pagescan._private(tmp_path / "mine")


def test_page_matches_without_proposals_is_match():
    rs = default_rules()
    pm = PageMatches(rs, ["reply", "x"], None)
    assert pm.first(0) is rs.match("reply") and pm.first(1) is None


@needs_hyperscan
def test_an_empty_last_line_of_a_long_page_is_proposed():
    # Found by test_rewrite_proposes_every_line_the_pattern_matches: Hyperscan reported the
    # empty matches of the first lines, not that of the empty last line, 97 bytes on.
    pattern = "(?>(?:[ab])*)"
    with pytest.raises(pagescan.Unsupported):
        pagescan.relaxed(pattern, True)
    rules = f"""
[[rule]]
id = "u.ab"
category = "x"
pattern = '{pattern}'
"""
    rs = build_ruleset(parse_rules(rules, "user"))
    lines = ["", "", "", ".١ßß", "é١(   ", "ébж١ж", "", "a é١١ß", "жß", " .(é ", " aa..éß", "é(b", "ébж", ""]
    assert [k for k in range(len(lines)) if rs.match_page(lines).first(k, "any") is not None] == [0, 1, 2, 6, 13]
    same_answers(rs, lines)
