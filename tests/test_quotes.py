"""Block quotations on small hand-written pages: the layout cues that mark a quotation in
rendered text (a pull quote repeating a sentence of the article, a quotation the renderer
joined under its introducing sentence with a single newline), and look-alikes that are
ordinary paragraphs."""

from __future__ import annotations

from conftest import P1, P2, P3, both_engines, convert_page as convert, engines

P4 = ("The third place is a lake with a ferry that still runs on steam, where the captain knows "
      "every passenger by name and the timetable is more of a suggestion than a promise.")


def quotes(doc):
    return [b for b in doc.blocks if b.type == "quote"]


# --- pull quotes -------------------------------------------------------------------------

PULL = "The bakery opens at six and the bells ring all day."
HOST = ("What stayed with me most was the rhythm of the place. The bakery opens at six and the "
        "bells ring all day. Nobody there seems to mind either of them.")


def test_pull_quote_repeating_a_sentence_of_a_later_paragraph():
    doc = convert(f"{P1}\n\n{P2}\n\n{PULL}\n\n{HOST}\n\n{P3}\n")
    assert [q.text for q in quotes(doc)] == [PULL]


@engines
def test_pull_quote_with_its_attribution_line_joined_under_it(model):
    doc = convert(f"{P1}\n\n{HOST}\n\n{P2}\n\n{PULL}\nVillage baker Anna Berg\n\n{P3}\n", model)
    (q,) = quotes(doc)
    assert q.text == PULL and q.attribution == "Village baker Anna Berg"


def test_dash_attribution_line_under_a_pull_quote():
    doc = convert(f"{P1}\n\n{HOST}\n\n{P2}\n\n{PULL}\n-Anna Berg\n\n{P3}\n")
    (q,) = quotes(doc)
    assert q.attribution == "Anna Berg"


def test_sentence_printed_twice_whole_is_not_a_pull_quote():
    # the same paragraph printed again (an excerpt box) is a duplicate, not a quotation
    doc = convert(f"{P1}\n\n{P2}\n\n{HOST}\n\n{P3}\n\n{HOST}\n")
    assert quotes(doc) == []


def test_label_joined_above_a_repeated_line_is_not_a_pull_quote():
    # "Author: X" joined above the summary: the repeat spans two lines, not one sentence
    summary = "These truffles have a creamy centre and a dark chocolate shell, ready in minutes."
    doc = convert(f"{P1}\n\n{P2}\n\n{summary}\n\n{P3}\n\nAuthor: Anna Berg\n{summary}\n\n{P4}\n")
    assert quotes(doc) == []


@both_engines("the fitted title pick takes the heading below two paragraphs as the page's title, and the "
              "standfirst under it then reads as a pull quote")
def test_standfirst_after_a_heading_is_not_a_pull_quote(model):
    dek = "Why the small harbour towns keep their markets alive, and what they sell."
    doc = convert(f"{P1}\n\n{P2}\n\nHarbour markets\n\n{dek}\n\n{dek[:-1]}, and much more. {P3}\n", model)
    assert quotes(doc) == []


def test_short_sentence_repeated_is_too_short_for_a_pull_quote():
    doc = convert(f"{P1}\n\n{P2}\n\nIt was cold.\n\nIt was cold. {P3}\n")
    assert quotes(doc) == []


# --- a quotation joined under its introducing sentence --------------------------------------

INTRO = "Several times that night there were two tweets in a row that went something like this:"
T1 = "Tweet one: I know that the other side just lies, lies and lies again."
T2 = "Tweet two: Is everything that comes out of the candidate's mouth a lie?"


def test_quotation_joined_under_a_colon_intro_runs_to_its_closing_newline():
    doc = convert(f"{P1}\n\n{INTRO}\n{T1}\n\n{T2}\n{P2}\n\n{P3}\n")
    (q,) = quotes(doc)
    assert q.text == f"{T1}\n\n{T2}"
    texts = [b.text for b in doc.blocks]
    assert INTRO in texts and P2 in texts


def test_joined_quotation_without_a_closing_edge_is_the_joined_text_alone():
    doc = convert(f"{P1}\n\n{INTRO}\n{T1}\n\n{P2}\n\n{P3}\n\n{P4}\n")
    (q,) = quotes(doc)
    assert q.text == T1


