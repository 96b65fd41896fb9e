"""Comment threads: the header parsers and predicates of :mod:`corpusconv.comments`
(doctests, and cases beside them), and pages whose threads hinge on segmentation:

* a comment item holding only its author and date, its text printed at the list's margin
  (layout tables in inscriptis; html2text prints an item's further blocks so);
* a one-word menu item followed by the post's dateline, which must not swallow the page
  (and the plain-line thread in it).
"""

from __future__ import annotations

import doctest

import pytest

import corpusconv
from corpusconv import comments, threads
from corpusconv.comments import Header, parse_header_line

MARGIN_PAGE = """My Blog

A Post About Gardens

I planted beans this spring and they grew taller than the fence, which surprised everyone in the street including me. The neighbours came to look at them every evening and asked what I had fed them.

The secret, if there is one, was patience and a lot of rain in April, together with a bag of compost that I had made the year before from kitchen scraps.

3 comments to A Post About Gardens

      * Alan Smith
        August 2nd, 2012 at 12:36 pm

      This is a lovely post and I am going to try the compost idea next year in my own garden.

      I had the same problem with slugs though, and the beans never got past the first leaves.

      * Mary Jones
        August 2nd, 2012 at 1:08 pm

      Patience is the hardest part of gardening for me, but the results are always worth the wait.

      * Bob
        August 3rd, 2012 at 9:58 am

      Thanks for writing this up, I have bookmarked it and will come back to it in the spring.

Leave a Reply
"""

DATELINE_PAGE = """        * Home

            Monday, October 29, 2012

              Bean Soup for a Cold Monday

              As much as I complain about the cold weather, a bowl of bean soup on a Monday evening makes up for most of it, and this one takes ten minutes to put together.

              I used chicken stock because that is what I had in the freezer, but vegetable stock works just as well and makes the soup vegetarian.

            2 comments:

            Joanne said...

            I feel the same way about the cold, but it makes cuddling up with a warm soup all the better.

            October 29, 2012 4:52 AM

            Barbara said...

            A great winter soup. I love the substitute of croutons for the cheese on top.

            October 29, 2012 5:46 AM

            Post a Comment
"""


SHORT_COMMENTS_PAGE = """Home

Twelve New Wallpapers for the Season

We made twelve new wallpapers for phones and computers this week, in the club colours and in black and white, and they are free to download for everyone who reads the site.

Each wallpaper comes in four sizes, so it fits a phone, a tablet, a laptop and a large screen without being stretched or cut at the edges.

Comments»

  1. Sam - 28 October, 2011

Great post!

Reply

  2. Kim - 28 October, 2011

Thanks!

Reply

  3. Lee - 29 October, 2011

Love them, setting one as my wallpaper.

Reply

Leave a Reply
"""


FOOTER_PAGE = """# A Note on Risk

The micromort is a unit of risk: a one-in-a-million chance of death. Walking a few
miles, driving a few hundred and flying a few thousand each cost about one.

It makes very different risks comparable, which is the whole point of having a unit.

## Comments

Not to be confused with a barely visible scrap of food left on your plate.
Posted by: Snarki at [November 8, 2012 7:12
AM](http://example.org/archives/risk.html#c1)

* * *

Sitting in traffic costs me eight of them every day ... Posted by: kingsnake at
[November 8, 2012 7:22 AM](http://example.org/archives/risk.html#c2)

* * *

Excellent idea. I wonder though whether it should also be per unit of time.
Posted by: Andy at [November 8, 2012 7:30
AM](http://example.org/archives/risk.html#c3)

* * *

Leave a comment
"""


NESTED_PAGE = """My Blog

Why I Walk to Work

I started walking to work last spring, and the forty minutes each way have become the best part of my day, with time to think and no traffic to sit in.

The route goes along the canal and through the park, and in the mornings the only other people out are runners and a man with three dogs.

4 Responses to Why I Walk to Work

  1. Anna says:
     March 3, 2012 at 9:12 am
     I do the same and it has changed how I feel about Mondays entirely.
     Reply
       • Tom says:
         March 3, 2012 at 10:40 am
         Same here, though I cheat and take the bus when it rains.
         Reply
           • Anna says:
             March 3, 2012 at 11:02 am
             Rain is the real test of commitment, I admit.
             Reply
  2. Ben says:
     March 4, 2012 at 8:00 pm
     Lovely piece, thank you for writing it.
     Reply

Leave a Reply
"""


