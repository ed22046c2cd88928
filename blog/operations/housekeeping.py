"""The daily housekeeping in each web worker: a daemon thread that, once a day, erases the email
addresses of comments older than COMMENT_EMAIL_RETENTION_DAYS, forgets unanswered confirmations
and old finished mail (blog.mail.notifications.tidy); `flask housekeeping` does the same from cron. Several workers doing it the same day find nothing left to erase after the first."""
from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from blog.core.models import utc_today
from blog.extensions import db
from blog.mail.notifications import tidy as tidy_notifications
from blog.operations.maintenance import erase_old_emails

log = logging.getLogger(__name__)
CHECK_EVERY_SECONDS = 3600


def run_once(app: Flask) -> int:
    with app.app_context():
        try:
            erased = erase_old_emails(app.config["COMMENT_EMAIL_RETENTION_DAYS"])
            tidy_notifications(app.config["COMMENT_EMAIL_RETENTION_DAYS"])
            return erased
        finally:
            db.session.remove()


def start_daily_housekeeping(app: Flask) -> threading.Thread:
    def loop() -> None:
        done_for = None
        while True:
            if done_for != utc_today():
                try:
                    erased = run_once(app)
                    if erased:
                        log.info("housekeeping: erased the email address of %s old comment(s)", erased)
                    done_for = utc_today()
                except Exception:  # the database away: try again at the next check
                    log.warning("housekeeping failed; trying again in an hour", exc_info=True)
            time.sleep(CHECK_EVERY_SECONDS)

    thread = threading.Thread(target=loop, name="daily-housekeeping", daemon=True)
    thread.start()
    return thread
