"""Comment-template families and page shapes, on small hand-written pages.

Each case is written in the style of a renderer's output (lynx/resiliparse: list items as
``  1.`` / ``    •`` with indented continuation lines), with negative cases alongside.
"""

from __future__ import annotations

from collections import Counter

from corpusconv.comments import is_comment_heading, parse_header_line

from conftest import both_engines, convert_page as convert, engines

BODY = ("This is the opening paragraph of the post, long enough to read as real prose in any "
        "article, with a full stop at the end.")
BODY2 = ("A second paragraph continues the argument at some length, so the article is clearly "
         "the main text of this page and not a sidebar.")




def test_header_line_forms():
    cases = {
        "Steph says:": ("Steph", None),
        "Steph says: September 4, 2012 at 10:25 am": ("Steph", "2012-09-04"),
        "On September 4, 2012 at 10:25 am Steph said:": ("Steph", "2012-09-04"),
        "Anonymous said...": ("Anonymous", None),
        "09. Jul, 2012 / Courtney says:": ("Courtney", "2012-07-09"),
        "Heather on October 23rd, 2012 1:37 pm": ("Heather", "2012-10-23"),
        "Posted by: Jane Roe | 09/21/2012 at 09:38 PM": ("Jane Roe", "09/21/2012 at 09:38 PM"),
        "infamousdx said,": ("infamousdx", None),
        "Beth on August 1, 2012 at 10:00 am said:": ("Beth", "2012-08-01"),
        "Alan Wexelblat August 2nd, 2012 at 1:47 pm | Permalink": ("Alan Wexelblat", "2012-08-02"),
        "JoAnn C. On Friday, November 2 at 12:37 pm": ("JoAnn C.", "Friday, November 2 at 12:37 pm"),
    }
    for line, (author, date) in cases.items():
        h = parse_header_line(line)
        assert h is not None, line
        assert (h.author, h.date) == (author, date), line


def test_header_negatives():
    for line in ("The senator says the bill will pass next week after a long debate in the chamber.",
                 "I was born on April 16, 2010 and I have been writing ever since then, mostly poems.",
                 "Reply"):
        h = parse_header_line(line)
        assert h is None or h.author is None, line


def test_comment_headings():
    for t in ("12 Comments", "Comments (87)", "3 thoughts on “A Post”", "45 Responses to “X”", "Comments"):
        assert is_comment_heading(t), t
    assert not is_comment_heading("Comments on the state of the economy were made by many "
                                  "economists in the week before the vote, which surprised us all.")


def test_wordpress_says_thread_with_replies():
    page = f"""My Post Title

{BODY}

{BODY2}

2 thoughts on “My Post Title”

  1. Steph says:
    September 4, 2012 at 10:25 am

    I loved this post, thank you for writing it down so clearly for all of us.

    Reply
    • Author says:
      September 4, 2012 at 11:00 am

      Thank you Steph, that is kind of you to say and I appreciate it.

      Reply
  2. Bob says:
    September 5, 2012 at 9:00 am

    Another comment that is long enough to be a comment on this page.

    Reply

Leave a Reply

Your email address will not be published. Required fields are marked *
"""
    doc = convert(page)
    assert doc.title == "My Post Title"
    assert [(c.author, c.depth, c.date) for c in doc.comments] == [
        ("Steph", 0, "2012-09-04"), ("Author", 1, "2012-09-04"), ("Bob", 0, "2012-09-05")]
    assert doc.comments[1].parent == doc.comments[0].id
    assert all("Reply" not in c.text for c in doc.comments)
    assert "Leave a Reply" not in doc.text and "email address" not in doc.text
    assert doc.text.startswith("This is the opening paragraph")


def test_flat_footer_style_thread():
    page = f"""Post Title Here

{BODY}

{BODY2}

Comments

Very much agree with the above point of view, and I would add more if I could.

Posted by: Red Heels | 09/21/2012 at 09:38 PM

Well written post, it was really informative too, keep it up.

Posted by: Nabeel | 09/22/2012 at 10:00 AM

Post a comment
"""
    doc = convert(page)
    assert [c.author for c in doc.comments] == ["Red Heels", "Nabeel"]
    assert doc.comments[0].text.startswith("Very much agree")
    assert "Very much agree" not in doc.text


@both_engines("the model refitted at 0205e78 (window8 byline/dateline features) keeps one of the short "
              "navigation lines above the article")
def test_navigation_list_is_not_a_thread_and_is_removed(model):
    page = f"""  • Recipes
  • Travel
  • Gardening

Post Title Here

{BODY}

{BODY2}

  • Recent Posts
  • Archives
"""
    doc = convert(page, model)
    assert doc.comments == []
    assert "Recipes" not in doc.text and "Archives" not in doc.text
    assert Counter(r.category for r in doc.removals)["navigation"] >= 3


