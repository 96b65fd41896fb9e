"""Per-site learning: lines recurring within one site become that site's rules, applied to
that site's pages only; a line recurring on two sites is two rules, never one global one."""

from __future__ import annotations

import json
import pickle
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import P1, P2, P3
from corpusconv import learn
from corpusconv.cli import app
from corpusconv.containers import WetPage, write_wet
from corpusconv.rules import CorpusconvError, build_ruleset, default_rules, load_rules, parse_rules
from corpusconv.sites import site_of

SHARED_LINE = "Powered by the Same Theme Everyone Uses"


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def page(site: str, n: int) -> bytes:
    lines = [f"{site.title()} Navigation Home About", f"Post {n} on {site}", "", P1 if n % 2 else P2, "", P3,
             "", f"Footer of {site} only, all rights reserved", SHARED_LINE]
    return "\n".join(lines).encode() + b"\n"


def two_site_wet(path: Path, per_site: int = 4) -> None:
    pages = [WetPage(url=f"https://www.{site}.example/{n}", text=page(site, n))
             for n in range(per_site) for site in ("alpha", "beta")]
    with open(path, "wb") as fh:
        write_wet(fh, pages, filename=path.name)


def test_site_of():
    assert site_of("https://WWW.Example.com:8080/a?b") == "example.com"
    assert site_of("http://blog.example.org/") == "blog.example.org"
    assert site_of(None) is None and site_of("") is None and site_of("not a url") is None
    assert site_of("http://[::1") is None  # invalid IPv6 literal: no site, no exception


def test_learn_on_two_sites_writes_only_site_scoped_rules(tmp_path):
    wet = tmp_path / "two.warc.wet.gz"
    two_site_wet(wet)
    r = cli("learn", str(wet), "-o", str(tmp_path / "rules.toml"))
    assert r.exit_code == 0, r.stderr
    rules = tomllib.loads((tmp_path / "rules.toml").read_text())["rule"]
    assert rules and all(rule.get("site") in ("alpha.example", "beta.example") for rule in rules)
    shared = [rule for rule in rules if rule["text"] == SHARED_LINE.lower()]
    assert sorted(rule["site"] for rule in shared) == ["alpha.example", "beta.example"]
    assert len({rule["id"] for rule in shared}) == 2
    footers = {rule["site"] for rule in rules if rule["text"].startswith("footer of")}
    assert footers == {"alpha.example", "beta.example"}
    assert f"{len(rules)} rules ({len(rules)} site-scoped, over 2 sites)" in r.stderr


def test_no_by_site_learns_global_rules(tmp_path):
    wet = tmp_path / "two.warc.wet.gz"
    two_site_wet(wet)
    r = cli("learn", str(wet), "--no-by-site", "-o", str(tmp_path / "rules.toml"))
    assert r.exit_code == 0, r.stderr
    rules = tomllib.loads((tmp_path / "rules.toml").read_text())["rule"]
    assert all("site" not in rule for rule in rules)
    assert [rule["text"] for rule in rules].count(SHARED_LINE.lower()) == 1


def test_site_rules_apply_only_to_their_site(tmp_path):
    wet = tmp_path / "two.warc.wet.gz"
    two_site_wet(wet)
    assert cli("learn", str(wet), "-o", str(tmp_path / "rules.toml"), "-q").exit_code == 0
    # a third page, on beta, that prints alpha's footer: alpha's rule must not touch it
    stray = tmp_path / "stray.jsonl"
    text = page("beta", 9).decode().replace("Footer of beta only", "Footer of alpha only")
    stray.write_text(json.dumps({"id": "stray", "text": text, "url": "https://beta.example/9"}) + "\n")
    out = tmp_path / "o.jsonl"
    r = cli("convert", str(wet), str(stray), "--rules", str(tmp_path / "rules.toml"), "-o", str(out), "-j", "1")
    assert r.exit_code == 0, r.stderr
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    rules = {rule["id"]: rule for rule in tomllib.loads((tmp_path / "rules.toml").read_text())["rule"]}
    for rec in recs[:-1]:
        site = site_of(rec["url"])
        learned = {b["rule"] for b in rec["boilerplate"] if b["rule"].startswith("learned.")}
        assert learned and all(rules[rid]["site"] == site for rid in learned)
    stray_rules = {b["rule"]: b["text"] for b in recs[-1]["boilerplate"]}
    alpha_footer = next(rid for rid, rule in rules.items()
                        if rule["site"] == "alpha.example" and rule["text"].startswith("footer of"))
    assert alpha_footer not in stray_rules
    assert all(rules[rid]["site"] == "beta.example" for rid in stray_rules if rid.startswith("learned."))