def test_wholly_quoted_line_joined_under_a_comma_intro():
    intro = "To lower drug use in cycling he suggested that a first step would be to,"
    quoted = "“Grant immunity for all athletes before 2008, so they can help the agencies.”"
    doc = convert(f"{P1}\n\n{intro}\n{quoted}\n\n{P2}\n\n{P3}\n")
    assert [q.text for q in quotes(doc)] == [quoted]


def test_comma_intro_without_quotation_marks_is_prose():
    intro = "To lower drug use in cycling he suggested that a first step would be to,"
    rest = "grant immunity for all athletes before 2008, so they can help the agencies."
    doc = convert(f"{P1}\n\n{intro}\n{rest}\n\n{P2}\n\n{P3}\n")
    assert quotes(doc) == []


def test_label_with_colon_joined_to_text_is_not_an_intro():
    # "Instructions:" is a label, not a sentence introducing a quotation
    doc = convert(f"{P1}\n\nInstructions:\n{P2}\n\n{P3}\n\n{P4}\n")
    assert quotes(doc) == []


def test_joined_colon_lines_on_a_page_that_joins_all_its_prose_are_not_quotes():
    # a page rendered with <br> line breaks joins every line: a single newline means nothing
    doc = convert(f"{P1}\n{INTRO}\n{T1}\n{P2}\n{P3}\n{P4}\n")
    assert quotes(doc) == []


def test_quotation_introduced_by_a_verb_of_saying_ends_at_a_joined_line():
    said = "I have questions, and I know other people in this audience have questions for you too."
    narration = "At which point a town trustee interrupts and assures her that every question will be answered."
    doc = convert(f"{P1}\n\nOne resident says (same clip as above):\n\n{said}\n{narration}\n\n{P2}\n\n{P3}\n")
    (q,) = quotes(doc)
    assert q.text == said
    assert narration in [b.text for b in doc.blocks if b.type == "paragraph"]


def test_quotation_introduced_by_a_verb_of_saying_keeps_its_lines_on_a_joined_page():
    # where every line is joined (<br> rendering), a single newline is no edge
    said = "I have questions, and I know other people in this audience have questions for you too."
    more = "And I can assure you that the majority of the people in this room feel the same way."
    doc = convert(f"{P1}\n{P2}\n{P3}\n\nOne resident says (same clip as above):\n\n{said}\n{more}\n\n{P4}\n{P1}\n{P2}\n")
    (q,) = quotes(doc)
    assert q.text == f"{said} {more}"


# --- an exchange joined under its intro; reporting verbs; tweet signatures ---------------

def test_joined_exchange_runs_on_over_its_speaker_labelled_paragraphs():
    intro = "It would be refreshing to hear more exchanges in the debates that went like this:"
    a = "President Smith: You know, Governor, I misspoke earlier when I described your tax plan."
    b = "Governor Jones: Thank you, Mr. President, I appreciate that correction very much indeed."
    doc = convert(f"{P1}\n\n{intro}\n{a}\n\n{b}\n\n{P2}\n\n{P3}\n")
    (q,) = quotes(doc)
    assert q.text == f"{a}\n\n{b}"


def test_paragraph_with_a_label_after_a_joined_quote_without_one_is_not_absorbed():
    intro = "It would be refreshing to hear more answers in the debates that went like this:"
    a = "You know, Governor, I misspoke earlier when I described your tax plan to the audience."
    b = "Update: the second debate is on Tuesday evening, and the transcript will follow here."
    doc = convert(f"{P1}\n\n{intro}\n{a}\n\n{b}\n\n{P2}\n\n{P3}\n")
    assert [q.text for q in quotes(doc)] == [a]


def test_reporting_verb_and_colon_introduce_a_quotation():
    said = ("We use the information we have to improve our advertising and measurement systems so "
            "we can show you relevant ads on and off our services.")
    doc = convert(f"{P1}\n\nGiven the goals they claim for data collection:\n\n{said}\n\n{P2}\n\n{P3}\n")
    assert [q.text for q in quotes(doc)] == [said]


def test_colon_without_a_reporting_verb_introduces_no_quotation():
    doc = convert(f"{P1}\n\nIn the morning, this is what I found in the garden:\n\n{P2}\n\n{P3}\n")
    assert quotes(doc) == []