def test_article_list_is_kept():
    page = f"""Ten Ways To Cook Rice

{BODY}

  • Rinse the rice under cold water until it runs clear
  • Use one and a half cups of water per cup of rice
  • Rest the rice for ten minutes after cooking

{BODY2}
"""
    doc = convert(page)
    items = [b for b in doc.blocks if b.type == "list_item"]
    assert len(items) == 3 and items[0].text.startswith("Rinse the rice")
    assert doc.comments == []


def test_dialogue_needs_two_recurring_speakers():
    one_label = f"Note: this is only one labelled paragraph.\n\n{BODY}\n\n{BODY2}\n"
    assert all(b.type != "turn" for b in convert(one_label).blocks)


def test_trailing_name_attribution_needs_a_name():
    doc = convert(f"{BODY}\n\nI went to the shop and bought bread. Then I went home\n")
    assert all(b.type != "quote" for b in doc.blocks)


def test_yearless_comment_dates_are_kept_as_text():
    from corpusconv.dates import find_date
    iso, span = find_date("Lora Lee On Thursday, November 1 at 2:57 pm")
    assert iso is None and span[0] > 0
    h = parse_header_line("Lora Lee On Thursday, November 1 at 2:57 pm")
    assert h is not None and h.author == "Lora Lee" and "November 1" in h.date


def test_name_line_then_date_line_header():
    page = f"""Post Title Here

{BODY}

{BODY2}

12 Comments

  • broper
    Posted on August 9, 2012 at 11:40am

    Egads, and they are from my home state, I am so ashamed of all of this today.

    Report Post » Log in to Reply
    • mtcountrygrl
      Posted on August 9, 2012 at 12:14pm

      Stay out of my bedroom, but pay for what I do in my bedroom, what a world.
"""
    doc = convert(page)
    assert [(c.author, c.date, c.depth) for c in doc.comments] == [
        ("broper", "2012-08-09", 0), ("mtcountrygrl", "2012-08-09", 1)]
    assert doc.comments[0].text.startswith("Egads")


def test_indented_and_wholly_quoted_paragraphs_are_quotes():
    page = f"""Post Title Here

{BODY}

    This paragraph is indented like a rendered blockquote and runs for a while.

    And it continues into a second indented paragraph of the same quotation.

{BODY2}

“Leaders are made, not born, and made more by themselves than by any external means.”

{BODY}
"""
    doc = convert(page)
    quotes = [b for b in doc.blocks if b.type == "quote"]
    assert len(quotes) == 2
    assert quotes[0].text.count("\n\n") == 1 and quotes[0].attribution is None
    assert quotes[1].text.startswith("“Leaders are made")


def test_dialogue_paragraph_is_not_a_wholly_quoted_block():
    doc = convert(f"{BODY}\n\n“Hello,” she said. “How are you doing on this fine morning?”\n\n{BODY2}\n")
    assert all(b.type != "quote" for b in doc.blocks)


def test_inline_reply_after_reply_link():
    page = f"""Post Title Here

{BODY}

{BODY2}

Comments (2)

  1. 09. Jul, 2012 / Courtney says:

    So happy to see this today! Glad you are on the mend, hallucinations aside.

    [Reply]

    Everywhereist Reply:
    July 10th, 2012 at 1:06 pm

    Especially since you have a pretty great friend in your life, I cannot believe it.

  2. 09. Jul, 2012 / Meg B says:

    Thank goodness that it was not worse. Glad you are recovering well now.

    [Reply]
"""
    doc = convert(page)
    assert [(c.author, c.depth) for c in doc.comments] == [
        ("Courtney", 0), ("Everywhereist", 1), ("Meg B", 0)]
    assert doc.comments[1].parent == doc.comments[0].id
    assert doc.comments[1].date == "2012-07-10"


def test_prose_starting_with_response_is_not_a_comment_heading():
    assert not is_comment_heading("Response also has a type, which is “basic”, “cors”, “default”,")
    assert not is_comment_heading("Comments are welcome")
    assert is_comment_heading("99comments") and is_comment_heading("Post a Comment 241 Comments and 16 Replies")


@both_engines("the fitted model keeps prose teasers after a 'Related posts' heading")
def test_related_posts_heading_ends_the_article(model):
    teaser = ("This other post from last year talks at length about a completely different subject "
              "and is only a teaser for another page on the site, but it is long enough to read as prose.")
    page = f"""Post Title Here

{BODY}

{BODY2}

{BODY.replace("opening", "third")}

Related posts

{teaser}

{teaser.replace("other", "third")}
"""
    doc = convert(page, model)
    assert "teaser" not in doc.text
    assert any(r.rule == "share.related-end" for r in doc.removals)
    # An inline "Related" box does not end an article.
    doc = convert(f"Post Title Here\n\n{BODY}\n\nRelated\n\n{BODY2}\n", model)
    assert "A second paragraph" in doc.text


@both_engines("the model refitted at 0205e78 (window8 byline/dateline features) keeps the blog's name "
              "above the post title as a heading")
