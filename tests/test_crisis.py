"""A reader in distress: a comment with a crisis phrase is answered at once with where to get help,
and it goes to the top of the moderators' queue, marked, and into their mail straight away."""
import pytest

from blog.config import DEFAULTS
from blog.core.rules import is_crisis
from tests.helpers import stored_comments

PHRASES = ["suicide", "kill myself", "end my life", "self harm", "overdose on", "want to die"]


@pytest.mark.parametrize("text", ["I just want to die.", "Some days I think about SUICIDE", "i want to kill-myself",
                                  "thinking of self-harm again", "I could overdose on my pills", "end my life,"])
def test_crisis_phrases_are_found_in_any_case_and_punctuation(text):
    assert is_crisis(text, PHRASES)


@pytest.mark.parametrize("text", ["Medication overdose headache is real", "I'd kill for a good night's sleep",
                                  "My life changed after the infusion", "selfharmony yoga", "suicidesquad"])
def test_ordinary_words_are_not_a_crisis(text):
    assert not is_crisis(text, PHRASES)


def test_the_reader_sees_where_to_get_help_first_and_the_comment_is_urgent(app, reader, make_article):
    slug = make_article()
    response = reader.comment(slug, name="Sam", body="The pain is too much, I want to end my life.")
    assert response.status_code == 303 and response.headers["Location"].endswith("#crisis")  # in view at once
    page = reader.client.get(response.headers["Location"]).get_data(as_text=True)
    crisis = page.index('class="notice notice-crisis" role="alert" id="crisis"')
    assert crisis < page.index("Thanks! Your comment is awaiting moderation.")
    assert '<a href="tel:988">988</a>' in page and "call your local emergency number now" in page
    [comment] = stored_comments(app)
    assert comment.flag_list[0] == "urgent" and comment.status == "pending"


def test_an_ordinary_comment_gets_no_crisis_message(app, reader, make_article):
    slug = make_article()
    response = reader.comment(slug, body="Thank you for explaining the infusion.")
    page = reader.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "notice-crisis" not in page and "Thanks! Your comment" in page


def test_urgent_comments_are_first_in_the_queue_and_marked(app, reader, other_reader, make_article, moderator):
    slug = make_article()
    reader.comment(slug, name="Early", body="An ordinary question about dosing.")
    reader.comment(slug, name="Later", body="Another ordinary question.")
    other_reader.comment(slug, name="Last", body="I keep thinking about suicide.")
    queue = moderator.client.get("/moderation/").get_data(as_text=True)
    assert queue.index("Last") < queue.index("Early") < queue.index("Later")
    assert '<li class="flag-urgent">urgent: a reader may be in danger</li>' in queue


def test_the_custom_message_and_phrases_come_from_configuration(app, reader, make_article):
    app.config.update(CRISIS_PHRASES=["feel hopeless"],
                      CRISIS_MESSAGE="Please call our out-of-hours line on 0800 123 456 or 111.")
    slug = make_article()
    page = reader.client.get(reader.comment(slug, body="I feel hopeless.").headers["Location"]).get_data(as_text=True)
    assert '<a href="tel:0800123456">0800 123 456</a>' in page and '<a href="tel:111">111</a>' in page


DEFAULT_PHRASES = DEFAULTS["CRISIS_PHRASES"]


@pytest.mark.parametrize("text", ["I don't want to live anymore", "I want to end it", "selfharm again last night",
                                  "I took an overdose yesterday", "I am having thoughts of suicide",
                                  "I'm suicidal", "I cut myself when it gets bad", "I'm thinking of suicide",
                                  "I think about suicide a lot", "I'm thinking about taking an overdose",
                                  "I want to kill my self", "I self-harmed last week", "Some nights I wish I was dead"])
def test_the_default_phrases_hear_a_reader_in_danger(text):
    assert is_crisis(text, DEFAULT_PHRASES)


@pytest.mark.parametrize("text", ["Can you overdose on magnesium?", "Rebound headaches from an overdose of painkillers",
                                  "Suicide headache is what they call cluster headaches",
                                  "Medication overdose headache is real", "This pain is killing me"])
def test_the_default_phrases_leave_clinical_words_alone(text):
    assert not is_crisis(text, DEFAULT_PHRASES)


def test_a_crisis_comment_with_personal_details_is_answered_at_once_not_questioned(app, reader, make_article):
    slug = make_article()
    response = reader.comment(slug, body="I want to end my life. Please call me on 555-123-4567.")
    assert response.status_code == 303  # stored straight away: no question before help
    page = reader.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "notice-crisis" in page
    [comment] = stored_comments(app)
    assert comment.flag_list[0] == "urgent" and "personal information" in comment.flag_list


def test_an_urgent_comment_is_never_spam(app, reader, make_article):
    app.config["MODERATION_BLOCKLIST"] = ["viagra"]
    slug = make_article()
    reader.comment(slug, body="The viagra my doctor gave me did nothing and I want to end my life.")
    [comment] = stored_comments(app)
    assert comment.status == "pending" and comment.flag_list[0] == "urgent"


def test_the_crisis_message_never_dials_a_guessed_number(app, reader, make_article):
    app.config["CRISIS_MESSAGE"] = "Call 999 (24 hours a day), +44 (0)20 7946 0958, Mon-Fri 9-17, or 116 123."
    slug = make_article()
    page = reader.client.get(reader.comment(slug, body="I want to die").headers["Location"]).get_data(as_text=True)
    assert '<a href="tel:999">999</a> (24 hours a day)' in page
    assert '<a href="tel:+442079460958">+44 (0)20 7946 0958</a>' in page
    assert "Mon-Fri 9-17" in page and '<a href="tel:116123">116 123</a>' in page


def test_four_digit_crisis_lines_are_links_and_years_are_not(app):
    from blog.core.templating import tel_links

    with app.app_context():
        html = str(tel_links("En France, appelez le 3114 (gratuit) ou le 112. Ouvert depuis 2021, 24 h/24."))
    assert '<a href="tel:3114">3114</a>' in html and '<a href="tel:112">112</a>' in html
    assert "2021," in html and 'tel:2021' not in html and "tel:24" not in html


@pytest.mark.parametrize("trouble", ["no name", "reply to a comment that is not there", "expired form"])
def test_a_reader_in_danger_sees_where_to_get_help_even_when_the_form_comes_back(app, reader, make_article, trouble):
    slug = make_article()
    words = "I can't go on, I want to end my life."
    if trouble == "no name":
        response = reader.comment(slug, name="", body=words)
    elif trouble == "reply to a comment that is not there":
        response = reader.comment(slug, name="Sam", body=words, parent_id="999")
    else:
        response = reader.client.post(f"/post/{slug}/comments", data={"name": "Sam", "body": words,
                                                                       "csrf_token": "an old page's token"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and words.replace("'", "&#39;") in page  # the text is kept
    assert page.index('id="crisis"') < page.index("<form") and '<a href="tel:988">988</a>' in page
    assert stored_comments(app) == []


def test_a_reader_in_danger_sees_where_to_get_help_even_on_an_article_closed_to_comments(app, reader, make_article):
    slug = make_article(published="2020-01-01")
    app.config["COMMENTS_CLOSE_AFTER_DAYS"] = 90
    response = reader.client.post(f"/post/{slug}/comments", data={"name": "Sam", "body": "I want to end my life."})
    page = response.get_data(as_text=True)
    assert response.status_code == 403 and "Comments are closed" in page
    assert page.index('id="crisis"') < page.index("Comments are closed") and '<a href="tel:988">988</a>' in page
