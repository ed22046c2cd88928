"""What the reply-notice tests share: a real SMTP server, a site that mails through it, `flask
send-mail --once`, and Ana, who ticks "Email me..." and confirms. Test modules import the fixtures."""
import pytest

from blog.extensions import db
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
