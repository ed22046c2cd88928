"""One definition each: "published" for the ORM and for plain SQL, and raw SQL columns from the models."""
import datetime as dt

import pytest
from sqlalchemy import text

from blog.core.sql import columns
from blog.extensions import db
from blog.core.models import PUBLISHED_SQL, Article, utc_today


def test_published_means_the_same_to_the_orm_and_to_plain_sql(app, make_article):
    today = utc_today()
    for title, day in (("Past", today - dt.timedelta(days=3)), ("Today", today),
                       ("Tomorrow", today + dt.timedelta(days=1)), ("Next year", today + dt.timedelta(days=365))):
        make_article(title=title, published=day.isoformat())
    with app.app_context():
        orm = set(db.session.execute(db.select(Article.title).where(Article.is_published(today))).scalars())
        sql = set(db.session.execute(text(f"SELECT title FROM article WHERE {PUBLISHED_SQL}"),
                                     {"today": today}).scalars())
    assert orm == sql == {"Past", "Today"}


def test_a_raw_column_list_naming_a_column_the_model_lacks_fails_at_once():
    assert columns(Article, ("id", "slug"), "a") == "a.id, a.slug"
    with pytest.raises(KeyError):
        columns(Article, ("id", "no_such_column"))
