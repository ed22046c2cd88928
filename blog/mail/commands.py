"""`flask send-mail`: send the outbox's due mail from cron or a process of its own."""
from __future__ import annotations

import time

import click
from flask import current_app
from flask.cli import with_appcontext

from blog.mail.sender import Report, send_due


@click.command("send-mail")
@click.option("--once", is_flag=True, help="Send what is due and exit when nothing due is left (the default).")
@click.option("--watch", is_flag=True, help="Keep running: send what is due every MAIL_SEND_INTERVAL seconds.")
@with_appcontext
def send_mail_command(once: bool, watch: bool) -> None:
    """Send the mail that is due (new mail, and retries whose wait is over). Safe beside the web
    workers' own senders and other send-mail runs: each mail is sent once."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise click.ClickException("MAIL_SERVER is not set, so there is no mail to send.")
    if once and watch:
        raise click.UsageError("--once and --watch exclude each other.")
    total = Report()
    while True:
        total.add(send_due(config))
        if not watch:
            break
        time.sleep(float(config.get("MAIL_SEND_INTERVAL", 30)))
    click.echo(f"Sent {total.sent} mail(s); {total.retrying} will be tried again later; {total.failed} failed.")
