"""Numbers for the moderators' dashboard, and the small SVG charts drawn from them on the server."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _, ngettext
from markupsafe import Markup, escape
from sqlalchemy import func

from blog.core.i18n import human_date, number
from blog.extensions import db
from blog.core.models import Article, Comment, DailyViews, utc_today

DAYS = 30


@dataclass
class Series:
    days: list[dt.date]
    values: list[int]

    @property
    def total(self) -> int:
        return sum(self.values)


@dataclass
class ArticleStats:
    article: Article
    views: Series
    comments: Series


def last_days(today: dt.date, days: int = DAYS) -> list[dt.date]:
    return [today - dt.timedelta(days=n) for n in range(days - 1, -1, -1)]


def _as_date(value) -> dt.date:
    """SQLite's date() gives text, PostgreSQL's a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def views_by_article_and_day(since: dt.date) -> dict[tuple[int, dt.date], int]:
    rows = db.session.execute(
        db.select(DailyViews.article_id, DailyViews.day, DailyViews.views).where(DailyViews.day >= since))
    return {(a, _as_date(d)): v for a, d, v in rows}


def comments_by_article_and_day(since: dt.date) -> dict[tuple[int, dt.date], int]:
    day = func.date(Comment.created_at)
    rows = db.session.execute(
        db.select(Comment.article_id, day, func.count())
        .where(Comment.created_at >= dt.datetime.combine(since, dt.time()), Comment.is_clinic.is_(False))
        .group_by(Comment.article_id, day))
    return {(a, _as_date(d)): n for a, d, n in rows}


def site_and_article_stats(today: dt.date | None = None) -> tuple[Series, Series, list[ArticleStats]]:
    """Views and comments a day for the last 30 days: the whole site, and each article (top by views first)."""
    today = today or utc_today()
    days = last_days(today)
    views = views_by_article_and_day(days[0])
    comments = comments_by_article_and_day(days[0])
    articles = db.session.execute(db.select(Article).order_by(Article.published.desc())).scalars().all()
    per_article = [
        ArticleStats(a, Series(days, [views.get((a.id, d), 0) for d in days]),
                     Series(days, [comments.get((a.id, d), 0) for d in days]))
        for a in articles
    ]
    per_article.sort(key=lambda s: (-s.views.total, -s.article.view_count))
    site_views = Series(days, [sum(views.get((a.id, d), 0) for a in articles) for d in days])
    site_comments = Series(days, [sum(comments.get((a.id, d), 0) for a in articles) for d in days])
    return site_views, site_comments, per_article


@dataclass(frozen=True)
class ReviewDue:
    article: Article
    last: dt.date        # the last review, or the publication if never reviewed
    reviewed: bool
    days_since: int


def reviews_due(interval_days: int, today: dt.date | None = None) -> list[ReviewDue]:
    """Published articles whose last medical review (or publication, if never reviewed) is older than
    the interval, oldest first: so the clinic keeps its medical content current."""
    today = today or utc_today()
    cutoff = today - dt.timedelta(days=int(interval_days))
    last = func.coalesce(Article.reviewed, Article.published)
    due = db.session.execute(
        db.select(Article).where(Article.is_published(today), last < cutoff).order_by(last, Article.id)
    ).scalars()
    return [ReviewDue(a, a.reviewed or a.published, a.reviewed is not None, (today - (a.reviewed or a.published)).days)
            for a in due]


def bar_chart(series: Series, title: str, key: str, width: int = 600, height: int = 160) -> Markup:
    """A bar chart as inline SVG: one bar a day, labelled axes, a title and a summary for screen readers
    (in the site's language; key, in ASCII, names the chart's ids).

    Readable without colour: bars are solid against a plain background, with the peak and total in text."""
    pad_left, pad_bottom, pad_top = 36, 22, 10
    plot_w, plot_h = width - pad_left - 4, height - pad_bottom - pad_top
    peak = max(series.values + [1])
    bar_w = plot_w / len(series.values)
    bars = []
    for i, (day, value) in enumerate(zip(series.days, series.values, strict=True)):
        h = 0 if value == 0 else max(1.5, plot_h * value / peak)
        x = pad_left + i * bar_w + 1
        y = pad_top + plot_h - h
        bars.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}">'
                    f'<title>{escape(human_date(day))}: {number(value)}</title></rect>')
    first, last = series.days[0], series.days[-1]
    days = len(series.days)
    summary = ngettext("%(total)s in the last %(count)s day; the busiest day had %(peak)s.",
                       "%(total)s in the last %(count)s days; the busiest day had %(peak)s.", days,
                       total=number(series.total), count=number(days), peak=number(max(series.values)))
    svg = (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="{{id}}-t {{id}}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{{id}}-t">{escape(title)}</title><desc id="{{id}}-d">{escape(summary)}</desc>'
        f'<line class="axis" x1="{pad_left}" y1="{pad_top + plot_h}" x2="{width - 4}" y2="{pad_top + plot_h}"/>'
        f'<text x="{pad_left - 6}" y="{pad_top + 10}" text-anchor="end">{number(peak)}</text>'
        f'<text x="{pad_left - 6}" y="{pad_top + plot_h}" text-anchor="end">{number(0)}</text>'
        f'<text x="{pad_left}" y="{height - 4}">{escape(human_date(first))}</text>'
        f'<text x="{width - 4}" y="{height - 4}" text-anchor="end">{escape(human_date(last))}</text>'
        f'<g class="bars">{"".join(bars)}</g></svg>'
    )
    chart_id = "chart-" + "".join(c for c in key.lower() if c.isalnum())[:40]
    return Markup(svg.replace("{id}", chart_id))


def sparkline(series: Series, label: str, width: int = 120, height: int = 28) -> Markup:
    """A small line of the daily values, for one article's row; the numbers are in the table beside it.
    The label may be Markup (a translated text from a template): it is not escaped twice."""
    peak = max(series.values + [1])
    step = width / max(len(series.values) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - 2 - (height - 4) * v / peak:.1f}" for i, v in enumerate(series.values))
    return Markup(
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{_aria_label(label, series)}" '
        f'xmlns="http://www.w3.org/2000/svg"><polyline points="{points}"/></svg>'
    )


def _aria_label(label: str, series: Series) -> Markup:
    # Formatted as Markup, so a label that is Markup already is not escaped again (and any other is).
    text = escape(_("%(label)s: %(total)s in 30 days, at most %(peak)s a day"))
    return text % {"label": label, "total": number(series.total), "peak": number(max(series.values))}
