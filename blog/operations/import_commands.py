"""flask import-feed: move another blog in (RSS as Wix serves it, Atom, or a WordPress export)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from blog.operations.feed_import import EntryOutcome, import_feed, read_source, summary_lines
from blog.operations.feed_sources import SourceError


def _progress(number: int, total: int, entry: EntryOutcome) -> None:
    detail = f" ({entry.message})" if entry.message else ""
    redirects = f"; old links: {', '.join(entry.redirects)}" if entry.redirects else ""
    comments = f"; {entry.comments_added} comments" if entry.comments_added else ""
    click.echo(f"[{number}/{total}] {entry.outcome}: {entry.slug or entry.title}{detail}{redirects}{comments}",
               err=entry.outcome == "failed")


@click.command("import-feed")
@click.argument("source")
@click.option("--images", type=click.Choice(["download", "skip"]), default="download", show_default=True,
              help="Fetch every image into static/images/imported/, or leave images out.")
@click.option("--write-markdown", "write_markdown", type=click.Path(file_okay=False, path_type=Path),
              help="Also write each article as a Markdown file (and its images) into this folder.")
@click.option("--dry-run", is_flag=True, help="Say what would be created, updated, skipped and redirected; write nothing.")
@click.option("--replace", is_flag=True, help="Overwrite articles with the same slug that came from elsewhere.")
@with_appcontext
def import_feed_command(source: str, images: str, write_markdown: Path | None, dry_run: bool, replace: bool) -> None:
    """Import a blog from SOURCE, a file or an http(s) URL of an RSS or Atom feed or a WordPress export."""
    try:
        raw = read_source(source)
        report = import_feed(raw, Path(current_app.static_folder), images=images, write_markdown=write_markdown,
                             dry_run=dry_run, replace=replace, on_entry=_progress)
    except SourceError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    for line in summary_lines(report):
        click.echo(line)
    if report.failed:
        raise SystemExit(1)
