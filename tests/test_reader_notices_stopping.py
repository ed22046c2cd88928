"""Reply notices that stop, and what they never do: one confirmation a day, links that change nothing
on GET, stopping a conversation or everything, an owner's "stop" holding for the day, forgetting and
exporting an address, housekeeping, tokens kept out of logs, and what the privacy notice says."""
import datetime as dt

import pytest
from sqlalchemy import text

from blog import create_app
from blog.core.models import Comment, utcnow
from blog.extensions import db
from blog.mail import notifications
from blog.mail.models import NotifyAddress, NotifyRequest, NotifySubscription, OutboxMail
from blog.mail.sender import stop_sender
from tests.helpers import give_fresh_database, moderate
from tests.notices import (  # noqa: F401 - fixtures are found by name
    ANA, app_config, confirm, follow_and_confirm, follow_comment, rows, send, smtp,
)


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

    def broken(token):  # a database error mid-request, with the link's token among the statement's parameters
        return db.session.execute(text("SELECT email FROM no_such_table WHERE token = :token"), {"token": token})

    monkeypatch.setattr(notifications, "confirmation_email", broken)
    with caplog.at_level("ERROR", logger="blog"):
        response = app.test_client().get("/notifications/confirm/SeCrEtToKeN123")
    assert response.status_code == 500
    assert "Exception on /notifications/confirm/… [GET]" in caplog.text and "no_such_table" in caplog.text
    assert "SeCrEtToKeN123" not in caplog.text  # neither in Flask's line nor in the traceback under it
    stop_sender(app)
    with app.app_context():
        db.engine.dispose()


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