@engines
def test_tweet_signature_with_a_lower_case_name_is_an_attribution(model):
    tweet = "I released a first version of my toolbar tools today, contributions are welcome pic.twitter.com/Rik"
    doc = convert(f"{P1}\n\n{P2}\n\n{tweet}\n\n— rubito (@studiodelatorre) 7 January 2018\n\n{P3}\n", model)
    (q,) = quotes(doc)
    assert q.text == tweet and q.attribution == "rubito (@studiodelatorre) 7 January 2018"


def test_lower_case_dash_line_without_a_handle_is_no_attribution():
    doc = convert(f"{P1}\n\n{P2}\n\n— and then the rain started again, as it always does here\n\n{P3}\n")
    assert quotes(doc) == []


def test_joined_line_that_is_no_sentence_after_a_colon_intro_is_not_a_quote():
    intro = "For the sauce of this dish you will need the following things:"
    row = "Two cups of flour and a pinch of salt and some pepper"
    doc = convert(f"{P1}\n\n{intro}\n{row}\n\n{P2}\n\n{P3}\n")
    assert quotes(doc) == []


def test_repeat_with_a_second_line_that_is_no_attribution_is_no_pull_quote():
    # a paragraph that goes on after the repeated sentence is prose quoting itself
    doc = convert(f"{P1}\n\n{HOST}\n\n{P2}\n\n{PULL}\nand that is really all there is to say about it\n\n{P3}\n")
    assert quotes(doc) == []


# --- indented and introduced blocks must read as prose ------------------------------------

QUOTED = ("Compassion is not a relationship between the healer and the wounded, it is a "
          "relationship between equals who know their own darkness well.")


def test_indented_prose_is_a_quotation():
    doc = convert(f"{P1}\n\n{P2}\n\n    {QUOTED}\n\n{P3}\n")
    assert [q.text for q in quotes(doc)] == [QUOTED]


def test_indented_code_is_not_a_quotation():
    code = "    var clone = response.clone();\n    console.log(clone.bodyUsed); // false"
    doc = convert(f"{P1}\n\n{P2}\n\n{code}\n\n{P3}\n")
    assert quotes(doc) == []


def test_indented_column_of_names_is_not_a_quotation():
    names = "    Maldives\n    Gambia\n    Saint Vincent\n    Dominica\n    Samoa"
    doc = convert(f"{P1}\n\n{P2}\n\n{names}\n\n{P3}\n")
    assert quotes(doc) == []


def test_code_introduced_as_follows_is_not_a_quotation():
    code = 'my_plot <- ggplot(data, aes(x = groups, y = probability, fill = groups)) +'
    doc = convert(f"{P1}\n\nNow we can draw a bar chart of our data as follows:\n\n{code}\n\n{P2}\n\n{P3}\n")
    assert quotes(doc) == []


def test_teaser_excerpt_cut_off_with_an_ellipsis_is_not_a_pull_quote():
    teaser = "What stayed with me most was the rhythm of the place. The bakery opens at six …"
    doc = convert(f"{P1}\n\n{P2}\n\n{teaser}\n\n{HOST}\n\n{P3}\n")
    assert quotes(doc) == []


def test_many_paragraphs_opening_alike_are_a_template_not_pull_quotes():
    short = [f"The quick brown fox number {i} jumps over the lazy dog again." for i in range(12)]
    longer = [f"{s[:-1]} and then rests for a while in the warm sun." for s in short]
    doc = convert(f"{P1}\n\n" + "\n\n".join(x for pair in zip(short, longer) for x in pair) + f"\n\n{P2}\n")
    assert quotes(doc) == []


def test_splitting_a_joined_quotation_keeps_a_cut_remnant_cut():
    intro = "My friend put it very well in her letter to me last week, and I quote her here:"
    quoted = "The bakery opens at six and the bells ring all day, every day of the year."
    after = "That is exactly how I remember the village from my childhood summers there. (continue reading)"
    doc = convert(f"A Title Here\n\n{P1}\n\n{intro}\n{quoted}\n{after}\n\n{P2}\n\n{P3}\n")
    assert [q.text for q in quotes(doc)] == [quoted]
    assert "continue reading" not in doc.text
    assert [r.text for r in doc.removals if r.rule == "link.trailing-remnant"] == ["(continue reading)"]
