"""Flask commands for running the site: backup, export, purge, housekeeping, forget-commenter,
export-commenter, stats."""
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

import json

from flask import current_app

from blog.mail.notifications import tidy as tidy_notifications
from blog.operations.maintenance import (
    OperationError, backup_sqlite, commenter_data, erase_old_emails, forget_commenter, parse_age, purge, stats, write_export,
)


def fail(error: Exception) -> None:
    """End a command with one line on standard error and exit status 1."""
    click.echo(f"error: {error}", err=True)
    sys.exit(1)


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the live SQLite database to PATH (a file, or a folder for a dated file)."""
    try:
        target = backup_sqlite(path)
    except OperationError as exc:
        fail(exc)
    click.echo(f"Backed up to {target}.")


@click.command("export")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@with_appcontext
def export_command(path: Path) -> None:
    """Write articles, comments, moderators (no password hashes) and the audit log to PATH as JSON."""
    counts = write_export(path)
    click.echo(f"Exported to {path}: " + ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in counts.items()) + ".")


@click.command("purge")
@click.option("--spam-older-than", metavar="AGE", help="Delete spam older than AGE (30d, 12h, 2w).")
@click.option("--rejected-older-than", metavar="AGE", help="Delete rejected comments older than AGE.")
@with_appcontext
def purge_command(spam_older_than: str | None, rejected_older_than: str | None) -> None:
    """Delete old spam and rejected comments, printing what was removed."""
    if not spam_older_than and not rejected_older_than:
        fail(OperationError("say what to purge: --spam-older-than 30d and/or --rejected-older-than 90d"))
    try:
        removed = purge(parse_age(spam_older_than) if spam_older_than else None,
                        parse_age(rejected_older_than) if rejected_older_than else None)
    except OperationError as exc:
        fail(exc)
    for status, ids in removed.items():
        listed = ", ".join(f"#{i}" for i in ids) if ids else "none"
        click.echo(f"Removed {len(ids)} {status} comment(s): {listed}")
    erased = erase_old_emails(current_app.config["COMMENT_EMAIL_RETENTION_DAYS"])
    click.echo(f"Erased the email address of {erased} comment(s) older than "
               f"{current_app.config['COMMENT_EMAIL_RETENTION_DAYS']} days.")


@click.command("forget-commenter")
@click.argument("email")
@with_appcontext
def forget_commenter_command(email: str) -> None:
    """Erase a commenter's email and name from every comment (the name becomes "Former reader")."""
    try:
        count = forget_commenter(email)
    except OperationError as exc:
        fail(exc)
    click.echo(f"Erased the name and email from {count} comment(s).")


@click.command("export-commenter")
@click.argument("email")
@with_appcontext
def export_commenter_command(email: str) -> None:
    """Print, as JSON, everything stored about EMAIL: its comments (article, status, dates, notice version)."""
    try:
        click.echo(json.dumps(commenter_data(email), ensure_ascii=False, indent=2, default=str))
    except OperationError as exc:
        fail(exc)


@click.command("housekeeping")
@with_appcontext
def housekeeping_command() -> None:
    """The daily work (the web workers also do it once a day): erase emails past COMMENT_EMAIL_RETENTION_DAYS,
    forget unanswered confirmations of reply notices and finished mail older than 30 days."""
    erased = erase_old_emails(current_app.config["COMMENT_EMAIL_RETENTION_DAYS"])
    forgotten = tidy_notifications(current_app.config["COMMENT_EMAIL_RETENTION_DAYS"])
    click.echo(f"Erased the email address of {erased} comment(s); forgot {forgotten} unconfirmed address(es).")


@click.command("stats")
@with_appcontext
def stats_command() -> None:
    """Articles, views, and comments by status."""
    numbers = stats()
    click.echo(f"Articles: {numbers['articles']}")
    click.echo(f"Views: {numbers['views']}")
    for status, count in numbers["comments"].items():
        click.echo(f"Comments {status}: {count}")


COMMANDS = (backup_command, export_command, purge_command, forget_commenter_command, export_commenter_command,
            housekeeping_command, stats_command)
