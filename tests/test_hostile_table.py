"""A table of hostile requests for every endpoint: odd numbers, bodies that are not forms, line breaks
where a header could be built, forged host headers. Each gets a 4xx (or its normal page), never a
500, and stores nothing. The requests come from a signed-in admin, so staff views are reached too."""
from __future__ import annotations

import pytest

from blog.extensions import db
from blog.core.models import Article, Comment, LoginFailure, ModerationEvent, Moderator
from tests.helpers import PASSWORD, csrf_token_from

NUMBERS = ["0", "-1", str(2**31 - 1), str(2**31), str(2**63), str(10**30), "1e3", "\u00b2", " 1", "0x10", ""]
INVALID_IDS = [n for n in NUMBERS if n != str(2**31 - 1)]  # the largest id that fits is a valid number
SLUG = "exploring-ketamine-as-a-promising-migraine-treatment"
FORGED_HOSTS = [{"Host": "evil.example"}, {"X-Forwarded-Host": "evil.example"},
                {"Forwarded": "host=evil.example;proto=https"}, {"X-Forwarded-Proto": "https"}]


def snapshot(app) -> list:
    """Everything a hostile request could have changed."""
    with app.app_context():
        rows = []
        for model, columns in ((Comment, ("id", "status", "body_raw", "author_name", "parent_id")),
                               (Article, ("id", "comments_open", "comment_count", "comments_version")),
                               (Moderator, ("id", "disabled", "session_generation", "name")),
                               (ModerationEvent, ("id",))):
            for obj in db.session.execute(db.select(model).order_by(model.id)).scalars():
                rows.append((model.__name__, *(getattr(obj, c) for c in columns)))
        return rows


@pytest.fixture
def scene(app, make_article, reader, moderator):
    """An article with a pending and an approved comment, and a signed-in admin."""
    make_article()
    reader.comment(SLUG, body="pending one")
    reader.comment(SLUG, body="approved one")
    moderator.act("approve", 2)
    with app.app_context():
        db.session.execute(db.delete(LoginFailure))
        db.session.get(Moderator, 1).is_admin = True
        db.session.commit()
    return moderator


def assert_harmless(response, what: str):
    assert response.status_code < 500, f"{what}: {response.status_code}"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body and "evil.example" not in body, what
    for name, value in response.headers.items():
        assert "\n" not in value and "\r" not in value and "X-Injected" not in name, what


NUMERIC_GETS = ["/?page={n}", f"/post/{SLUG}?reply_to={{n}}", "/moderation/?page={n}",
                "/moderation/?status=spam&page={n}", "/moderation/comments/{n}", "/moderation/log?page={n}",
                "/moderation/log?moderator={n}", "/moderation/log?article={n}&page=1"]


@pytest.mark.parametrize("template", NUMERIC_GETS)
def test_numbers_in_query_strings_and_paths(app, scene, template):
    before = snapshot(app)
    for number in NUMBERS:
        response = scene.client.get(template.format(n=number))
        assert_harmless(response, template.format(n=number))
        assert response.status_code in (200, 404), template.format(n=number)
    assert snapshot(app) == before


NUMERIC_POSTS = [
    ("/moderation/comments", lambda n: {"one": f"approve:{n}"}),
    ("/moderation/comments", lambda n: {"action": "reject", "ids": ["1", n]}),
    ("/moderation/comments/delete", lambda n: {"confirm": "yes", "ids": [n]}),
    ("/moderation/comments/{n}/edit", lambda n: {"edit-body": "changed"}),
    ("/moderation/comments/{n}/reply", lambda n: {"reply-body": "a reply"}),
    ("/moderation/articles/{n}/comments", lambda n: {"open": "no"}),
    ("/moderation/moderators/{n}/disable", lambda n: {}),
]


@pytest.mark.parametrize("path,fields", NUMERIC_POSTS, ids=[p + str(i) for i, (p, _) in enumerate(NUMERIC_POSTS)])
def test_numbers_in_staff_forms(app, scene, path, fields):
    before = snapshot(app)
    for number in INVALID_IDS:
        response = scene.post(path.format(n=number), fields(number))
        assert_harmless(response, f"{path} {number!r}")
        assert response.status_code in (400, 404), f"{path} {number!r}: {response.status_code}"
    assert snapshot(app) == before


