"""Flask commands for operators: the database, articles, and moderator accounts."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from blog.moderation.accounts import AccountError, create_moderator, disable_moderator, set_password
from blog.core.articles import import_articles
from blog.operations.maintenance_commands import COMMANDS as OPERATOR_COMMANDS
from blog.operations.maintenance_commands import fail as _fail
from sqlalchemy import inspect

from blog.extensions import db

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def _report_imports(path: Path) -> int:
    """Import PATH, print one line a file, return how many failed."""
    failed = 0
    for result in import_articles(path, Path(current_app.static_folder)):
        if result.outcome == "failed":
            failed += 1
            click.echo(f"error: {result.path}: {result.error}", err=True)
        else:
            click.echo(f"{result.outcome}: {result.slug} ({result.path.name})")
    return failed


MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def use_migrations(app) -> None:
    """Bind Flask-Migrate to the app, once: only commands and tests need Alembic (about 5 MB), so
    web workers never load it. Batch mode lets Alembic alter SQLite tables (by copying them)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)


class MigrationCommands(click.Command):
    """`flask db ...`: Flask-Migrate's command group, bound and loaded only when it is run.

    Click builds a subcommand's context with make_context and then invokes that context's own
    command, so handing over make_context hands over everything: options, help, subcommands."""

    def __init__(self, app):
        super().__init__("db", help="Database migrations (Flask-Migrate): flask db upgrade, current, history ...")
        self.app = app

    def make_context(self, info_name, args, parent=None, **extra):
        use_migrations(self.app)
        from flask_migrate.cli import db as flask_migrate_commands

        return flask_migrate_commands.make_context(info_name, args, parent=parent, **extra)


def upgrade_schema() -> None:
    """Bring the schema to the newest migration (what `flask db upgrade` does)."""
    use_migrations(current_app._get_current_object())
    import flask_migrate

    inspector = inspect(db.engine)
    tables = inspector.get_table_names()
    if "article" in tables and "alembic_version" not in tables:
        # Made by db.create_all() (early versions of init-db, or the models of today): record which
        # revision it matches, so that upgrade applies only what is missing.
        columns = {c["name"] for c in inspector.get_columns("article")}
        flask_migrate.stamp(revision="head" if "comments_version" in columns else "0001")
    flask_migrate.upgrade()


@click.command("init-db")
@click.option("--sample", is_flag=True, help="Also import the sample articles that ship with the project.")
@with_appcontext
def init_db_command(sample: bool) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    upgrade_schema()
    click.echo("Database ready.")
    if sample and _report_imports(SAMPLES):
        raise SystemExit(1)


@click.command("import-articles")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def import_articles_command(path: Path) -> None:
    """Create or update articles from a Markdown file or a folder of .md files."""
    failed = _report_imports(path)
    if failed:
        click.echo(f"{failed} file(s) failed; the others were imported.", err=True)
        raise SystemExit(1)


def _read_password(from_stdin: bool) -> str:
    """One line from standard input (for scripts), or asked twice on the terminal, never echoed."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password")


password_stdin = click.option("--password-stdin", is_flag=True, help="Read the password as one line from standard input.")


@click.command("create-moderator")
@click.argument("email")
@click.option("--name", help="The name shown to other moderators.")
@click.option("--admin", is_flag=True, help="Can also manage moderators.")
@password_stdin
@with_appcontext
def create_moderator_command(email: str, name: str | None, admin: bool, password_stdin: bool) -> None:
    """Add a moderator (at least 12 characters of password)."""
    try:
        moderator = create_moderator(email, _read_password(password_stdin), name=name, is_admin=admin)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"Created {'admin' if moderator.is_admin else 'moderator'} {moderator.email}.")


@click.command("set-password")
@click.argument("email")
@password_stdin
@with_appcontext
def set_password_command(email: str, password_stdin: bool) -> None:
    """Change a moderator's password; their current sessions end."""
    try:
        moderator = set_password(email, _read_password(password_stdin))
    except AccountError as exc:
        _fail(exc)
    click.echo(f"Password changed for {moderator.email}; their sessions have ended.")


@click.command("disable-moderator")
@click.argument("email")
@with_appcontext
def disable_moderator_command(email: str) -> None:
    """Disable a moderator; their sessions end at once."""
    try:
        moderator = disable_moderator(email)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"Disabled {moderator.email}; their sessions have ended.")


def init_app(app):
    app.cli.add_command(MigrationCommands(app))
    for command in (init_db_command, import_articles_command, create_moderator_command,
                    set_password_command, disable_moderator_command, *OPERATOR_COMMANDS):
        app.cli.add_command(command)
