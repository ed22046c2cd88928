"""Readers hear back by email: the box on the form, double opt-in, "your comment is live", reply
notices, unsubscribing, and what the notices never do (mail a stranger twice, tell who follows,
mail about spam). Through a real SMTP server; the outbox is sent as `flask send-mail` sends it."""
import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from blog import create_app
from blog.core.models import Comment, utcnow
from blog.extensions import db
from blog.mail import notifications
from blog.mail.models import NotifyAddress, NotifyRequest, NotifySubscription, OutboxMail
from blog.mail.sender import stop_sender
from tests.helpers import give_fresh_database, moderate
from tests.mailbox import SmtpServer

SITE = "https://blog.clinic.example"
ANA = "ana.reader@example.org"
DESK = "desk@clinic.example"


@pytest.fixture
def smtp():
    server = SmtpServer()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp):
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port, "MAIL_FROM": "blog@clinic.example",
            "SITE_URL": SITE, "MODERATION_NOTIFY": [DESK], "MAIL_BACKGROUND_SENDER": False}


@pytest.fixture
def send(runner):
    def send_mail():
        result = runner.invoke(args=["send-mail", "--once"])
        assert result.exit_code == 0, result.output
        return result.output
    return send_mail


def follow_comment(reader, slug, email=ANA, name="Ana", body="Does this help with aura too?", **extra):
    response = reader.comment(slug, name=name, email=email, body=body, notify="y", **extra)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def rows(app, model):
    with app.app_context():
        return db.session.execute(db.select(model)).scalars().all()


def confirm(client, mail):
    return client.post(mail.link_path("/notifications/confirm/"), data={"confirm": "yes"})


def follow_and_confirm(reader, client, slug, smtp, send):
    """Ana comments with the box ticked and confirms from the mail she gets."""
    follow_comment(reader, slug)
    send()
    assert confirm(client, smtp.inbox.to(ANA)[0]).status_code == 200


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


def test_one_confirmation_a_day_whatever_the_number_of_comments(app, reader, other_reader, make_article, smtp, send):
    slug = make_article()
    for n in range(4):
        follow_comment(reader if n % 2 else other_reader, slug, email=ANA.upper() if n == 3 else ANA, body=f"Try {n}")
    send()
    assert len(smtp.inbox.to(ANA)) == 1
    with app.app_context():
        request = db.session.get(NotifyRequest, ANA)
        request.requested_at -= dt.timedelta(hours=25)
        db.session.commit()
    follow_comment(reader, slug, body="A day later")
    send()
    assert len(smtp.inbox.to(ANA)) == 2
    assert len(rows(app, NotifySubscription)) == 5


def test_the_thanks_never_tells_whether_an_address_follows(app, client, reader, other_reader, make_article, smtp, send):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    confirmed = other_reader.client.get(follow_comment(other_reader, slug, email=ANA).headers["Location"])
    stranger = other_reader.client.get(follow_comment(other_reader, slug, email="new@example.org").headers["Location"])
    notice = "About emails: if your address has not confirmed them yet, we have emailed it a link."
    assert notice in confirmed.get_data(as_text=True) and notice in stranger.get_data(as_text=True)


def test_a_confirmation_link_expires_after_seven_days(app, client, reader, make_article, smtp, send):
    slug = make_article()
    follow_comment(reader, slug)
    send()
    [mail] = smtp.inbox.to(ANA)
    with app.app_context():
        db.session.get(NotifyRequest, ANA).requested_at = utcnow() - dt.timedelta(days=7, minutes=1)
        db.session.commit()
    page = client.get(mail.link_path("/notifications/confirm/"))
    assert page.status_code == 404 and "expired" in page.get_data(as_text=True)
    assert confirm(client, mail).status_code == 404
    assert rows(app, NotifyAddress) == []


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


def test_links_do_nothing_on_get_and_tokens_are_opaque_and_single_purpose(app, client, reader, make_article, smtp, send):
    slug = make_article()
    follow_comment(reader, slug)
    send()
    [mail] = smtp.inbox.to(ANA)
    confirm_path, unsubscribe_path = mail.link_path("/notifications/confirm/"), mail.unsubscribe_path()
    confirm_token, unsubscribe_token = confirm_path.rsplit("/", 1)[1], unsubscribe_path.rsplit("/", 1)[1]
    for token in (confirm_token, unsubscribe_token):
        assert len(token) >= 32 and "ana" not in token.lower() and "example" not in token.lower()
    assert confirm_token != unsubscribe_token
    assert client.get(unsubscribe_path).status_code == 200
    assert len(rows(app, NotifySubscription)) == 1  # a GET unsubscribes nobody
    # Each token opens only its own door.
    assert client.post(f"/notifications/confirm/{unsubscribe_token}", data={"confirm": "yes"}).status_code == 404
    assert "already unsubscribed" in client.post(f"/notifications/unsubscribe/{confirm_token}",
                                                 data={"scope": "conversation"}).get_data(as_text=True)
    assert rows(app, NotifyAddress) == [] and len(rows(app, NotifySubscription)) == 1
    with app.app_context():  # only a hash of the confirmation token is stored
        assert db.session.get(NotifyRequest, ANA).token_hash != confirm_token


