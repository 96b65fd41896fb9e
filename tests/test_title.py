"""Title detection on small hand-written pages: what makes a heading the post's title, and
the headings that look like one but are not (site names, controls, captions, echoes)."""

from __future__ import annotations

from conftest import P1, P2, P3, both_engines, convert_page as convert, engines

BODY = f"{P1}\n\n{P2}\n\n{P3}\n"


def test_lower_case_title_opening_the_article():
    doc = convert(f"« older post\n\nsomething i haven’t discussed much…\n\n{BODY}")
    assert doc.title == "something i haven’t discussed much…"


def test_lower_case_title_below_its_dateline():
    doc = convert(f"« nourrir | Main\n\nThursday, November 08, 2012\n\nn'importe quoi: when Jean-Marc broke up with me\n\n"
                  f"DSC_0014\n{P1}\n\n{P2}\n\n{P3}\n")
    assert doc.title == "n'importe quoi: when Jean-Marc broke up with me"
    assert doc.date == "2012-11-08"


@engines
def test_lower_case_line_away_from_the_article_is_not_a_title(model):
    doc = convert(f"luboku 2020 press shot\n\nSome Site\n\nHome\n\nAbout\n\nContact\n\nShop\n\n{BODY}", model)
    assert doc.title != "luboku 2020 press shot"


def test_title_starting_with_a_lower_case_brand_name():
    doc = convert(f"Filed under:\n\niOS 13 will fix the FaceTime eye contact problem\n\n"
                  f"By Jon Porter Jul 3, 2019, 4:22am EDT\n\n{BODY}")
    assert doc.title == "iOS 13 will fix the FaceTime eye contact problem"


def test_title_above_an_image_file_name():
    doc = convert(f"« Previous Post | Main\n\nDad Hacks A Game So His Daughter Can Play A Girl Hero\n\n"
                  f"Godtierdad.jpg\n\n{BODY}")
    assert doc.title == "Dad Hacks A Game So His Daughter Can Play A Girl Hero"


def test_control_label_beside_the_dateline_is_not_the_title():
    page = (f"My Four Favourite Places On Earth\n\nBy Carrie Arnold\n\nNovember 15, 2019\n\n"
            f"Read Later\n\nNovember 15, 2019\n\nView PDF/Print Mode\n\n{BODY}")
    assert convert(page).title == "My Four Favourite Places On Earth"


@both_engines("the fitted title pick takes the blog's tagline above the post title")
def test_site_name_printed_in_the_footer_is_not_the_title(model):
    page = (f"One Mile At A Time\n\n• About\n• Ask Lucky\n• Trip Report Index\n\n"
            f"Tips, tricks and travel with Lucky\n\nMy four favorite places on earth\n\n{BODY}\n"
            f"• One Mile At A Time\n\nOne Mile At A Time Entries (RSS)\n\n"
            f"One Mile At A Time is proudly powered by WordPress\n")
    doc = convert(page, model)
    assert doc.title == "My four favorite places on earth"
    # Without the footer line the site name wins: the footer is the evidence.
    assert convert(page.rsplit("One Mile At A Time is", 1)[0], model).title == "One Mile At A Time"


@both_engines("the fitted title pick takes the share widget's line that quotes the title")
def test_share_text_quoting_the_title_outweighs_a_standfirst_beside_the_byline(model):
    page = (f"iOS 13 will fix the FaceTime eye contact problem\n\nNew, 74 comments\n\n"
            f"Fake eye contact for improved intimacy\n\nBy Jon Porter Jul 3, 2019, 4:22am EDT\n\n"
            f"Share All sharing options for: iOS 13 will fix the FaceTime eye contact problem\n\n"
            f"• Twitter\n• Facebook\n• Linkedin\n\n{BODY}")
    assert convert(page, model).title == "iOS 13 will fix the FaceTime eye contact problem"


def test_short_echo_of_a_fuller_title_above():
    page = (f"November 19, 2019 12:04AM ET\n\nThe Doobie Brothers Unite With Michael McDonald for a Tour\n\n"
            f"McDonald joins the band onstage in Nashville for a surprise performance.\n\n"
            f"Ryan Reed\n\nReporter\n\n• Facebook\n• Twitter\n• Email\n\nThe Doobie Brothers\n\n{BODY}")
    assert convert(page).title == "The Doobie Brothers Unite With Michael McDonald for a Tour"


def test_page_title_line_with_site_suffix_is_not_a_fuller_title():
    page = (f"My Four Favourite Places On Earth - Travel Site\n\nHome\n\nAbout\n\n"
            f"My Four Favourite Places On Earth\n\nNovember 15, 2019\n\n{BODY}")
    assert convert(page).title == "My Four Favourite Places On Earth"


@both_engines("the fitted model keeps the byline line between the title and the dateline")
def test_rest_of_the_post_header_is_not_article_text(model):
    """A run that starts at a post header below the title (see post_header_start) drops the
    header's remaining lines: a repeated dateline is metadata, a role and a control chrome."""
    page = (f"Cells That Taste Danger Set Off Immune Responses\n\nBy Carrie Arnold\n\nNovember 15, 2019\n\n"
            f"Taste and smell receptors in unexpected organs monitor the state of the body and raise "
            f"alarms when something goes wrong.\n\nCells with taste receptors sometimes develop inside "
            f"the lungs of animals infected with influenza, as a new study shows.\n\n"
            f"Contributing Writer\n\nNovember 15, 2019\n\nView PDF/Print Mode\n\n{BODY}")
    doc = convert(page, model)
    assert doc.title == "Cells That Taste Danger Set Off Immune Responses" and doc.date == "2019-11-15"
    assert doc.text.startswith("I just got back")
    assert {r.rule for r in doc.removals if r.text == "November 15, 2019"} == {"meta.date"}
    assert {r.rule for r in doc.removals if r.text in ("Contributing Writer", "View PDF/Print Mode")} == \
        {"shape.page-header"}


def test_title_on_the_last_line_does_not_break_the_header_trim():
    """Found by the fuzzer: a dateline, then a one-line "article" that is taken as title."""
    doc = convert("March 4, 2021\nThe the the the the.")
    assert doc.date == "2021-03-04"
