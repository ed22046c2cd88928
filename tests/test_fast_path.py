"""The cookieless reader's article page, answered before Flask (blog/perf/fastpath.py): the same page,
the same headers, every view counted once, and everything else left to Flask."""
import pytest
from flask import request

from blog import create_app
from blog.extensions import db
from tests.helpers import BROWSER_UA, view_count, visits_stored

SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"


def requests_flask_handled(app) -> list[str]:
    """The paths of the requests that reached Flask's own request handling."""
    seen: list[str] = []
    app.before_request_funcs.setdefault(None, []).append(lambda: seen.append(request.path))
    return seen


def visit(client, n: int, path: str = f"/post/{SLUG}", **kwargs):
    return client.get(path, headers={"User-Agent": BROWSER_UA}, environ_overrides={"REMOTE_ADDR": f"198.51.100.{n}"},
                      **kwargs)


def comparable(response) -> tuple:
    headers = [(k, v) for k, v in response.headers.items() if k not in ("X-Request-ID", "Date")]
    return response.status_code, headers, response.get_data(as_text=True).replace("2 views", "N views")


def test_readers_without_a_cookie_are_answered_before_flask_with_the_page_flask_would_send(app, make_article):
    make_article()
    flask_saw = requests_flask_handled(app)
    client = app.test_client()
    first = visit(client, 1)  # not rendered yet: counted here, rendered by Flask, counted once
    assert first.status_code == 200 and "1 view ·" in first.get_data(as_text=True)
    assert flask_saw == [f"/post/{SLUG}"] and view_count(app, SLUG) == 1
    second = visit(client, 2)
    assert flask_saw == [f"/post/{SLUG}"]  # served from the page cache without Flask
    assert "2 views ·" in second.get_data(as_text=True)
    assert view_count(app, SLUG) == 2 and visits_stored(app) == 2

    app.config["ARTICLE_FAST_PATH"] = False
    with app.app_context():  # the same count again, so the two pages can be compared byte for byte
        db.session.execute(db.text("UPDATE article SET view_count = 1"))
        db.session.commit()
    through_flask = visit(client, 3)
    assert flask_saw[-1] == f"/post/{SLUG}" and len(flask_saw) == 2
    assert comparable(through_flask) == comparable(second)
    assert through_flask.headers["X-Request-ID"] and second.headers["X-Request-ID"]
    assert second.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("case, kwargs", [
    ("a reply form (query string)", {"query_string": {"reply_to": "1"}}),
    ("a HEAD request", {"method": "HEAD"}),
])
def test_other_requests_for_the_article_go_to_flask(app, make_article, case, kwargs):
    make_article()
    client = app.test_client()
    visit(client, 1)
    flask_saw = requests_flask_handled(app)
    method = kwargs.pop("method", "GET")
    response = client.open(f"/post/{SLUG}", method=method, headers={"User-Agent": BROWSER_UA},
                           environ_overrides={"REMOTE_ADDR": "198.51.100.2"}, **kwargs)
    assert response.status_code == 200 and flask_saw == [f"/post/{SLUG}"], case


def test_a_reader_with_a_session_goes_to_flask_and_sees_their_pending_comment(app, reader, make_article):
    make_article()
    reader.open(SLUG)
    reader.comment(SLUG, body="Does this help with cluster headaches too?")
    flask_saw = requests_flask_handled(app)
    page = reader.open(SLUG).get_data(as_text=True)
    assert flask_saw == [f"/post/{SLUG}"] and "Does this help with cluster headaches too?" in page


def test_an_unknown_article_gets_flasks_404_page_and_counts_nothing(app, make_article):
    make_article()
    response = visit(app.test_client(), 1, path="/post/no-such-article")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)
    assert visits_stored(app) == 0


def test_when_the_database_is_gone_the_reader_gets_flasks_error_page(app_config, tmp_path):
    if app_config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app_config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"
    else:
        app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path}/missing-dir/blog.sqlite"
    app_config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the error page, not the exception
    response = visit(create_app(app_config).test_client(), 1)
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "<html" in body and "Traceback" not in body


def test_the_index_is_answered_before_flask_with_the_same_page_headers_and_etag(app, make_article):
    make_article()
    flask_saw = requests_flask_handled(app)
    client = app.test_client()
    first = visit(client, 1, path="/")  # not rendered yet: Flask renders it
    second = visit(client, 2, path="/")
    assert flask_saw == ["/"] and second.status_code == 200
    assert comparable(first) == comparable(second) and "0 views" in second.get_data(as_text=True)
    assert second.headers["ETag"] == first.headers["ETag"] and second.headers["Date"]
    unchanged = client.get("/", headers={"If-None-Match": second.headers["ETag"]})
    assert unchanged.status_code == 304 and flask_saw == ["/", "/"]  # conditional requests: Flask
    assert visit(client, 3, path="/", query_string={"page": "1"}).status_code == 200 and len(flask_saw) == 3


@pytest.mark.only_on("postgresql")  # a SQLite connection is a file handle: nothing to drop
def test_a_lost_database_connection_costs_the_reader_nothing_and_counts_the_view_once(app, make_article):
    """PostgreSQL restarted or a connection dropped: the hot connection fails, is replaced, and
    the request is answered by Flask on a new one."""
    make_article()
    client = app.test_client()
    visit(client, 1)
    with app.app_context():
        with db.engine.connect() as admin:
            dropped = admin.execute(db.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    assert dropped >= 1
    page = visit(client, 2)
    assert page.status_code == 200 and "2 views ·" in page.get_data(as_text=True)
    assert view_count(app, SLUG) == 2