def test_blogger_classic_said_then_date_below(model):
    page = f"""My Blog Name

Friday, October 5, 2012

A Post About Gardens

{BODY}

{BODY2}

Posted by Jane at 10:00 AM

3 comments:

Anonymous said...

What a lovely post, I have been thinking about gardens all week long too.

October 5, 2012 at 10:25 AM

Bob Smith said...

I disagree with the part about the roses, they need far more sun than that.

October 5, 2012 at 11:40 AM

Post a Comment

Newer Post Older Post Home
"""
    doc = convert(page, model)
    assert doc.title == "A Post About Gardens" and doc.date == "2012-10-05"
    assert [(c.author, c.date) for c in doc.comments] == [
        ("Anonymous", "2012-10-05"), ("Bob Smith", "2012-10-05")]
    assert "Newer Post" not in doc.text and "My Blog Name" not in doc.text


@engines
def test_page_without_prose_keeps_its_sentences(model):
    """Whatever the fitted model makes of a one-line page, the article is never empty."""
    doc = convert("Café text here.\n", model)
    assert doc.text == "Café text here." and doc.removals == []
    doc = convert("Comments are closed.\nBlog at WordPress.com.\n", model)
    assert doc.text == "" and len(doc.removals) == 2


SIDEBAR = ("Work together with us. Our institute aims to create a collaborative community of "
           "researchers, where through mutual respect and transparency we advance the field.")
WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november "
         "oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()


def _paragraphs(n: int, start: int) -> str:
    """n distinct prose paragraphs of 23 words each."""
    return "\n\n".join(f"Paragraph {start + i} of this text says " + " ".join(WORDS[i:i + 16]) + " and ends here."
                       for i in range(n))


@both_engines("the fitted model keeps sidebar prose after a long stretch of widgets")
def test_long_widget_stretch_ends_the_article(model):
    """A long stretch of chrome with several rule hits is a wall: sidebar prose after it is
    not article text, even where it outweighs the cost of the stretch."""
    widgets = "\n".join(["Share this:", "Twitter", "Facebook", "Like this:", "Like Loading...",
                         "Tags", "Search", "Topic", "Manufacturing", "Explore topics", "Headquarters"])
    sidebar = "\n\n".join(f"{SIDEBAR} Box {i}." for i in range(10))
    doc = convert(f"Post Title Here\n\n{_paragraphs(14, 1)}\n\n{widgets}\n\n{sidebar}\n", model)
    assert "Paragraph 14 of" in doc.text and "collaborative" not in doc.text
    assert {r.rule for r in doc.removals if "collaborative" in r.text} == {"shape.page-footer"}


def test_short_line_stretch_without_rule_hits_stays_in_the_article():
    """An ingredient list (many short lines, one known phrase) is crossed, not a wall."""
    ingredients = "\n".join(["Ingredients:", "2 T olive oil", "2 medium onions, chopped small", "4 cups stock",
                             "1 can tomatoes", "8 oz kale", "4 sage leaves", "Parmesan rind", "salt and pepper",
                             "Print Recipe", "fresh basil", "olive oil to serve"])
    doc = convert(f"Post Title Here\n\n{_paragraphs(6, 1)}\n\n{ingredients}\n\n{_paragraphs(6, 7)}\n")
    assert "Paragraph 1 of" in doc.text and "olive oil to serve" in doc.text and "Paragraph 12 of" in doc.text


def test_month_name_with_a_long_s_is_a_date_not_a_crash():
    """re.I lets 'ſep' (long s) match a month name; the month lookup must fold the same way."""
    from corpusconv.dates import find_date

    assert find_date("Posted ſep 4, 2012") == ("2012-09-04", (7, 18))
    doc = convert(f"A Title\n\nſep 4, 2012\n\n{BODY}\n\n{BODY2}\n")
    assert doc.date == "2012-09-04"


def test_partial_removals_are_marked_in_the_record():
    from corpusconv.record import to_record

    doc = convert(f"A Title\n\n{BODY} (continue reading)\n\n{BODY2}\n\nShare this:\n")
    rows = {r["rule"]: r for r in to_record(doc)["boilerplate"]}
    assert rows["link.trailing-remnant"]["partial"] is True
    assert rows["link.trailing-remnant"]["text"] == "(continue reading)"
    assert rows["share.like"]["partial"] is False
    assert "continue reading" not in doc.text and "with a full stop at the end." in doc.text


@both_engines("the fitted model drops a short closing line after a share widget")
def test_lines_enclosed_by_one_widget_are_removed_with_it(model):
    box = ("Subscribe to my free statistics newsletter\n\n"
           "Get regular updates on the latest tutorials, offers & news at Statistics Globe.\n"
           "I hate spam & you may opt out anytime: Privacy Policy.\n")
    doc = convert(f"A Title\n\n{BODY}\n\n{box}\n{BODY2}\n", model)
    assert "regular updates" not in doc.text and "A second paragraph" in doc.text
    assert [r.rule for r in doc.removals if "regular updates" in r.text] == ["shape.widget"]
    # Prose between two unrelated removals stays.
    doc = convert(f"A Title\n\n{BODY}\n\nShare this:\n\nA short closing line of the post.\n\n"
                  "Subscribe to my free statistics newsletter\n", model)
    assert "A short closing line" in doc.text
