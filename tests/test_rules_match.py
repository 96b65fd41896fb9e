"""RuleSet.match's fast path (per-zone tables, memo) gives the same answer as the plain
definition: the exact-text rule if its zone applies, else the first pattern rule in order
whose zone is "any" or the asked zone and which matches (respecting max_words/whole)."""

from __future__ import annotations

import pickle
import random

from corpusconv.rules import ZONES, RuleSet, build_ruleset, default_rules, normalise, parse_rules

USER_RULES = """
[[rule]]
id = "u.keep-reply"
category = "keep"
action = "keep"
zone = "comments"
pattern = 'reply'

[[rule]]
id = "u.head-home"
category = "navigation"
zone = "head"
pattern = '(home|menu|about)'

[[rule]]
id = "u.tail-search"
category = "widget"
zone = "tail"
whole = false
pattern = 'search'
max_words = 3

[[rule]]
id = "u.exact"
category = "learned"
text = "Share this:"
zone = "comments"

[[rule]]
id = "u.exact-any"
category = "learned"
text = "Posted in Uncategorized"
"""

LINES = ["Reply", "reply", "Home", "Menu", "About", "Search", "search this site", "search this site now please",
         "Share this:", "share this", "Posted in Uncategorized", "Leave a comment", "12 Comments",
         "Powered by WordPress", "Copyright 2012 Jane Doe. All rights reserved.", "Like Loading...",
         "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
         "It was a dark and stormy night, and the comments were closed.", "Report comment", "", "x",
         "Please consider making a donation to keep this blog running.", "Related posts", "Tags",
         "Your email address will not be published. Required fields are marked *",
         "3 stars", "(5)", "4.5 out of 5 stars", "© 2012 Jane", "↑", "١٢ comments", "12 likes", "[Reply]"]


def reference(rs: RuleSet, norm: str, zone: str):
    hit = rs.exact.get(norm)
    if hit is not None and hit.zone in ("any", zone):
        return hit
    for r in rs.rules:
        if r.text is None and r.zone in ("any", zone) and r.matches(norm):
            return r
    return None


def _sets():
    base = default_rules()
    user = build_ruleset(parse_rules(USER_RULES, "user"))
    return [base, base.extended(user)]


def test_match_equals_reference_in_every_zone_and_order():
    rnd = random.Random(5)
    for rs in _sets():
        fresh = pickle.loads(pickle.dumps(rs))
        for _ in range(3):
            seq = [(normalise(line), zone) for line in LINES for zone in ZONES]
            rnd.shuffle(seq)  # asking for zones in any order must not matter (memo)
            for norm, zone in seq:
                assert fresh.match(norm, zone) is reference(fresh, norm, zone), (norm, zone)


def test_memo_is_bounded_and_not_pickled(monkeypatch):
    import corpusconv.rules as rules

    monkeypatch.setattr(rules, "MATCH_CACHE_SIZE", 10)
    rs = build_ruleset(list(default_rules().rules))
    for i in range(50):
        rs.match(f"line number {i}", "any")
        rs.match(f"line number {i}", "tail")
    assert len(rs._memo) <= 10 and len(rs._zmemo) <= 10
    assert pickle.loads(pickle.dumps(rs))._memo == {} and pickle.loads(pickle.dumps(rs))._zmemo == {}
    assert rs.match("reply", "any").id == "comment.reply"


PATTERNS = ["a(b|c)d", r".*\b(ab|cd)\b.*", "(?i)ab", "x[ab]y", "a?", r"(a)\1b", "(?:ab)+c", "a{2,3}b",
            "(ab|c)?d(x|y)", "(?=ab)a", "(?:a|)b", "a.*b.*c", "((ab)|(cd))(xy)?", "(?i:ab)c", r"\w+ab",
            "(a|b)(c|d)(a|b)(c|d)(a|b)(c|d)(a|b)", "ab(?!c)", "a*?b+?"]


def test_pattern_needles_are_necessary():
    """Whenever a pattern matches a string, one of its needles occurs in it."""
    import re

    from corpusconv.rules import pattern_needles

    rnd = random.Random(7)
    assert pattern_needles("a(b|c)d") == {"abd", "acd"}
    assert pattern_needles(r".*\b(ab|cd)\b.*") == {"ab", "cd"}
    assert pattern_needles("(?i)ab") is None and pattern_needles("a?") is None
    for pat in PATTERNS:
        needles = pattern_needles(pat)
        rx = re.compile(pat)
        for _ in range(3000):
            s = "".join(rnd.choice("abcdxy ") for _ in range(rnd.randrange(0, 9)))
            for fn in (rx.search, rx.fullmatch):
                if fn(s) and needles is not None:
                    assert any(n in s for n in needles), (pat, s, needles)


def test_prefilter_keys_cover_every_needle():
    from corpusconv.rules import pattern_needles, prefilter_keys

    for rs in _sets():
        for r in rs.rules:
            keys = prefilter_keys(r)
            if keys is not None:
                assert all(any(k in n for k in keys) for n in pattern_needles(r.pattern)), r.id


FIRST_PATTERNS = PATTERNS + [r"\d+ (ab|c)", "[a-c]x|y", r"(\(\d+\)|ab)", "[^a]b", r"\s*ab", r"\bab", "(a|b)?c*d",
                             "x{0,2}(y|1)", "(?:)a", r"[\d.]b", "$", "a|", "(c[0-5](\\.\\d)?|one)"]


def test_pattern_first_chars_are_necessary():
    """Whenever a pattern matches a whole string, the string starts with one of its first
    characters (the rule table skips the pattern on lines starting otherwise)."""
    import re

    from corpusconv.rules import DIGIT, pattern_first_chars

    assert pattern_first_chars("(reply|report)") == {"r"}
    assert pattern_first_chars(r"\d+ comments") == {DIGIT}
    assert pattern_first_chars(".*ab") is None and pattern_first_chars("a?") is None
    rnd = random.Random(11)
    for pat in FIRST_PATTERNS:
        first = pattern_first_chars(pat)
        rx = re.compile(pat)
        for _ in range(3000):
            s = "".join(rnd.choice("abcdxy 15().٣") for _ in range(rnd.randrange(0, 7)))
            if rx.fullmatch(s) and first is not None:
                assert s and (s[0] in first or (DIGIT in first and s[0].isdigit())), (pat, s, first)
