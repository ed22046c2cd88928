"""The outbox under real processes: the background senders of two gunicorn workers and a
`flask send-mail` from cron, all racing for one outbox on the same database; every mail goes out once."""
import os
import subprocess
import sys
import time

import pytest

from blog.extensions import db
from blog.mail.models import OutboxMail
from blog.mail.outbox import Mail, add_to_outbox
from tests.mailbox import SmtpServer
from tests.servers import ROOT, SERVER_SECRET, gunicorn

pytestmark = pytest.mark.load
MAILS = 150


def test_two_workers_and_send_mail_racing_send_each_mail_exactly_once(app, tmp_path):
    smtp = SmtpServer(delay=0.01)  # slow enough that the three senders overlap
    mail_env = {"FLASK_MAIL_SERVER": "127.0.0.1", "FLASK_MAIL_PORT": str(smtp.port),
                "FLASK_SITE_URL": "https://blog.clinic.example", "FLASK_MAIL_SEND_INTERVAL": "0.05"}
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        with gunicorn(uri, tmp_path, workers=2, env=mail_env) as server:
            deadline = time.monotonic() + 15  # the first worker may answer before the second has forked
            while len(server.worker_pids()) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert len(server.worker_pids()) == 2
            with app.app_context():  # written while every sender polls the outbox
                add_to_outbox([Mail("moderators", f"desk{n}@clinic.example", f"Notice {n}", f"Body {n}")
                               for n in range(MAILS)])
                db.session.commit()
            environment = {**{k: v for k, v in os.environ.items() if not k.startswith("FLASK_")}, **mail_env,
                           "FLASK_SECRET_KEY": SERVER_SECRET, "FLASK_SQLALCHEMY_DATABASE_URI": uri,
                           "BLOG_INSTANCE_PATH": str(tmp_path)}
            cron = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "send-mail", "--once"], cwd=ROOT,
                                  env=environment, capture_output=True, text=True, timeout=120)
            assert cron.returncode == 0, cron.stderr
            deadline = time.monotonic() + 60
            while len(smtp.inbox.envelopes) < MAILS and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)  # a duplicate would arrive now
            server_log = server.log()
        received = sorted(m.to for m in smtp.inbox.mails)
        assert received == sorted(f"desk{n}@clinic.example" for n in range(MAILS)), server_log[-2000:]
        with app.app_context():
            statuses = db.session.execute(db.select(OutboxMail.status)).scalars().all()
        assert statuses == ["sent"] * MAILS
        sent_by_cron = int(cron.stdout.split()[1])
        assert 0 <= sent_by_cron <= MAILS  # however the work was shared, nothing twice
    finally:
        smtp.stop()
