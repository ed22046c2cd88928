"""Personal details in a comment: the reader is shown what would become public before anything is stored,
and moderators can publish a flagged comment with those details removed."""
import datetime as dt
import json

import pytest

from blog.core.models import ModerationEvent
from blog.core.personal_data import find_personal_information
from blog.extensions import db
from tests.helpers import browser_client, csrf_token_from, moderate, stored_comments

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize("text,region,kind,passage", [
    ("call me on 555-123-4567 after five", "US", "a phone number", "555-123-4567"),
    ("(555) 123-4567", "US", "a phone number", "(555) 123-4567"),
    ("ring +44 20 7946 0958 please", "US", "a phone number", "+44 20 7946 0958"),
    ("meine Nummer: 030 1234567", "DE", "a phone number", "030 1234567"),
    ("llámame al 612 345 678", "ES", "a phone number", "612 345 678"),
    ("mon portable 06 12 34 56 78", "FR", "a phone number", "06 12 34 56 78"),
    ("write to jane.doe@example.org", "US", "an email address", "jane.doe@example.org"),
    ("my date of birth is 03/04/1985", "US", "a date of birth", "03/04/1985"),
    ("I live at 42 Maple Street near the park", "US", "a street address", "42 Maple Street"),
    ("Ich wohne in der Hauptstraße 12", "DE", "a street address", "Hauptstraße 12"),
    ("my member number is AB12345678", "US", "a long number (like an insurance or member number)", "AB12345678"),
    ("my member number 123456789 thanks", "US", "a long number (like an insurance or member number)", "123456789"),
    ("+33 6 12 34 56 78 le soir", "FR", "a phone number", "+33 6 12 34 56 78"),
    ("appelez le +33 (0)6 12 34 56 78", "FR", "a phone number", "+33 (0)6 12 34 56 78"),
    ("ring +44 (0)7 700 900 123", "GB", "a phone number", "+44 (0)7 700 900 123"),
    ("au 0 1 23 45 67 89", "FR", "a phone number", "0 1 23 45 67 89"),
    ("message me at https://wa.me/4915112345678", "DE", "a phone number", "4915112345678"),
    ("DOB 3/4/85", "US", "a date of birth", "3/4/85"),
    ("Geburtsdatum: 12.03.1985", "DE", "a date of birth", "12.03.1985"),
    ("Ich bin am 12. März 1985 geboren", "DE", "a date of birth", "12. März 1985"),
    ("Je suis née le 3 mai 1990", "FR", "a date of birth", "3 mai 1990"),
    ("nací el 12 de marzo de 1985", "ES", "a date of birth", "12 de marzo de 1985"),
    ("221B Baker Street, London", "GB", "a street address", "221B Baker Street"),
    ("Ich wohne Berliner Straße 12", "DE", "a street address", "Berliner Straße 12"),
    ("j'habite 12 rue de la Paix", "FR", "a street address", "12 rue de la Paix"),
])
def test_personal_details_are_found_and_named(text, region, kind, passage):
    findings = find_personal_information(text, region, TODAY)
    assert [(f.kind, f.passage) for f in findings] == [(kind, passage)]


@pytest.mark.parametrize("text,region,redacted", [
    ("Calle Mayor 3, 91 123 45 67", "ES", "[removed], [removed]"),
    ("Write to Rue de la Paix 12, 555-123-4567", "US", "Write to [removed], [removed]"),
    ("born on 03/04/1985, call 555-123-4567", "US", "born on [removed], call [removed]"),
    ("my member number 123456789 thanks", "US", "my member number [removed] thanks"),  # spaces kept
])
def test_redaction_leaves_nothing_of_overlapping_details(text, region, redacted):
    from blog.core.personal_data import redact
    assert redact(text, region, TODAY) == redacted


