"""Bench data: the sample site, an article with 50 approved comments, 25 pending, a moderator, and
optionally the scale set (1,000 articles, 100,000 comments). Not shipped with the app; bench only."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import insert

from blog.moderation.accounts import create_moderator
from blog.core.articles import import_articles
from blog.operations.commands import SAMPLES
from blog.extensions import db
from blog.core.models import Article, Comment, utcnow
from blog.core.sanitize import clean_comment

ARTICLE = "exploring-ketamine-as-a-promising-migraine-treatment"
MODERATOR = ("bench@clinic.example", "bench password 123")
WORDS = ("migraine relief sleep infusion nurse doctor helpful question thanks weeks dose better "
         "appointment headache pain light sound rest water morning evening").split()


def sentence(rng: random.Random, n: int = 18) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def build(app, scale: bool = False, seed: int = 7) -> None:
    rng = random.Random(seed)
    with app.app_context():
        db.drop_all()
        db.create_all()
        import_articles(SAMPLES, Path(app.static_folder))
        create_moderator(*MODERATOR, name="Bench", is_admin=True)
        article = db.session.execute(db.select(Article).filter_by(slug=ARTICLE)).scalar_one()
        now = utcnow()
        rows = []
        for n in range(50):
            body = sentence(rng) + "\n\n" + sentence(rng)
            rows.append(dict(article_id=article.id, parent_id=None, author_name=f"Reader {n}", author_email=None,
                             body_raw=body, body_html=clean_comment(body), status="approved", flags="",
                             is_clinic=False, created_at=now - dt.timedelta(minutes=500 - n)))
        for n in range(25):
            body = sentence(rng)
            rows.append(dict(article_id=article.id, parent_id=None, author_name=f"Waiting {n}",
                             author_email=f"w{n}@example.org", body_raw=body, body_html=clean_comment(body),
                             status="pending", flags="", is_clinic=False, created_at=now - dt.timedelta(minutes=n)))
        db.session.execute(insert(Comment), rows)
        db.session.commit()
        if scale:
            _scale(rng, now)


def _scale(rng: random.Random, now: dt.datetime) -> None:
    """999 more articles (1,000 in all) and 100,000 comments spread over them, in bulk inserts."""
    html = "<p>" + " ".join(sentence(rng) for _ in range(30)) + "</p>"
    articles = [dict(slug=f"scale-article-{n:04d}", title=f"Scale article {n}", published=dt.date(2020, 1, 1) + dt.timedelta(days=n % 1500),
                     updated=None, author=None, image=None, image_alt=None, summary=sentence(rng), tags="",
                     comments_open=True, body_markdown="x", body_html=html, reading_minutes=2, source_hash="s",
                     view_count=rng.randint(0, 5000), created_at=now, modified_at=now)
                for n in range(997)]
    db.session.execute(insert(Article), articles)
    ids = list(db.session.execute(db.select(Article.id)).scalars())
    statuses = ["approved"] * 6 + ["pending", "spam", "rejected"]
    batch = []
    for n in range(100_000 - 75):
        body = sentence(rng, 12)
        batch.append(dict(article_id=rng.choice(ids), parent_id=None, author_name=f"R{n}", author_email=None,
                          body_raw=body, body_html=f"<p>{body}</p>", status=rng.choice(statuses), flags="",
                          is_clinic=False, created_at=now - dt.timedelta(minutes=n)))
        if len(batch) == 5000:
            db.session.execute(insert(Comment), batch)
            batch = []
    if batch:
        db.session.execute(insert(Comment), batch)
    db.session.commit()
