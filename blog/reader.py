"""Blueprint for readers: the index, article pages with their comments, and the comment POST."""
from __future__ import annotations

from flask import (
    Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, session, url_for,
)
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from blog.articles import approved_comment_counts, get_published_article, published_articles_query
from blog.errors import render_error
from blog.comments import CommentRejected, comments_open, submit_comment, visible_threads
from blog.extensions import db, limiter
from blog.forms import CommentForm
from blog.models import Article
from blog.notify import notify_new_comment
from blog.pageviews import record_view
from blog.privacy import client_address

bp = Blueprint("reader", __name__)

OWN_COMMENTS_KEY = "own_comments"
OWN_COMMENTS_KEPT = 20
THANKS = "Thanks! Your comment is awaiting moderation."


@bp.get("/")
def index():
    """Published articles, newest first, ten a page."""
    page = request.args.get("page", 1, type=int)
    pagination = db.paginate(
        published_articles_query(), page=page, per_page=current_app.config["ARTICLES_PER_PAGE"],
        max_per_page=50, error_out=True,
    )
    counts = approved_comment_counts([a.id for a in pagination.items])
    response = make_response(render_template("index.html", pagination=pagination, comment_counts=counts))
    response.add_etag()
    return response.make_conditional(request)


def _own_comment_ids() -> list[int]:
    ids = session.get(OWN_COMMENTS_KEY, [])
    return [i for i in ids if isinstance(i, int)]


def _remember_own_comment(comment_id: int) -> None:
    session[OWN_COMMENTS_KEY] = (_own_comment_ids() + [comment_id])[-OWN_COMMENTS_KEPT:]


def _comments_open(article: Article) -> bool:
    return comments_open(article, current_app.config.get("COMMENTS_CLOSE_AFTER_DAYS"))


def render_article(article: Article, form: CommentForm | None = None, status: int = 200,
                   form_message: str | None = None):
    """The article page; with a failed form, the same page re-filled with the reader's input."""
    form = form or CommentForm()
    reply_to = None
    if status == 200 and not form.parent_id.data:
        reply_to = request.args.get("reply_to", type=int)
        if reply_to:
            form.parent_id.data = str(reply_to)
    threads = visible_threads(article.id, _own_comment_ids())
    reply_target = None
    if form.parent_id.data and str(form.parent_id.data).isdigit():
        wanted = int(form.parent_id.data)
        reply_target = next(
            (c for t in threads for c in [t.comment, *t.replies] if c.id == wanted and c.status == "approved"),
            None,
        )
        if reply_target is None and status == 200:
            form.parent_id.data = ""
    html = render_template(
        "article.html",
        article=article,
        threads=threads,
        comment_count=approved_comment_counts([article.id]).get(article.id, 0),
        form=form,
        form_message=form_message,
        reply_target=reply_target,
        comments_open=_comments_open(article),
    )
    return html, status


@bp.get("/post/<slug>")
def article(slug: str):
    """One article; a GET that finds it records a view (HEAD, bots and moderators do not)."""
    found = get_published_article(slug)
    if found is None:
        abort(404)
    if request.method == "GET" and not current_user.is_authenticated:
        record_view(
            found.id, client_address(), request.headers.get("User-Agent", ""),
            window_minutes=current_app.config["VIEW_DEDUPE_MINUTES"],
        )
    response = make_response(render_article(found))
    # The page holds this visitor's form token and own pending comments: never a shared cache.
    response.headers["Cache-Control"] = "private, no-cache"
    response.last_modified = found.modified_at
    return response


def _comment_rate_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


@bp.post("/post/<slug>/comments")
@limiter.limit(_comment_rate_limit)
def post_comment(slug: str):
    """Accept a reader comment into the moderation queue (Post/Redirect/Get)."""
    found = get_published_article(slug)
    if found is None:
        abort(404)
    if not _comments_open(found):
        abort(403, description="Comments are closed on this article.")
    form = CommentForm()
    if not form.validate_on_submit():
        return render_article(found, form, status=400,
                              form_message="Your comment was not sent yet. Please check the fields marked below.")
    try:
        comment = submit_comment(
            found,
            name=form.name.data,
            email=form.email.data or None,
            body=form.body.data,
            parent_id=int(form.parent_id.data) if form.parent_id.data else None,
            honeypot_filled=bool((form.website.data or "").strip()),
            rules_config=current_app.config,
        )
    except CommentRejected as exc:
        form.parent_id.errors = [str(exc)]
        return render_article(found, form, status=400, form_message=str(exc))
    if comment.status == "pending":
        _remember_own_comment(comment.id)
        notify_new_comment(comment, url_for("moderation.queue", _external=True))
    flash(THANKS, "success")
    return redirect(url_for(".article", slug=found.slug, _anchor=f"comment-{comment.id}"), code=303)


def _refill_after_error(error, status: int, message: str):
    """On the comment POST, answer an error with the article and the reader's text kept."""
    if request.endpoint != "reader.post_comment":
        return None
    found = get_published_article(request.view_args.get("slug", ""))
    if found is None or not _comments_open(found):
        return None
    form = CommentForm()  # re-filled from request.form; the page gets a fresh token
    return render_article(found, form, status=status, form_message=message)


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    """A missing or bad token: usually an old page. Unreadable bodies (bad UTF-8) end up here too."""
    if request.content_length and not request.form:
        return render_template(
            "error.html", code=400, title="We could not read what you sent",
            message="Your browser sent text that is not valid UTF-8, so nothing was saved. "
                    "Go back, check the text and try again."), 400
    refilled = _refill_after_error(
        error, 400, "This form expired before it was sent, so your comment was not saved. "
                    "Your text is still below: please send it again.")
    if refilled is not None:
        return refilled
    return render_template(
        "error.html", code=400, title="This form has expired",
        message="The page was open too long or your browser blocked its cookie. "
                "Go back, reload the page and try again."), 400


@bp.errorhandler(429)
def too_many_comments(error):
    refilled = _refill_after_error(
        error, 429, "You are sending comments faster than we allow. "
                    "Please wait a minute and send it again: your text is kept below.")
    if refilled is not None:
        return refilled
    return render_error(error)