@pytest.mark.parametrize("text", ["I waited 3 weeks for the appointment", "2 tablets of 100 mg, twice a day",
                                  "In 2023 I had 12 attacks", "between 2019-2021 it got worse",
                                  "My first infusion was on Nov 19, 2023", "Room 4 on the 2nd floor",
                                  "2 weeks on the way to feeling better", "3 days in a row",
                                  "I get Vyepti via IV infusion every 12 weeks", "diagnosed on June 4, 2010",
                                  "1 000 000 people have migraine", "in 1999 2000 2001 it was worse",
                                  "Only 2 Attacks Since Christmas Way better", "10 000 000 steps a year",
                                  "The study (n=1234567) found", "Version 1.2.3.4.5.6.7", "ISBN 978-3-16-148410-0",
                                  "see https://pubmed.ncbi.nlm.nih.gov/12345678/ for the trial",
                                  "https://example.com/article/1234567890", "Le 3 mai 1990 j'ai eu ma première crise",
                                  "I walked 3 blocks down the street", "Je ne suis pas venue le 12/03/24, désolée"])
def test_ordinary_numbers_are_not_personal(text):
    assert find_personal_information(text, "US", TODAY) == []


def post(client, slug, **fields):
    token = csrf_token_from(client.get(f"/post/{slug}").get_data(as_text=True))
    return client.post(f"/post/{slug}/comments", data={"csrf_token": token, "name": "Ana", "email": "",
                                                       "body": "", "parent_id": "", "website": "", **fields})


def test_the_reader_is_warned_before_anything_is_stored_and_may_send_it_as_it_is(app, client, make_article):
    slug = make_article()
    body = "Please call me on 555-123-4567 about the trial."
    warned = post(client, slug, body=body)
    html = warned.get_data(as_text=True)
    assert warned.status_code == 200 and stored_comments(app) == []
    assert "Your comment is not sent yet." in html and "a phone number: <bdi>555-123-4567</bdi>" in html
    assert body in html.split("<textarea", 1)[1].split("</textarea>", 1)[0] and 'value="Ana"' in html
    assert 'name="send_anyway" value="yes">Send it as it is</button>' in html and 'href="#body">Edit my comment' in html
    sent = post(client, slug, body=body, send_anyway="yes")
    assert sent.status_code == 303
    [comment] = stored_comments(app)
    assert comment.status == "pending" and "personal information" in comment.flag_list and comment.body_raw == body


def test_a_name_with_an_email_in_it_is_warned_too(app, client, make_article):
    slug = make_article()
    html = post(client, slug, name="ana@example.org", body="Thanks for this.").get_data(as_text=True)
    assert "an email address: <bdi>ana@example.org</bdi>" in html and stored_comments(app) == []


def test_an_edited_comment_without_details_goes_straight_in(app, client, make_article):
    slug = make_article()
    post(client, slug, body="Call me on 555-123-4567")
    assert post(client, slug, body="Please answer here instead.").status_code == 303
    assert [c.body_raw for c in stored_comments(app)] == ["Please answer here instead."]


def test_a_moderator_approves_with_redaction_and_the_public_never_sees_the_details(app, client, make_article,
                                                                                   moderator):
    slug = make_article()
    post(client, slug, body="My number is 555-123-4567 and I live at 42 Maple Street.", send_anyway="yes")
    [comment] = stored_comments(app)
    queue = moderator.client.get("/moderation/").get_data(as_text=True)
    assert f'value="redact:{comment.id}"' in queue
    response = moderator.act("redact", comment.id)
    assert response.status_code == 303
    [comment] = stored_comments(app)
    assert comment.status == "approved" and comment.body_raw == "My number is [removed] and I live at [removed]."
    page = browser_client(app, "198.51.100.40").get(f"/post/{slug}").get_data(as_text=True)
    assert "555-123-4567" not in page and "Maple" not in page and "My number is [removed]" in page
    with app.app_context():
        [line] = db.session.execute(db.select(ModerationEvent).filter_by(action="approve with redaction")).scalars()
        assert "555-123-4567" in line.previous_body
    log = moderator.client.get("/moderation/log").get_data(as_text=True)
    assert "555-123-4567" in log  # moderators can still read the original


