"""Blueprint for readers: the index, article pages with their comments, and the comment POST."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from blog.core.i18n import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import Markup

from blog.core.articles import get_published_article, index_page_state, published_articles_query
from blog.readers.comment_tokens import CROSS_SITE, comment_token
from blog.readers.comment_service import CommentRejected, submit_comment, visible_threads
from blog.core.errors import render_error
from blog.extensions import csrf, db, limiter
from blog.readers.forms import CommentForm
from blog.readers.old_links import redirect_old_link
from blog.perf.page_cache import comment_blocks, hole
from blog.core.models import Article, Comment, CommentStatus
from blog.readers.pageviews import open_article
from blog.readers.privacy_notice import notice_version, privacy_notice
from blog.core.privacy import client_address
from blog.perf.shared_pages import (
    OPENED_KEY, article_comments_open, article_headers, cache_key, everyones_index, everyones_page, index_headers,
)
from blog.core.i18n import views_text as count_views
from blog.core.personal_data import find_personal_information
from blog.core.rules import as_list, crisis_message, is_crisis
from blog.core.urls import page_number, parse_id
from blog.readers.visitors import is_signed_in, nothing_of_their_own, own_comment_ids, remember_own_comment

bp = Blueprint("reader", __name__)

THANKS = _l("Thanks! Your comment is awaiting moderation.")
NOTICES_ASKED = _l("About emails: if your address has not confirmed them yet, we have emailed it a link. "
                   "Nothing is sent until you open it and confirm.")


@bp.get("/")
def index():
    """Published articles, newest first, ten a page.

    Like the article page: a light query finds the page's articles and their versions; the
    rendered page comes from the per-worker cache with each article's view count filled in.
    Cookieless readers of the first page are answered before Flask by blog.perf.fastpath."""
    if "p" in request.args:  # WordPress's /?p=123: an imported article's old address
        return redirect_old_link() or abort(404)
    page = page_number(request.args.get("page"))
    per_page = current_app.config["ARTICLES_PER_PAGE"]
    if page is None:
        abort(404)
    total, rows = index_page_state(page, per_page)
    if not rows and page != 1:
        abort(404)
    if nothing_of_their_own():
        body = everyones_index(page, per_page, total, rows, render=lambda: _render_index(page, per_page, holes=True))
    else:
        body = _render_index(page, per_page).encode()
    return make_response(body, 200, index_headers(body)).make_conditional(request)


def _render_index(page: int, per_page: int, holes: bool = False) -> str:
    pagination = db.paginate(published_articles_query(), page=page, per_page=per_page, error_out=False)
    views = {a.id: hole(f"views:{a.id}") if holes else count_views(a.view_count) for a in pagination.items}
    return render_template("index.html", pagination=pagination, views_text=views)


def _render_comments(article: Article, own_ids: list[int], is_open: bool) -> Markup:
    threads = visible_threads(article.id, own_ids)
    return Markup(render_template("_comments.html", article=article, threads=threads, comments_open=is_open))


def _comments_block(article: Article, is_open: bool) -> Markup:
    """The comment list: from the per-worker cache, unless this reader has pending comments of their own."""
    own_ids = own_comment_ids()
    if own_ids:
        return _render_comments(article, own_ids, is_open)
    key = cache_key("comments", article.id, article.comments_version, is_open)
    return Markup(comment_blocks.get_or_render(key, lambda: _render_comments(article, [], is_open)))


def _reply_target(article: Article, parent_id) -> Comment | None:
    """The approved comment of this article a reply is for, if the form names one."""
    target_id = parse_id(parent_id)
    if target_id is None:
        return None
    target = db.session.get(Comment, target_id)
    if target is None or target.article_id != article.id or target.status != CommentStatus.APPROVED.value:
        return None
    return target


def render_article(article: Article, form: CommentForm | None = None, status: int = 200,
                   form_message: str | None = None, view_count: int | None = None,
                   csrf_value: str | None = None, views_text: str | None = None, personal_findings=()):
    """The article page; with a failed form (or personal details to confirm), the same page re-filled
    with the reader's input."""
    form = form or CommentForm.for_article(article.id)
    showing = request.method != "POST"  # a page being read, not a sent form shown again
    if showing and not form.parent_id.data:
        reply_to = parse_id(request.args.get("reply_to"))
        if reply_to:
            form.parent_id.data = str(reply_to)
    reply_target = _reply_target(article, form.parent_id.data)
    if reply_target is None and showing:
        form.parent_id.data = ""
    is_open = article_comments_open(article)
    views = article.view_count if view_count is None else view_count
    html = render_template(
        "article.html",
        article=article,
        comments_html=_comments_block(article, is_open),
        form=form,
        form_message=form_message,
        reply_target=reply_target,
        comments_open=is_open,
        csrf_value=csrf_value or comment_token(article.id),
        views_text=views_text or count_views(views),
        personal_findings=personal_findings,
    )
    return html, status


def _load_article(article_id: int) -> Article:
    return db.session.get(Article, article_id)


@bp.get("/post/<slug>")
def article(slug: str):
    """One article; a GET that finds it records a view (HEAD, bots and moderators do not).

    The hot path: one short transaction reads the few columns the page needs and records the
    view; a reader who gets the same page as everyone is served from the per-worker page cache
    (keyed by the article's versions, so never stale), with the form token and count filled in.
    Most such readers are answered before Flask by blog.perf.fastpath, with the same page and headers."""
    opened = request.environ.pop(OPENED_KEY, None)
    if opened is None:
        counting = request.method == "GET" and not is_signed_in()
        opened = open_article(
            slug, (client_address(), request.headers.get("User-Agent", "")) if counting else None,
            window_minutes=current_app.config["VIEW_DEDUPE_MINUTES"],
        )
    if opened is None:
        abort(404)
    state = opened[0]
    if nothing_of_their_own() and not request.args.get("reply_to"):
        body = everyones_page(state, render=lambda: render_article(
            _load_article(state.id), csrf_value=hole("csrf"), views_text=hole("views"))[0])
    else:
        body = render_article(_load_article(state.id), view_count=state.view_count)[0].encode()
    return make_response(body, 200, article_headers(state, body))


