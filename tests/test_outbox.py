"""The outbox loses nothing and sends each mail once: a mail server that is down, retries with growing
waits, failing for good after three days, senders racing for the same rows, headers nobody can
inject into, and what staff see of it on the dashboard."""
import datetime as dt
import re
import threading
from email.message import EmailMessage

import pytest

from blog.core.models import utcnow
from blog.extensions import db
from blog.mail.models import OutboxMail
from blog.mail.outbox import Mail, add_to_outbox
from blog.mail.sender import build_message, send_due
from tests.helpers import moderate
from tests.mailbox import SmtpServer, free_port

SITE = "https://blog.clinic.example"
DESK = "desk@clinic.example"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_FROM": "blog@clinic.example",
            "SITE_URL": SITE, "MODERATION_NOTIFY": [DESK], "MAIL_BACKGROUND_SENDER": False}


def outbox(app) -> list[OutboxMail]:
    with app.app_context():
        return db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars().all()


def make_due(app) -> None:
    """Move every waiting mail's next attempt to now (its wait is over)."""
    with app.app_context():
        db.session.execute(db.update(OutboxMail).values(next_attempt_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()


def send(app):
    with app.app_context():
        return send_due(app.config)


def test_mail_written_while_the_server_is_down_is_delivered_once_when_it_is_back(app, reader, other_reader,
                                                                                make_article, runner):
    slug = make_article()
    reader.comment(slug, name="Ana", body="First", email="ana@example.org", notify="y")
    other_reader.comment(slug, name="Bo", body="Second")
    moderate(app, 2, "approved")
    report = send(app)
    assert (report.sent, report.retrying) == (0, 3)  # two notices to the desk, one confirmation
    assert {m.status for m in outbox(app)} == {"waiting"} and all(m.attempts == 1 for m in outbox(app))
    assert all("ConnectionRefusedError" in m.last_error for m in outbox(app))
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        assert send(app).sent == 0  # nothing is due before its wait is over
        make_due(app)
        result = runner.invoke(args=["send-mail", "--once"])
        assert "Sent 3 mail(s)" in result.output
        assert runner.invoke(args=["send-mail"]).output.startswith("Sent 0 mail(s)")
        mails = server.inbox.mails
        assert sorted(m.to for m in mails) == ["ana@example.org", DESK, DESK]
        assert {m.status for m in outbox(app)} == {"sent"}
        assert all(m.body == "" for m in outbox(app))  # what was sent is not kept
    finally:
        server.stop()


def test_waits_grow_then_the_mail_fails_after_three_days(app, make_article, reader):
    slug = make_article()
    reader.comment(slug, body="Nobody will get this notice")
    waits = []
    for _ in range(6):
        make_due(app)
        before = utcnow()
        send(app)
        [mail] = outbox(app)
        waits.append(round((mail.next_attempt_at - before).total_seconds() / 60))
    assert waits[:5] == [1, 5, 30, 120, 720] and waits[5] == 720
    with app.app_context():
        db.session.execute(db.update(OutboxMail).values(give_up_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    make_due(app)
    assert send(app).failed == 1
    [mail] = outbox(app)
    assert mail.status == "failed" and mail.attempts == 7 and mail.body  # kept for an admin to retry


def test_racing_senders_send_each_mail_exactly_once(app):
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        with app.app_context():
            add_to_outbox([Mail("moderators", f"desk{n}@clinic.example", f"Notice {n}", f"Body {n}")
                           for n in range(120)])
            db.session.commit()
        errors = []

        def sender():
            try:
                send(app)
            except Exception as exc:  # pragma: no cover - shown by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=sender) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert errors == []
        received = sorted(m.to for m in server.inbox.mails)
        assert received == sorted(f"desk{n}@clinic.example" for n in range(120))
        assert {m.status for m in outbox(app)} == {"sent"}
    finally:
        server.stop()


def test_the_mail_library_refuses_a_line_break_in_any_header():
    for field in ("Subject", "To", "List-Unsubscribe"):
        message = EmailMessage()
        with pytest.raises(ValueError, match="linefeed or carriage return"):
            message[field] = "Hello\r\nBcc: victim@example.org"


def test_an_injected_header_is_never_sent(app):
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        with app.app_context():
            add_to_outbox([Mail("reply", "ana@example.org", "Bo replied\r\nBcc: victim@example.org", "text"),
                           Mail("reply", "ana@example.org", "A fine subject", "text")])
            db.session.commit()
            with pytest.raises(ValueError):
                build_message(db.session.get(OutboxMail, 1), app.config)
        report = send(app)
        assert (report.sent, report.failed) == (1, 1)
        assert [m.to for m in server.inbox.mails] == ["ana@example.org"]
        assert all("victim" not in str(m.message) for m in server.inbox.mails)
        assert outbox(app)[0].status == "failed" and "unsendable" in outbox(app)[0].last_error
    finally:
        server.stop()


def test_a_name_with_line_breaks_reaches_no_header(app, client, reader, other_reader, make_article):
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        slug = make_article()
        reader.comment(slug, name="Ana", email="ana@example.org", body="Question", notify="y")
        send(app)
        confirm_path = next(m for m in server.inbox.mails if m.to == "ana@example.org").link_path("/confirm/")
        app.test_client().post(confirm_path, data={"confirm": "yes"})
        moderate(app, 1, "approved")
        other_reader.comment(slug, name="Bo\r\nBcc: victim@example.org", body="Answer", parent_id="1",
                             send_anyway="yes")  # the name holds an email address: sent as it is
        moderate(app, 2, "approved")
        send(app)
        reply = [m for m in server.inbox.mails if "replied" in m.subject]
        assert len(reply) == 1 and reply[0].subject.startswith("Bo Bcc: victim@example.org replied")
        assert reply[0].message["Bcc"] is None
        assert all(m.envelope_to != ["victim@example.org"] for m in server.inbox.mails)
    finally:
        server.stop()



def test_a_sender_with_a_display_name_sends_well_formed_mail(app):
    app.config["MAIL_FROM"] = "Clinic Health Notes <comments@clinic.example>"
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        with app.app_context():
            add_to_outbox([Mail("reply", "ana@example.org", "Bo replied", "text")])
            db.session.commit()
        assert send(app).sent == 1
        [mail] = server.inbox.mails
        assert str(mail.message["From"]) == "Clinic Health Notes <comments@clinic.example>"
        assert re.fullmatch(r"<[^<>@\s]+@clinic\.example>", str(mail.message["Message-ID"]))
    finally:
        server.stop()


@pytest.mark.parametrize("site_url", ["blog.clinic.example", "https://", "ftp://blog.clinic.example"])
def test_a_site_address_mail_could_not_link_to_stops_the_app_with_a_message(app_config, site_url):
    from blog import create_app
    from blog.config import ConfigError

    with pytest.raises(ConfigError, match="not a full address"):
        create_app({**app_config, "SITE_URL": site_url})


def test_the_dashboard_shows_mail_waiting_and_failed_and_an_admin_retries(app, staff, make_article, reader):
    slug = make_article()
    reader.comment(slug, body="One")
    reader.comment(slug, body="Two")
    send(app)
    with app.app_context():
        db.session.execute(db.update(OutboxMail).where(OutboxMail.id == 1).values(
            status="failed", give_up_at=utcnow()))
        db.session.commit()
    staff.create(email="admin@clinic.example", name="Admin", admin=True)
    staff.create(email="kim@clinic.example", name="Kim")
    staff.login("kim@clinic.example")
    page = staff.client.get("/moderation/dashboard").get_data(as_text=True)
    assert "<strong>1</strong> mail waiting to be sent · <strong>1</strong> failed" in page
    assert "ConnectionRefusedError" in page and "An admin can try again." in page
    assert staff.post("/moderation/mail/1/retry", token_from="/moderation/dashboard").status_code == 403
    staff.logout()
    staff.login("admin@clinic.example")
    retried = staff.post("/moderation/mail/1/retry", token_from="/moderation/dashboard")
    assert retried.status_code == 303
    assert [m.status for m in outbox(app)] == ["waiting", "waiting"]
    assert staff.post("/moderation/mail/1/retry", token_from="/moderation/dashboard").status_code == 404
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        make_due(app)
        assert send(app).sent == 2
    finally:
        server.stop()


def test_a_row_deleted_while_its_batch_is_being_sent_stops_nothing(app):
    """An unsubscribe or a deleted comment can remove a claimed row before its turn in the batch."""
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        with app.app_context():
            add_to_outbox([Mail("moderators", f"desk{n}@clinic.example", f"Notice {n}", "Body") for n in range(3)])
            db.session.commit()
            from blog.mail.sender import claim, send_batch

            claimed = claim("other-sender", utcnow())  # as if another sender held them and then lost them
            assert len(claimed) == 3
            db.session.execute(db.update(OutboxMail).values(claimed_by=None, claimed_until=None))
            db.session.execute(db.delete(OutboxMail).where(OutboxMail.id == 2))
            db.session.commit()
            claimed_count, report = send_batch(app.config, "this-sender")
        assert (claimed_count, report.sent) == (2, 2)
        assert sorted(m.to for m in server.inbox.mails) == ["desk0@clinic.example", "desk2@clinic.example"]
    finally:
        server.stop()


def test_a_sender_whose_claim_ran_out_does_not_send_what_another_took(app):
    """A slow server can stretch a batch past its lease: another sender then owns the rows, and the
    first must not send them as well."""
    server = SmtpServer(app.config["MAIL_PORT"])
    try:
        with app.app_context():
            from blog.mail.sender import LEASE, claim, still_mine

            add_to_outbox([Mail("moderators", "desk@clinic.example", "Notice", "Body")],
                          now=utcnow() - dt.timedelta(minutes=10))
            db.session.commit()
            [mine] = claim("slow-sender", utcnow() - LEASE - dt.timedelta(seconds=1))  # its lease has run out
            assert [m.id for m in claim("quick-sender", utcnow())] == [mine.id]
            assert still_mine(mine, "slow-sender") is False
            assert still_mine(mine, "quick-sender") is True
    finally:
        server.stop()