def test_unflagged_comments_offer_no_redaction(app, client, make_article, moderator):
    slug = make_article()
    post(client, slug, body="Just a question about sleep.")
    [comment] = stored_comments(app)
    assert f'value="redact:{comment.id}"' not in moderator.client.get("/moderation/").get_data(as_text=True)
    moderate(app, comment.id, "approved")

def test_redacting_a_comment_with_nothing_to_remove_is_a_plain_approval_in_the_log(app, client, make_article,
                                                                                   moderator):
    slug = make_article()
    post(client, slug, body="Just a question about sleep.")
    [comment] = stored_comments(app)
    assert moderator.act("redact", comment.id).status_code == 303  # a hand-made POST: the queue offers no button
    [comment] = stored_comments(app)
    assert comment.status == "approved" and comment.body_raw == "Just a question about sleep."
    with app.app_context():
        actions = db.session.execute(db.select(ModerationEvent.action, ModerationEvent.note)).all()
    assert [(a, n) for a, n in actions] == [("approve", "")]  # never "personal details removed"



def test_pressing_enter_on_the_warning_page_asks_again_rather_than_sending(app, client, make_article):
    """The first submit button of a form is what Enter presses: it must be "Send comment", which asks
    again while details remain, never "Send it as it is"."""
    slug = make_article()
    html = post(client, slug, body="call 555-123-4567").get_data(as_text=True)
    form = html.split('id="comment-form"', 1)[1]
    assert form.index("Send comment</button>") < form.index("Send it as it is</button>")


def test_a_reply_to_a_hidden_comment_stays_refused_after_the_warning(app, client, make_article):
    slug = make_article()
    warned = post(client, slug, body="call 555-123-4567", parent_id="999")
    assert warned.status_code in (200, 400)
    sent = post(client, slug, body="call 555-123-4567", parent_id="999", send_anyway="yes")
    assert sent.status_code == 400 and stored_comments(app) == []


def test_forgetting_a_commenter_takes_what_the_log_quoted_of_them_and_the_export_showed_it(app, client, make_article,
                                                                                           moderator, runner):
    slug = make_article()
    post(client, slug, name="Ana Lopez 555-987-6543", email="ana@example.org", body="Call me on 555-123-4567.",
         send_anyway="yes")
    [comment] = stored_comments(app)
    moderator.act("redact", comment.id)
    exported = json.loads(runner.invoke(args=["export-commenter", "ana@example.org"]).output)
    assert exported["comments"][0]["flags"] == "personal information"  # what the rules found is theirs to see too
    [entry] = [e for e in exported["moderation_log"] if e["action"] == "approve with redaction"]
    assert "555-123-4567" in entry["previous_body"] and "Ana Lopez 555-987-6543" in entry["note"]
    assert runner.invoke(args=["forget-commenter", "ana@example.org"]).exit_code == 0
    log = moderator.client.get("/moderation/log").get_data(as_text=True)
    assert "555-123-4567" not in log and "Ana Lopez" not in log and "ana@example.org" not in log
    with app.app_context():
        [line] = db.session.execute(db.select(ModerationEvent).filter_by(action="approve with redaction")).scalars()
        assert line.previous_body is None and "Former reader" in line.note and line.moderator_id is not None


def test_forgetting_a_commenter_with_a_short_name_leaves_the_logs_other_words_alone(app, client, make_article,
                                                                                    moderator, runner):
    slug = make_article()
    post(client, slug, name="Ed", email="ed@example.org", body="Call me on 555-123-4567.", send_anyway="yes")
    [comment] = stored_comments(app)
    moderator.act("redact", comment.id)
    assert runner.invoke(args=["forget-commenter", "ed@example.org"]).exit_code == 0
    with app.app_context():
        [line] = db.session.execute(db.select(ModerationEvent).filter_by(action="approve with redaction")).scalars()
    assert line.note == "personal details removed" and line.previous_body is None