def test_counts_merge_per_site_like_a_local_fold():
    docs = [learn.count_lines(page(s, n).decode().splitlines(), f"{s}.example")
            for n in range(3) for s in ("alpha", "beta")] + [learn.count_lines(page("gamma", 1).decode().splitlines())]
    a = learn.Counts()
    for d in docs:
        learn.merge(a, d)
    b = learn.Counts()
    for d in reversed([learn.count_lines(page(s, n).decode().splitlines(), f"{s}.example")
                       for n in range(3) for s in ("alpha", "beta")]
                      + [learn.count_lines(page("gamma", 1).decode().splitlines())]):
        learn.merge(b, d)
    assert (a.docs, a.site_free_docs(), sorted(a.sites)) == (7, 1, ["alpha.example", "beta.example"])
    assert {s: {k: v.df for k, v in c.lines.items()} for s, c in a.sites.items()} == \
           {s: {k: v.df for k, v in c.lines.items()} for s, c in b.sites.items()}
    assert a.sites["alpha.example"].docs == 3
    # min_share is judged within the site: 3 of 3 alpha pages
    got = learn.candidates(a, min_df=3, min_share=0.5)
    assert {e["site"] for e in got} == {"alpha.example", "beta.example"}


SITE_RULES = '''
[[rule]]
id = "s.footer"
category = "site-footer"
text = "Footer of alpha only, all rights reserved"
site = "WWW.Alpha.Example"

[[rule]]
id = "s.nav"
category = "navigation"
pattern = 'alpha navigation .*'
site = "alpha.example"

[[rule]]
id = "g.theme"
category = "site-footer"
text = "powered by the same theme everyone uses"
'''


def test_rule_site_field_and_views():
    user = build_ruleset(parse_rules(SITE_RULES, "test"))
    assert [r.site for r in user.rules] == ["alpha.example", "alpha.example", None]
    full = default_rules().extended(user)
    alpha, beta, none = full.for_site("alpha.example"), full.for_site("beta.example"), full.for_site(None)
    assert alpha is full.for_site("alpha.example") and beta is none  # cached; no rules for beta
    assert alpha.match("footer of alpha only, all rights reserved").id == "s.footer"
    assert alpha.match("alpha navigation home about").id == "s.nav"
    assert beta.match("footer of alpha only, all rights reserved") is None
    assert beta.match("alpha navigation home about") is None
    assert full.match("alpha navigation home about") is None  # the full set never applies them
    for view in (alpha, beta):
        assert view.match("powered by the same theme everyone uses").id == "g.theme"
        assert view.match("reply").id == full.match("reply").id
        assert view.digest == full.digest
    again = pickle.loads(pickle.dumps(full))
    assert again.for_site("alpha.example").match("alpha navigation home about").id == "s.nav"


def test_site_free_rule_sets_keep_their_digest():
    text = '[[rule]]\nid = "a"\ncategory = "c"\ntext = "x y"\n'
    plain = build_ruleset(parse_rules(text, "t"))
    assert plain.for_site("anything.example") is plain  # no site rules: its own view
    scoped = build_ruleset(parse_rules(text + 'site = "s.example"\n', "t"))
    assert plain.digest != scoped.digest  # the site is part of what a rule is
    # the digest of a site-free set is computed as it always was (examples/expected holds it)
    expected = (Path(__file__).parent.parent / "examples" / "expected" / "corpus.jsonl").read_text()
    assert json.loads(expected.splitlines()[0])["provenance"]["rules_digest"] == default_rules().digest


def test_bad_site_value_is_a_clear_error(tmp_path):
    f = tmp_path / "r.toml"
    f.write_text('[[rule]]\nid = "a"\ncategory = "c"\ntext = "x"\nsite = 3\n')
    with pytest.raises(CorpusconvError, match="'site' must be a host name"):
        load_rules(f)


def test_learn_reports_bad_records_and_exits_1(tmp_path):
    good = "\n".join(json.dumps({"id": f"d{n}", "text": page("alpha", n).decode(),
                                 "url": f"https://alpha.example/{n}"}) for n in range(4))
    src = tmp_path / "d.jsonl"
    src.write_text(good + "\n{broken\n")
    r = cli("learn", str(src), "-o", str(tmp_path / "r.toml"))
    assert r.exit_code == 1 and "line 5: not valid JSON" in r.stderr
    assert r.stderr.count("line 5") == 2  # reported, and listed again at the end
    assert tomllib.loads((tmp_path / "r.toml").read_text())["rule"]


def test_site_rules_apply_through_the_page_scan():
    """A site view answers the page scan with its own rules first (and only on its site)."""
    from corpusconv import convert_text
    from corpusconv.rules import build_ruleset, default_rules, parse_rules

    user = build_ruleset(parse_rules('[[rule]]\nid = "site.x"\ncategory = "corpus-repeat"\n'
                                     'text = "acme widgets weekly deals"\nsite = "acme.com"\n', "t"))
    rules = default_rules().extended(user)
    page = "Title here\n\nAcme widgets weekly deals\n\n" + "This is a long paragraph of prose that ends. " * 6
    on_site = convert_text(page, rules=rules, url="http://www.acme.com/a", model=None)
    elsewhere = convert_text(page, rules=rules, url="http://other.com/a", model=None)
    assert [r.rule for r in on_site.removals if r.text.startswith("Acme")] == ["site.x"]
    assert "site.x" not in {r.rule for r in elsewhere.removals}
