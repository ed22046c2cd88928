"""Flask commands for operators: init-db and import-articles."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from blog.articles import import_articles
from blog.extensions import db

SAMPLES = Path(__file__).parent / "samples"


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


@click.command("init-db")
@click.option("--sample", is_flag=True, help="Also import the sample articles that ship with the project.")
@with_appcontext
def init_db_command(sample: bool) -> None:
    """Create the database tables (safe to run again)."""
    db.create_all()
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


def init_app(app):
    app.cli.add_command(init_db_command)
    app.cli.add_command(import_articles_command)