@bp.get("/privacy")
def privacy():
    """The clinic's privacy notice: instance/privacy.md, or a default that says what this site stores."""
    return render_template("privacy.html", notice=privacy_notice())


def _comment_rate_limit() -> str:
    return current_app.config["COMMENT_RATE_LIMIT"]


@csrf.exempt  # the form checks its own token and origin (blog.readers.comment_tokens): no session needed
@bp.post("/post/<slug>/comments")
@limiter.limit(_comment_rate_limit)
def post_comment(slug: str):
    """Accept a reader comment into the moderation queue (Post/Redirect/Get)."""
    request.form  # an oversized body is answered 413 before anything else, as for every form
    opened = open_article(slug)
    if opened is None:
        abort(404)
    state = opened[0]
    if not article_comments_open(state):
        answer_a_reader_in_danger()
        abort(403, description=_("Comments are closed on this article."))
    form = CommentForm.for_article(state.id)
    valid = form.validate_on_submit()
    if form.token_errors():
        raise CSRFError(form.token_errors()[0])
    if not valid:
        answer_a_reader_in_danger()
        return render_article(_load_article(state.id), form, status=400,
                              form_message=_("Your comment was not sent yet. Please check the fields marked below."))
    text = f"{form.name.data}\n{form.body.data}"
    findings = find_personal_information(text, current_app.config["PHONE_REGION"])
    # A reader who may be in danger is never held back by the question: the comment is stored (held
    # for moderation, flagged) and they get the crisis message at once.
    urgent = is_crisis(text, as_list(current_app.config.get("CRISIS_PHRASES")))
    if findings and not urgent and request.form.get("send_anyway") != "yes":
        # Nothing is stored until the reader has seen what would become public and chosen.
        return render_article(_load_article(state.id), form, status=200, personal_findings=findings)
    try:
        comment = submit_comment(
            state,
            name=form.name.data,
            email=form.email.data or None,
            body=form.body.data,
            parent_id=parse_id(form.parent_id.data),
            honeypot_filled=bool((form.website.data or "").strip()),
            rules_config=current_app.config,
            notice_version=notice_version(),
            notify_email=form.email.data if form.wants_notices() else None,
        )
    except CommentRejected as exc:
        form.parent_id.errors = [str(exc)]
        answer_a_reader_in_danger()
        return render_article(_load_article(state.id), form, status=400, form_message=str(exc))
    if comment.status == "pending":
        remember_own_comment(comment.id)
    if comment.urgent:  # someone may be in danger: the way to help comes first, before any thanks, in view
        flash(crisis_message(), "crisis")
    flash(str(THANKS), "success")
    if form.wants_notices():  # the same words whatever the address's state: they must not tell who follows
        flash(str(NOTICES_ASKED), "success")
    anchor = "crisis" if comment.urgent else f"comment-{comment.id}"
    return redirect(url_for(".article", slug=comment.article_slug, _anchor=anchor), code=303)


def answer_a_reader_in_danger() -> None:
    """Whatever is wrong with the form (a field, an expired page, too many comments), a reader who
    wrote of being in danger sees where to get help first, on the page that answers them."""
    text = f"{request.form.get('name', '')}\n{request.form.get('body', '')}"
    if is_crisis(text, as_list(current_app.config.get("CRISIS_PHRASES"))):
        flash(crisis_message(), "crisis")


def _refill_after_error(error, status: int, message: str):
    """On the comment POST, answer an error with the article and the reader's text kept."""
    if request.endpoint != "reader.post_comment":
        return None
    found = get_published_article(request.view_args.get("slug", ""))
    if found is None or not article_comments_open(found):
        return None
    form = CommentForm.for_article(found.id)  # re-filled from request.form; the page gets a fresh token
    answer_a_reader_in_danger()
    return render_article(found, form, status=status, form_message=message)


@bp.app_errorhandler(CSRFError)
def csrf_error(error):
    """A missing or bad token: usually an old page. Unreadable bodies (bad UTF-8) end up here too."""
    if request.content_length and not request.form:
        return render_template(
            "error.html", code=400, title=_("We could not read what you sent"),
            message=_("Your browser sent text that is not valid UTF-8, so nothing was saved. "
                      "Go back, check the text and try again.")), 400
    if error.description == CROSS_SITE:
        return render_template(
            "error.html", code=400, title=_("This form was sent from another site"),
            message=_("Comments can only be sent from this site's own article pages, so nothing was saved. "
                      "Open the article here, write your comment and send it again.")), 400
    refilled = _refill_after_error(
        error, 400, _("This form expired before it was sent, so your comment was not saved. "
                      "Your text is still below: please send it again."))
    if refilled is not None:
        return refilled
    return render_template(
        "error.html", code=400, title=_("This form has expired"),
        message=_("The page was open too long before the form was sent. "
                  "Go back, reload the page and try again.")), 400


@bp.errorhandler(429)
def too_many_comments(error):
    refilled = _refill_after_error(
        error, 429, _("You are sending comments faster than we allow. "
                      "Please wait a minute and send it again: your text is kept below."))
    if refilled is not None:
        return refilled
    return render_error(error)
