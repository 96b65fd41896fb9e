"""The mojibake gate (corpusconv/mojibake.py) never changes what ftfy gives.

``mojibake.fix_encoding(text)`` must equal ``ftfy.fix_encoding(text)`` for every text:
checked on generated text (random Unicode, and text drawn from the characters ftfy's
badness regex is about), on mojibake made in ten codecs from sentences in many scripts,
and, through the whole decoding stage, on dev pages of all five renderings and the seeds
(decoded once with the gate and once with ftfy run on every page).
"""

from __future__ import annotations

import re

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the "sloppy-windows-*" codecs)
import pytest
from ftfy.badness import BADNESS_RE, is_bad
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpusconv import decoding, mojibake

from conftest import SEEDS, SHARED, shared_path

# Every character ftfy's regex names, plus plain text around them and a few others.
_GATE = mojibake.gate()
_REGEX_CHARS = sorted({ch for ch in BADNESS_RE.pattern if not ch.isascii()} | (_GATE.chars if _GATE else set()))
ALPHABET = _REGEX_CHARS + list("abcxyzABCXYZ 019 .,;?!'\"-\n\t") + ["\xa0", "\x80", "\x9d", "中", "🙂",
                                                                     "\u2019", "\u2013", "\ufffd"]
CODECS = ["latin-1", "sloppy-windows-1252", "sloppy-windows-1251", "sloppy-windows-1250",
          "sloppy-windows-1253", "sloppy-windows-1254", "sloppy-windows-1257", "iso-8859-2",
          "macroman", "cp437"]
SENTENCES = ["It’s “quoted” — and that’s… fine", "café naïve résumé Ærøskøbing", "Größe straße Übermut",
             "Zażółć gęślą jaźń", "Привет, как дела?", "Καλημέρα κόσμε", "مرحبا بالعالم", "שלום עולם",
             "中文字符测试", "日本語のテキスト", "한국어 텍스트", "emoji 🙂👍🏽 here", "½ × 3 ≤ 4 ± 1 °C",
             "€ 20, £ 15, ¥ 300", "Around\xa0half of them", "voilà le travail", "Ağaç şişe ılık",
             "Ķēķis ļoti", "čeština je krásná", "• bullet — dash – en"]


def _mojibake_samples() -> list[str]:
    out = []
    for sentence in SENTENCES:
        raw = sentence.encode("utf-8")
        for codec in CODECS:
            try:
                bad = raw.decode(codec)
            except UnicodeDecodeError:
                continue
            out += [bad, f"Plain words then {bad} and “clean” text after.", bad[: len(bad) // 2]]
        out.append(sentence)
    # partial and repeated mojibake, the forms ftfy fixes piecewise (decode_inconsistent_utf8)
    out += ["Maskne Is a Thing \u0101\x80\x94 Here's How", "AroundÂ half of America", "ThisĀ\xa0decade",
            "Itâ€™s “real” quotes and â€œfakeâ€\x9d ones 🙂", "Ã©Ã©Ã© clean é", "Ð¿Ñ€Ð¸Ð²ÐµÑ‚ and привет"]
    return out


MOJIBAKE = _mojibake_samples()


def test_gate_exists_for_the_installed_ftfy():
    # Without it every page pays ftfy's full search: fail loudly, so that someone looks.
    assert ftfy.__version__.split(".")[0] == mojibake.FTFY_MAJOR
    g = mojibake.gate()
    assert g is not None and 2 <= g.width <= mojibake.MAX_WIDTH
    assert "\u2022" not in g.chars  # list bullets open no window (a speed choice)


@pytest.mark.parametrize("text", MOJIBAKE)
def test_crafted_mojibake_same_as_ftfy(text):
    expected = ftfy.fix_encoding(text)
    assert mojibake.fix_encoding(text) == expected
    assert mojibake.may_change(text) == is_bad(text)
    if expected != text:
        assert mojibake.may_change(text)


def test_crafted_samples_do_hold_mojibake():
    # The samples are real work for the gate: most of them are fixed by ftfy.
    fixed = sum(ftfy.fix_encoding(t) != t for t in MOJIBAKE)
    assert fixed > len(MOJIBAKE) // 2


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(ALPHABET), max_size=80))
def test_same_as_ftfy_on_text_of_its_characters(text):
    assert mojibake.may_change(text) == is_bad(text)
    assert mojibake.scan(text, decoding._SUSPECT) == (is_bad(text), decoding._SUSPECT.search(text) is not None)
    assert mojibake.fix_encoding(text) == ftfy.fix_encoding(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(ALPHABET + ["\x01", "\x0b", "\x1f", "\u200b", "\u2060", "\ufeff",
                                                    "\udc80", "\ud800", "\uffff"]), max_size=80))
def test_one_scan_answers_both_questions(text):
    # decoding asks "may ftfy change it?" and "any suspect character?" in one pass
    assert mojibake.scan(text, decoding._SUSPECT) == (is_bad(text), decoding._SUSPECT.search(text) is not None)
    assert mojibake.scan(text) == (is_bad(text), False)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_same_as_ftfy_on_any_text(text):
    assert mojibake.may_change(text) == is_bad(text) or text.isascii()
    assert mojibake.fix_encoding(text) == ftfy.fix_encoding(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40), st.sampled_from(CODECS), st.text(alphabet=st.sampled_from(ALPHABET), max_size=30),
       st.integers(0, 400))
def test_same_as_ftfy_on_generated_mojibake(source, codec, context, pad):
    try:
        bad = source.encode("utf-8").decode(codec)
    except UnicodeDecodeError:
        bad = source
    # context on both sides, and far away from the mojibake: windows must not lose it
    text = context + bad + " " * pad + context
    assert mojibake.may_change(text) == is_bad(text)
    assert mojibake.fix_encoding(text) == ftfy.fix_encoding(text)


def test_anchor_analysis_refuses_what_it_cannot_bound():
    assert mojibake.anchors_of(re.compile("a+é")) is None  # unbounded width
    assert mojibake.anchors_of(re.compile("é|[^x]")) is None  # an alternative with no anchor
    assert mojibake.anchors_of(re.compile("é", re.I)) is None
    assert mojibake.anchors_of(re.compile("[ab]é|ü[cd]")) == (frozenset("éü"), 2)


def _dev_pages():
    realweb = shared_path(SHARED / "realweb")
    pages = []
    for rendering in ("pages", "pages-lynx", "pages-w3m", "pages-html2text", "pages-inscriptis"):
        files = sorted((realweb / rendering).glob("*.txt"))
        pages += files[::6]  # a sample; the bench check (bench/RESULTS.md) converts them all
    pages += sorted(shared_path(SEEDS).glob("*.txt"))
    return pages


def test_decoding_dev_pages_same_as_ftfy_on_every_page(monkeypatch):
    pages = _dev_pages()
    gated = [decoding.decode_bytes(p.read_bytes()) for p in pages]
    monkeypatch.setattr(mojibake, "gate", lambda: None)  # no gate: ftfy on every page
    ungated = [decoding.decode_bytes(p.read_bytes()) for p in pages]
    assert len(pages) > 200
    for p, a, b in zip(pages, gated, ungated):
        assert (a.lines, a.encoding, a.repairs) == (b.lines, b.encoding, b.repairs), p
    assert any(r.kind == "mojibake" for d in gated for r in d.repairs)