def test_stopping_everything_deletes_the_address_and_its_waiting_mail(app, client, reader, make_article, smtp, send):
    slug = make_article()
    follow_comment(reader, slug)
    follow_comment(reader, slug, body="Another thread")
    send()
    confirm(client, smtp.inbox.to(ANA)[0])
    moderate(app, 1, "approved")  # a "live" mail now waits in the outbox
    page = client.get(smtp.inbox.to(ANA)[0].unsubscribe_path()).get_data(as_text=True)
    assert "Stop emails about this conversation" in page and "Stop all emails to my address" in page
    done = client.post(smtp.inbox.to(ANA)[0].unsubscribe_path(), data={"scope": "everything"})
    assert "no more emails from us" in done.get_data(as_text=True)
    assert rows(app, NotifyAddress) == [] and rows(app, NotifySubscription) == [] and rows(app, NotifyRequest) == []
    assert [m for m in rows(app, OutboxMail) if m.recipient == ANA and m.status == "waiting"] == []
    send()
    assert len(smtp.inbox.to(ANA)) == 1


def test_forget_and_export_commenter_cover_notifications(app, client, runner, reader, make_article, smtp, send):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    moderate(app, 1, "approved")  # unsent: the "live" mail
    exported = runner.invoke(args=["export-commenter", ANA]).output
    assert '"confirmed_at"' in exported and '"comment_id": 1' in exported and '"mail_waiting": 1' in exported
    assert runner.invoke(args=["forget-commenter", ANA]).exit_code == 0
    assert rows(app, NotifyAddress) == [] and rows(app, NotifySubscription) == []
    assert [m for m in rows(app, OutboxMail) if m.recipient == ANA or m.about_comment_id == 1] == []
    send()
    assert len(smtp.inbox.to(ANA)) == 1


def test_unanswered_confirmations_are_forgotten_by_housekeeping(app, runner, reader, make_article, smtp, send):
    slug = make_article()
    follow_comment(reader, slug)
    send()
    with app.app_context():
        db.session.get(NotifyRequest, ANA).requested_at -= dt.timedelta(days=8)
        db.session.commit()
    assert "forgot 1 unconfirmed address" in runner.invoke(args=["housekeeping"]).output
    assert rows(app, NotifyRequest) == [] and rows(app, NotifySubscription) == []


def test_the_privacy_notice_says_what_email_notices_keep(client):
    notice = client.get("/privacy").get_data(as_text=True)
    assert "Emails about your comment" in notice and "An unconfirmed request is deleted after 7 days" in notice
    assert "we keep for one day only a keyed hash of your address" in notice


def test_the_request_log_never_holds_a_links_token(app, client, reader, make_article, smtp, send, caplog):
    slug = make_article()
    follow_comment(reader, slug)
    send()
    [mail] = smtp.inbox.to(ANA)
    token = mail.link_path("/notifications/confirm/").rsplit("/", 1)[1]
    with caplog.at_level("INFO", logger="blog.requests"):
        client.get(mail.link_path("/notifications/confirm/"))
        client.post(mail.unsubscribe_path(), data={"List-Unsubscribe": "One-Click"})
    assert "/notifications/confirm/…" in caplog.text and "/notifications/unsubscribe/…" in caplog.text
    assert token not in caplog.text and mail.unsubscribe_path() not in caplog.text


def test_the_confirmation_mail_repeats_nothing_a_stranger_typed(app, reader, make_article, smtp, send):
    slug = make_article()
    follow_comment(reader, slug, name="URGENT refund: log in at https://clinic-pay.example/login")
    send()
    [mail] = smtp.inbox.to(ANA)
    assert mail.text.splitlines()[0] == "Hello," and "clinic-pay" not in mail.text and "refund" not in mail.subject


def test_a_confirmed_address_that_follows_nothing_any_more_is_forgotten_after_the_retention(
        app, client, runner, reader, make_article, smtp, send):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    with app.app_context():
        long_ago = utcnow() - dt.timedelta(days=400)
        db.session.execute(db.update(Comment).values(created_at=long_ago))
        db.session.execute(db.update(NotifyAddress).values(confirmed_at=long_ago))
        db.session.commit()
    runner.invoke(args=["housekeeping"])
    assert rows(app, NotifySubscription) == [] and rows(app, NotifyAddress) == []


