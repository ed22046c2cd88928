"""Readers hear back by email: the box on the form, double opt-in, "your comment is live" and reply
notices, and no mail about spam or about a comment taken back. Through a real SMTP server; the
outbox is sent as `flask send-mail` sends it. Stopping, limits and privacy: test_reader_notices_stopping."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from blog.core.models import Comment
from blog.extensions import db
from blog.mail.models import NotifyAddress, NotifyRequest, NotifySubscription, OutboxMail
from tests.helpers import moderate
from tests.notices import (  # noqa: F401 - fixtures are found by name
    ANA, DESK, SITE, app_config, confirm, follow_and_confirm, follow_comment, rows, send, smtp,
)


def test_the_box_needs_an_email_address_and_nothing_is_stored_without_one(app, reader, make_article):
    slug = make_article()
    page = reader.open(slug).get_data(as_text=True)
    assert "Email me when my comment is published and when someone replies" in page
    response = reader.comment(slug, name="Ana", email="", body="My text stays.", notify="y")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "To get emails about your comment, please give your email address" in html
    assert "My text stays." in html and 'name="notify"' in html and "checked" in html
    assert rows(app, Comment) == [] and rows(app, OutboxMail) == []


def test_without_mail_the_form_offers_no_emails(app_config, make_article, app, reader):
    app.config["MAIL_SERVER"] = None
    slug = make_article()
    assert "Email me when" not in reader.open(slug).get_data(as_text=True)


def test_the_whole_conversation_by_mail(app, client, reader, other_reader, moderator, make_article, smtp, send):
    slug = make_article()
    follow_comment(reader, slug)
    send()
    [confirmation] = smtp.inbox.to(ANA)
    assert confirmation.subject.startswith("Please confirm")
    assert "Exploring Ketamine as a Promising Migraine Treatment" in confirmation.subject
    assert confirmation.message.get_content_type() == "text/plain" and not confirmation.message.is_multipart()
    assert confirmation.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert confirmation.message["List-Unsubscribe"].startswith(f"<{SITE}/notifications/unsubscribe/")
    assert all(link.startswith(SITE) for link in confirmation.links())
    assert len(smtp.inbox.to(DESK)) == 1  # the moderators' notice, through the same outbox

    # Opening the link (as a mail scanner does) changes nothing; the button does.
    phone = app.test_client()  # the reader opens the mail on another device
    page = phone.get(confirmation.link_path("/notifications/confirm/"))
    assert page.status_code == 200 and "Yes, email me" in page.get_data(as_text=True)
    # The link is the key: it must not leave in a Referer header (one policy: two would leave the weaker).
    assert "Set-Cookie" not in page.headers and page.headers.getlist("Referrer-Policy") == ["no-referrer"]
    assert rows(app, NotifyAddress) == [] and len(rows(app, NotifyRequest)) == 1
    done = confirm(phone, confirmation)
    assert done.status_code == 200 and "email notices are on" in done.get_data(as_text=True)
    assert "Set-Cookie" not in done.headers
    [address] = rows(app, NotifyAddress)
    assert address.email == ANA and address.confirmed_at and rows(app, NotifyRequest) == []
    send()
    assert len(smtp.inbox.to(ANA)) == 1  # confirming sends nothing while the comment waits

    moderator.act("approve", 1)
    send()
    live = smtp.inbox.to(ANA)[-1]
    assert live.subject == "Your comment is live on \u201cExploring Ketamine as a Promising Migraine Treatment\u201d"
    assert f"{SITE}/post/{slug}#comment-1" in live.text
    assert live.message["List-Unsubscribe"] == f"<{SITE}{live.unsubscribe_path()}>"

    # Another reader answers; once approved, Ana hears it, with the name and the text as plain text.
    other_reader.comment(slug, name="Bo <b>", email="bo@example.org", body="It did for me: <i>mostly</i>.", parent_id="1")
    send()
    assert len(smtp.inbox.to(ANA)) == 2  # not before approval
    moderate(app, 2, "approved")
    send()
    reply = smtp.inbox.to(ANA)[-1]
    assert reply.subject.startswith("Bo <b> replied on")
    assert "Bo <b> replied in the conversation you follow" in reply.text
    assert "It did for me: <i>mostly</i>." in reply.text and f"#comment-2" in reply.text

    # The clinic answers from the queue: Ana hears that too.
    moderator.post("/moderation/comments/1/reply", {"reply-body": "Please talk to your neurologist first."},
                   token_from="/moderation/comments/1")
    send()
    clinic = smtp.inbox.to(ANA)[-1]
    assert clinic.subject.startswith("Clinic Health Notes replied on")
    assert "Please talk to your neurologist first." in clinic.text

    # Ana's own reply tells nobody but Bo nothing... and never Ana herself.
    follow_comment(reader, slug, body="Thanks both!", parent_id="1")
    send()
    moderate(app, 4, "approved")
    send()
    mails_to_ana = smtp.inbox.to(ANA)
    assert [m.subject.split(" ")[0] for m in mails_to_ana].count("Your") == 2  # her reply went live; no "replied"
    assert not any(m.subject.startswith("Ana replied") for m in mails_to_ana)
    assert smtp.inbox.to("bo@example.org") == []  # Bo never ticked the box

    # One click, as a mail provider does it (RFC 8058): no more mail about this conversation.
    one_click = client.post(live.unsubscribe_path(), data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200
    before = len(smtp.inbox.to(ANA))
    moderator.post("/moderation/comments/1/reply", {"reply-body": "One more thing."}, token_from="/moderation/comments/1")
    send()
    assert len(smtp.inbox.to(ANA)) == before
    assert rows(app, NotifySubscription) == []


def test_a_returning_confirmed_reader_is_not_asked_again(app, client, reader, make_article, smtp, send):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    follow_comment(reader, slug, body="Second question")
    send()
    assert len(smtp.inbox.to(ANA)) == 1
    moderate(app, 2, "approved")
    send()
    assert smtp.inbox.to(ANA)[-1].subject.startswith("Your comment is live")


def test_approved_before_confirming_goes_live_by_mail_on_confirming(app, client, reader, make_article, smtp, send):
    slug = make_article()
    follow_comment(reader, slug)
    moderate(app, 1, "approved")
    send()
    assert [m.subject.split(":")[0] for m in smtp.inbox.to(ANA)] == ["Please confirm"]  # nothing else before yes
    confirm(client, smtp.inbox.to(ANA)[0])
    send()
    assert smtp.inbox.to(ANA)[-1].subject.startswith("Your comment is live")


@pytest.mark.parametrize("status", ["spam", "rejected"])
def test_no_mail_about_spam_or_rejected_comments(app, client, reader, make_article, smtp, send, status):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    moderate(app, 1, status)
    send()
    assert len(smtp.inbox.to(ANA)) == 1


def test_a_mail_about_a_comment_taken_back_before_sending_is_not_sent(app, client, reader, make_article, smtp, send):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    moderate(app, 1, "approved")
    moderate(app, 1, "spam")  # the moderator changed their mind before the sender ran
    send()
    assert len(smtp.inbox.to(ANA)) == 1


def test_confirming_while_a_moderator_approves_the_comment_mails_live_once(app, client, reader, make_article, smtp,
                                                                           send):
    slug = make_article()
    follow_comment(reader, slug)
    send()
    [confirmation] = smtp.inbox.to(ANA)
    with app.app_context():
        approving = db.engine.connect()  # a moderator's approval, half done: it found no confirmed address
        approving.execute(text("SELECT id FROM comment WHERE id = 1" + (" FOR UPDATE" if db.engine.dialect.name == "postgresql" else "")))
        approving.execute(text("UPDATE comment SET status = 'approved' WHERE id = 1"))
        with ThreadPoolExecutor(1) as pool:
            confirming = pool.submit(confirm, client, confirmation)  # Ana presses the button meanwhile
            time.sleep(0.5)
            approving.commit()
            assert confirming.result(timeout=30).status_code == 200
        approving.close()
    send()
    assert [m.subject.split(" on ")[0] for m in smtp.inbox.to(ANA)[1:]] == ["Your comment is live"]