def test_numbers_as_a_comments_reply_target(app, scene, reader):
    before = snapshot(app)
    for number in INVALID_IDS[:-1]:
        response = reader.comment(SLUG, parent_id=number, body="a reply to nothing")
        assert_harmless(response, number)
        assert response.status_code == 400 and "a reply to nothing" in response.get_data(as_text=True), number
    assert snapshot(app) == before


POSTS = [f"/post/{SLUG}/comments", "/moderation/login", "/moderation/logout", "/moderation/comments",
         "/moderation/comments/delete", "/moderation/comments/1/edit", "/moderation/comments/1/reply",
         "/moderation/articles/1/comments", "/moderation/moderators", "/moderation/moderators/1/disable"]
BODIES = [("application/json", '{"csrf_token": "%s", "name": "J", "body": "json", "one": "approve:1"}'),
          ("application/json", "[1,2,3]"), ("application/json", '{"name": ["a","b"], "body": {"x": 1}}'),
          ("application/json", '{"name": 12345}'), ("text/plain", "name=J&body=text&one=approve:1"),
          ("application/xml", "<a/>"), (None, "")]


@pytest.mark.parametrize("path", POSTS)
def test_bodies_that_are_not_forms(app, scene, path):
    token = scene.token()
    before = snapshot(app)
    for content_type, body in BODIES:
        kwargs = {"content_type": content_type} if content_type else {}
        response = scene.client.post(path, data=body.replace("%s", token), **kwargs)
        assert_harmless(response, f"{path} {content_type} {body}")
        assert 400 <= response.status_code < 500, f"{path} {content_type}: {response.status_code}"
    assert snapshot(app) == before


@pytest.mark.parametrize("target", ["/%0d%0aX-Injected:%201", "/%0aX-Injected:%201", "/%0dX-Injected:%201",
                                    "/moderation/%0d%0aX-Injected:%201", "//evil.example", "/%5cevil.example",
                                    "https:evil.example", "/%E2%80%AEmoderation"])
def test_line_breaks_in_redirect_targets(app, scene, target):
    from urllib.parse import unquote
    scene.client.post("/moderation/logout", data={"csrf_token": scene.token()})
    page = scene.client.get("/moderation/login")
    response = scene.client.post(f"/moderation/login?next={target}", data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)), "email": "nurse@clinic.example",
        "password": PASSWORD})
    assert_harmless(response, target)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == "/moderation/" or (location.startswith("/") and not location.startswith("//")), location
    back = scene.post("/moderation/comments", {"one": "approve:1", "back": unquote(target)})
    assert_harmless(back, target)
    assert back.status_code == 303 and "evil" not in back.headers["Location"]


GETS = ["/", f"/post/{SLUG}", f"/post/{SLUG}?reply_to=2", "/feed.xml", "/sitemap.xml", "/robots.txt",
        "/healthz", "/favicon.ico", "/no-such-page", "/post/no-such-article", "/moderation/login"]


@pytest.mark.parametrize("path", GETS)
def test_forged_host_headers_change_nothing_anyone_sees(app, scene, client, path):
    for headers in FORGED_HOSTS:
        assert_harmless(client.get(path, headers=headers), f"{path} {headers}")
    for staff_path in ("/moderation/", "/moderation/comments/1", "/moderation/dashboard"):
        for headers in FORGED_HOSTS:
            assert_harmless(scene.client.get(staff_path, headers=headers), f"{staff_path} {headers}")
    assert "evil.example" not in client.get(path).get_data(as_text=True)


def test_a_request_id_with_a_line_break_is_replaced(client):
    response = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": "abc\n"})
    assert response.headers["X-Request-ID"] != "abc\n" and len(response.headers["X-Request-ID"]) == 16


@pytest.mark.parametrize("path", ["/%00", "/post/a%00b", f"/post/{SLUG}%00", "/moderation/comments/1%00",
                                  "/2023/%00/old-post/", "/feed.xml%00"])
def test_a_nul_in_the_path_is_refused_before_any_query(app, scene, path):
    for client in (scene.client, app.test_client()):
        response = client.get(path)
        assert_harmless(response, path)
        assert response.status_code in (302, 400, 404), path  # 302: staff paths send strangers to sign in


def test_a_nul_in_a_sign_in_email_is_a_failed_sign_in(app, scene):
    page = app.test_client().get("/moderation/login")
    response = app.test_client().post("/moderation/login", data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)), "email": "nurse\x00@clinic.example",
        "password": PASSWORD})
    assert_harmless(response, "nul email")
    assert response.status_code in (400, 401)