def test_a_server_error_on_a_mail_link_logs_the_path_without_its_token(app_config, migrated, monkeypatch, caplog):
    app_config["PROPAGATE_EXCEPTIONS"] = False  # as in production: Flask logs "Exception on <path>"
    template, head = migrated
    give_fresh_database(app_config["SQLALCHEMY_DATABASE_URI"], template, head, lambda: create_app(app_config))
    app = create_app(app_config)

    def broken(token):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(notifications, "confirmation_email", broken)
    with caplog.at_level("ERROR", logger="blog"):
        response = app.test_client().get("/notifications/confirm/SeCrEtToKeN123")
    assert response.status_code == 500
    assert "Exception on /notifications/confirm/… [GET]" in caplog.text and "SeCrEtToKeN123" not in caplog.text
    stop_sender(app)
    with app.app_context():
        db.engine.dispose()


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


@pytest.mark.parametrize("how", [{"data": "List-Unsubscribe=One-Click", "content_type": "text/plain"},
                                 {"data": {"List-Unsubscribe": "One-Click"}, "content_type": "multipart/form-data"}])
def test_one_click_unsubscribe_works_however_the_mail_program_encodes_its_post(app, client, reader, make_article,
                                                                              smtp, send, how):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    [confirmation] = smtp.inbox.to(ANA)
    assert client.post(confirmation.unsubscribe_path(), **how).status_code == 200
    assert rows(app, NotifySubscription) == []
    assert client.post("/post/" + slug + "/comments", data="name=x&body=y", content_type="text/plain").status_code == 415


@pytest.mark.parametrize("stop", [{"scope": "everything"}, {"List-Unsubscribe": "One-Click"}])
def test_an_address_that_says_stop_gets_no_new_confirmation_the_same_day(app, client, reader, other_reader,
                                                                          make_article, smtp, send, runner, stop):
    slug = make_article()
    follow_comment(other_reader, slug, email="victim@example.org", body="A stranger typed this address")
    send()
    [confirmation] = smtp.inbox.to("victim@example.org")
    assert client.post(confirmation.unsubscribe_path(), data=stop).status_code == 200
    assert rows(app, NotifyRequest) == [] and rows(app, NotifySubscription) == []  # the address is gone...
    follow_comment(other_reader, slug, email="victim@example.org", body="And again, minutes later")
    send()
    assert len(smtp.inbox.to("victim@example.org")) == 1  # ...and its owner's "stop" holds for the day
    with app.app_context():
        db.session.execute(db.text("UPDATE notify_quiet SET until = :past"),
                           {"past": utcnow() - dt.timedelta(minutes=1)})
        db.session.commit()
    runner.invoke(args=["housekeeping"])
    with app.app_context():
        assert db.session.execute(db.text("SELECT count(*) FROM notify_quiet")).scalar_one() == 0
    follow_comment(other_reader, slug, email="victim@example.org", body="A day later: one a day, as for anyone")
    send()
    assert len(smtp.inbox.to("victim@example.org")) == 2


def test_a_failed_mail_to_an_address_that_stopped_everything_is_never_sent(app, client, reader, make_article, smtp,
                                                                           send, staff):
    slug = make_article()
    follow_and_confirm(reader, client, slug, smtp, send)
    smtp.stop()  # the mail server goes away; Ana's "live" mail fails for good
    moderate(app, 1, "approved")
    send()
    with app.app_context():
        db.session.execute(db.update(OutboxMail).values(give_up_at=utcnow() - dt.timedelta(minutes=1),
                                                        next_attempt_at=utcnow() - dt.timedelta(minutes=1)))
        db.session.commit()
    send()
    assert [m.status for m in rows(app, OutboxMail) if m.recipient == ANA and m.kind == "live"] == ["failed"]
    [live_id] = [m.id for m in rows(app, OutboxMail) if m.recipient == ANA and m.kind == "live"]
    [confirmation] = smtp.inbox.to(ANA)
    assert client.post(confirmation.unsubscribe_path(), data={"scope": "everything"}).status_code == 200
    assert [m for m in rows(app, OutboxMail) if m.recipient == ANA and m.status != "sent"] == []
    staff.create(email="admin@clinic.example", name="Admin", admin=True)
    staff.login("admin@clinic.example")
    assert staff.post(f"/moderation/mail/{live_id}/retry").status_code == 404  # nothing left to revive
