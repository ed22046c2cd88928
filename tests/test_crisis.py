"""A reader in distress: a comment with a crisis phrase is answered at once with where to get help,
and it goes to the top of the moderators' queue, marked, and into their mail straight away."""
import pytest

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
    assert response.status_code == 303
    page = reader.client.get(response.headers["Location"]).get_data(as_text=True)
    crisis = page.index('class="notice notice-crisis" role="alert"')
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
