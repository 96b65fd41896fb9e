"""The bundled rules file: well-formed data, and each family matching what it should and
nothing it should not (negative cases are real sentences that mention the same words)."""

from __future__ import annotations

import pytest

from corpusconv.rules import default_rules, normalise

REMOVED = {
    "comment-action": ["Report comment", "Reply", "    Reply ↓", "Log in to Reply", "ReplyDelete",
                       "View comments (27)", "[Reply]"],
    "share-widget": ["Share this:", "Like", "Like this:", "%d bloggers like this:", "Tweet",
                     "Email ThisBlogThis!Share to TwitterShare to Facebook", "Share this story",
                     "Share on: Facebook Twitter Reddit Google+", "Bookmark and Share", "Share this: Facebook, Email"],
    "comment-policy": ["Comments are closed.", "Mad in America has made some changes to the commenting process."],
    "comment-heading": ["12 Comments", "3 thoughts on “My Post”", "Comments", "No comments yet", "Trackbacks"],
    "comment-form": ["Your email address will not be published. Required fields are marked *",
                     "Name *", "Website", "Click here to cancel reply.", "Leave a Comment",
                     "Join the discussion"],
    "site-footer": ["Blog at WordPress.com.", "Up ↑", "Powered by Blogger", "© 2012 Acme Inc. All rights reserved",
                    "Mad in America hosts blogs by a diverse group of writers."],
    "appeal": ["Thanks for signing up!", "Please check the opt-in box to acknowledge that you would like to subscribe.",
               "If you have found the posts on this site helpful and can afford to do so, please consider "
               "making a contribution and becoming a supporting subscriber of Beyond Meds.",
               "Subscribe to my free statistics newsletter", "Donate now"],
    "link-remnant": ["« Older Entries", "Click here", "Continue reading →", "Read more »", "See it now: Amazon"],
    "navigation": ["Previous post: How I spent my summer", "Newer Post Older Post Home",
                   "April 2012 (5)", "« Mustard Recipe | Main | A Giveaway »",
                   "You are here: Home » News » Business", "You are here:",
                   "• Life at Home » Nothing to Do With Travel » Random Musings",
                   "Main article: History of New Zealand", "See also: List of islands of New Zealand",
                   "This article is about the country. For other uses, see New Zealand (disambiguation).",
                   "This page contains a single entry by Byron published on November 3, 2012 7:18 AM.",
                   "White Bar Tape was the previous entry in this blog.", "Sign in to post a reply.", "Please sign in."],
    "image-remnant": ["airpods-pro-2.jpg", "headergraphic.jpg"],
    "caption-credit": ["(Jacquelyn Martin / Associated Press)", "Photo by Dan Seifert / The Verge"],
    "rating": ["5 stars"],
    "metadata": ["This entry was posted in Growing Blog Readership. Bookmark the permalink."],
}

KEPT = [
    "I donate to the library every year and I think you should too, it helps a lot of people.",
    "Social media has become so important and trying to build a website is the first thing people do.",
    "I really like this reply from the author, thank you for explaining it.",
    "We shared the house with two cats and a dog for most of the year.",
    "Comments from readers have been overwhelmingly positive about the new design of the magazine.",
    "My favourite part of the recipe is how the olive oil soaks into the bread.",
    "Click through the gallery below to see every picture from the trip, there are many.",
    "Update/Joint Statement with Chris Locke",
    "You are here because you care about the planet and want to do something about it.",
    "Share your thoughts on Twitter or Facebook and tell us what you made.",
    "Open the editor (Dashboard > Template > Edit HTML) and paste the code.",
    "Prices rose » sharply « last year, the report says.",
    "See also the chapter on sign-in flows, which explains how we log in users to the service.",
    "The main article in the series was the previous entry in this blog, and it drew the most replies.",
]


def test_rules_file_is_well_formed():
    rules = default_rules().rules
    ids = [r.id for r in rules]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for r in rules:
        assert r.category and r.description, r.id
        assert r.action in ("drop", "keep")


@pytest.mark.parametrize("category,line", [(c, line) for c, lines in REMOVED.items() for line in lines])
def test_rule_families_remove(category, line):
    rule = default_rules().match(normalise(line), "tail")
    assert rule is not None, line
    assert rule.category == category, (line, rule.id)


@pytest.mark.parametrize("line", KEPT)
def test_prose_is_not_matched(line):
    assert default_rules().match(normalise(line), "tail") is None
