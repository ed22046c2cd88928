"""Every moderation URL refuses anyone without a session, and every state change needs a CSRF token."""
import pytest

from blog.extensions import db
from blog.core.models import Comment, ModerationEvent
from tests.helpers import ModeratorActions, browser_client

PAGES = ["/moderation/", "/moderation/?status=spam", "/moderation/dashboard", "/moderation/log",
         "/moderation/moderators", "/moderation/comments/1"]
ACTIONS = ["/moderation/comments", "/moderation/comments/delete", "/moderation/comments/1/edit",
           "/moderation/comments/1/reply", "/moderation/articles/1/comments", "/moderation/moderators",
           "/moderation/moderators/1/disable", "/moderation/logout"]


@pytest.fixture
def pending_comment(app, reader, make_article):
    slug = make_article()
    reader.comment(slug, body="Waiting")
    with app.app_context():
        return db.session.execute(db.select(Comment.id)).scalar_one()


def everything(app):
    with app.app_context():
        comments = [(c.id, c.status, c.body_raw) for c in db.session.execute(db.select(Comment)).scalars()]
        events = db.session.execute(db.select(db.func.count()).select_from(ModerationEvent)).scalar_one()
    return comments, events


@pytest.mark.parametrize("path", PAGES)
def test_pages_without_a_session_redirect_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].startswith("/moderation/login?next=")


@pytest.mark.parametrize("path", ACTIONS)
def test_actions_without_a_session_are_refused_and_change_nothing(app, client, reader, pending_comment, path):
    before = everything(app)
    token = reader.open("exploring-ketamine-as-a-promising-migraine-treatment")
    from tests.helpers import csrf_token_from
    data = {"csrf_token": csrf_token_from(token.get_data(as_text=True)), "one": f"approve:{pending_comment}",
            "ids": str(pending_comment), "confirm": "yes", "edit-body": "x", "reply-body": "x", "open": "no"}
    assert reader.client.post(path, data=data).status_code == 401
    assert client.post(path, data={"one": f"approve:{pending_comment}"}).status_code == 401
    assert everything(app) == before


@pytest.mark.parametrize("path", [p for p in ACTIONS if p != "/moderation/logout"])
def test_actions_without_a_csrf_token_are_refused(app, moderator, pending_comment, path):
    before = everything(app)
    response = moderator.client.post(path, data={"one": f"approve:{pending_comment}", "ids": str(pending_comment),
                                                  "confirm": "yes", "edit-body": "x", "reply-body": "x"})
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert everything(app) == before


def test_logout_needs_a_csrf_token(moderator):
    assert moderator.client.post("/moderation/logout").status_code == 400
    assert moderator.client.get("/moderation/").status_code == 200


def test_a_moderator_who_is_not_admin_cannot_manage_moderators(app, moderator):
    assert moderator.client.get("/moderation/moderators").status_code == 403
    assert moderator.post("/moderation/moderators", {"email": "x@clinic.example", "password": "p" * 12}).status_code == 403
    assert moderator.post("/moderation/moderators/1/disable").status_code == 403
    assert "Moderators</a>" not in moderator.client.get("/moderation/").get_data(as_text=True)


def test_an_admin_adds_and_disables_moderators(app):
    admin = ModeratorActions(app, browser_client(app, "192.0.2.30"))
    admin.create(email="lead@clinic.example", admin=True)
    admin.login(email="lead@clinic.example")
    response = admin.post("/moderation/moderators", {"email": "new@clinic.example", "name": "New",
                                                     "password": "long enough password"}, token_from="/moderation/moderators")
    assert response.status_code == 303
    new = ModeratorActions(app, browser_client(app, "192.0.2.31"))
    assert new.login(email="new@clinic.example", password="long enough password").status_code == 303
    with app.app_context():
        from blog.moderation.accounts import find_moderator
        new_id = find_moderator("new@clinic.example").id
    assert admin.post(f"/moderation/moderators/{new_id}/disable", token_from="/moderation/moderators").status_code == 303
    assert new.client.get("/moderation/").status_code == 302
    short = admin.post("/moderation/moderators", {"email": "b@clinic.example", "password": "short"},
                       token_from="/moderation/moderators")
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