def _retab(page: str, spaces_per_tab: int, tab_stops: int | None) -> str:
    """The page with its indentation written with tabs: every ``spaces_per_tab`` spaces
    one tab (``tab_stops`` None), or as ``unexpand`` writes it for tab stops that wide
    (tabs up to the last stop, then spaces)."""
    out = []
    for line in page.split("\n"):
        n = len(line) - len(line.lstrip(" "))
        if tab_stops is None:
            lead = "\t" * -(-n // spaces_per_tab)
        else:
            lead = "\t" * (n // tab_stops) + " " * (n % tab_stops)
        out.append(lead + line[n:])
    return "\n".join(out)


@pytest.mark.parametrize("spaces_per_tab, tab_stops", [(2, None), (1, None), (4, None), (0, 8), (0, 4)])
def test_replies_indented_with_tabs_nest_like_replies_indented_with_spaces(spaces_per_tab, tab_stops):
    expect = [("Anna", 0, None), ("Tom", 1, "c1"), ("Anna", 2, "c2"), ("Ben", 0, None)]

    def nesting(page: str) -> list[tuple[str | None, int, str | None]]:
        doc = corpusconv.convert_bytes(page.encode("utf-8"), source="page.txt")
        return [(c.author, c.depth, c.parent) for c in doc.comments]

    assert nesting(NESTED_PAGE) == expect
    assert nesting(_retab(NESTED_PAGE, spaces_per_tab, tab_stops)) == expect


def test_doctests():
    for module, least in ((comments, 30), (threads, 0)):
        result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
        assert result.failed == 0 and result.attempted >= least


@pytest.mark.parametrize("line, expect", [
    ("Steph says:", Header("Steph", None)),
    ("Anonymous said...", Header("Anonymous", None)),
    ("On September 4, 2012 at 10:25 am Steph said:", Header("Steph", "2012-09-04")),
    ("Posted by: Jane Roe | 09/21/2012 at 09:38 PM", Header("Jane Roe", "09/21/2012 at 09:38 PM")),
    ("Alan Wexelblat August 2nd, 2012 at 12:36 pm", Header("Alan Wexelblat", "2012-08-02")),
    ("October 29, 2012 4:52 AM", Header(None, "2012-10-29")),
    ("Everywhereist Reply:", Header("Everywhereist", None)),
    ("Jane says: I think this is a very good idea for everyone", None),
    ("I agree. May 4, 2012", None),
    ("The senator says the bill will pass next week after a long debate.", None),
    ("Home", None),
])
def test_parse_header_line(line, expect):
    assert parse_header_line(line) == expect


def test_parsed_headers_are_frozen():
    h = parse_header_line("Steph says:")
    with pytest.raises(AttributeError):
        h.author = "someone else"  # type: ignore[misc]
    assert parse_header_line("Steph says:") is h  # cached, so it must not change


@pytest.mark.parametrize("text, expect", [
    ("12 Comments", True), ("3 thoughts on “A Post”", True), ("3 comments:", True),
    ("38 comments to Participatory Culture: What questions do you have?", True),
    ("Comments are welcome", False), ("Recent Posts", False),
])
def test_is_comment_heading(text, expect):
    assert comments.is_comment_heading(text) is expect


def _comments(page: str) -> list[tuple[str | None, str | None, int, str]]:
    doc = corpusconv.convert_bytes(page.encode("utf-8"), source="page.txt")
    return [(c.author, c.date, c.depth, " ".join(c.paragraphs)) for c in doc.comments]


def test_comment_text_at_the_list_margin():
    found = _comments(MARGIN_PAGE)
    assert [(a, d, depth) for a, d, depth, _ in found] == [
        ("Alan Smith", "2012-08-02", 0), ("Mary Jones", "2012-08-02", 0), ("Bob", "2012-08-03", 0)]
    assert found[0][3].startswith("This is a lovely post") and found[0][3].endswith("the first leaves.")
    assert found[2][3].startswith("Thanks for writing this up")
    doc = corpusconv.convert_bytes(MARGIN_PAGE.encode("utf-8"), source="page.txt")
    article = " ".join(b.text for b in doc.blocks)
    assert "compost idea" not in article and "I planted beans" in article
    assert "Leave a Reply" not in found[2][3]


def test_post_dateline_after_a_menu_item_does_not_swallow_the_page():
    assert [(a, d) for a, d, _, _ in _comments(DATELINE_PAGE)] == [("Joanne", "2012-10-29"), ("Barbara", "2012-10-29")]
    doc = corpusconv.convert_bytes(DATELINE_PAGE.encode("utf-8"), source="page.txt")
    assert doc.title == "Bean Soup for a Cold Monday"
    assert any("chicken stock" in b.text for b in doc.blocks)


def test_short_comments_each_with_header_and_reply_stay_a_thread():
    found = _comments(SHORT_COMMENTS_PAGE)
    assert [(a, d, t) for a, d, _, t in found] == [
        ("Sam", "2011-10-28", "Great post!"), ("Kim", "2011-10-28", "Thanks!"),
        ("Lee", "2011-10-29", "Love them, setting one as my wallpaper.")]
    doc = corpusconv.convert_bytes(SHORT_COMMENTS_PAGE.encode("utf-8"), source="page.txt")
    assert not any("Great post" in b.text or "Thanks!" in b.text for b in doc.blocks)


@pytest.mark.parametrize("first, second, expect", [
    ("Posted by: Jane at November 8,", "2012 7:12 AM", Header("Jane", "2012-11-08")),
    ("Posted by: Jane at November 8, 2012 7:12 AM", "I agree.", None),
])
def test_wrapped_header(first, second, expect):
    assert comments.wrapped_header(first, second) == expect


def test_footer_headers_whole_or_run_into_the_text():
    found = _comments(FOOTER_PAGE)
    assert [(a, d) for a, d, _, _ in found] == [("Snarki", "2012-11-08"), ("kingsnake", "2012-11-08"),
                                               ("Andy", "2012-11-08")]
    assert found[1][3] == "Sitting in traffic costs me eight of them every day ..."
    assert all("Posted by" not in t and "* * *" not in t for _, _, _, t in found)
