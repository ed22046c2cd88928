"""The site tried as an attacker would (issue 13): each story failed on the code before the fix."""
import re

import pytest

from blog import ConfigError, create_app
from blog.extensions import db
from blog.core.models import LoginFailure, ModerationEvent
from tests.helpers import PASSWORD, ModeratorActions, browser_client, csrf_token_from, moderate, stored_comments

EVIL = {"Host": "evil.example"}
FORGED_HEADERS = [
    {"Host": "evil.example"},
    {"X-Forwarded-Host": "evil.example"},
    {"Forwarded": "for=1.2.3.4;host=evil.example;proto=https"},
    {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https", "X-Forwarded-Port": "8443"},
]


stored = stored_comments


def audit_lines(app, action):
    with app.app_context():
        return db.session.execute(
            db.select(ModerationEvent).where(ModerationEvent.action == action)).scalars().all()


@pytest.fixture
def slug(make_article):
    return make_article(image="images/migraine-hero.svg", image_alt="woman with migraine")


# 1. Host-header cache poisoning ------------------------------------------------------------------

@pytest.mark.parametrize("forged", FORGED_HEADERS, ids=["host", "x-forwarded-host", "forwarded", "x-forwarded-all"])
def test_a_forged_host_right_after_a_change_never_reaches_the_next_reader(app, client, reader, slug, forged):
    reader.comment(slug, body="a change to the article's comments")
    moderate(app, 1, "approved")  # the cached page is gone: the next request renders it
    poisoner = browser_client(app, "192.0.2.66")
    assert poisoner.get(f"/post/{slug}", headers=forged).status_code == 200
    assert poisoner.get("/", headers=forged).status_code == 200
    for path in (f"/post/{slug}", "/"):
        page = browser_client(app, "198.51.100.1").get(path).get_data(as_text=True)
        assert "evil.example" not in page and "8443" not in page


@pytest.fixture
def behind_a_proxy(app_config):
    app_config["TRUSTED_PROXIES"] = 1
    return app_config


def test_behind_a_proxy_x_forwarded_host_cannot_poison_pages_either(behind_a_proxy, app, slug):
    assert app.config["TRUSTED_PROXIES"] == 1
    browser_client(app, "192.0.2.66").get(f"/post/{slug}", headers={"X-Forwarded-Host": "evil.example"})
    browser_client(app, "192.0.2.66").get("/", headers={"X-Forwarded-Host": "evil.example"})
    for path in (f"/post/{slug}", "/"):
        assert "evil.example" not in browser_client(app, "198.51.100.1").get(path).get_data(as_text=True)


def test_with_site_url_every_reader_gets_the_configured_canonical_address(app, slug):
    app.config["SITE_URL"] = "https://blog.clinic.example"
    first = browser_client(app, "192.0.2.66").get(f"/post/{slug}", headers=EVIL).get_data(as_text=True)
    second = browser_client(app, "198.51.100.1").get(f"/post/{slug}").get_data(as_text=True)
    for page in (first, second):
        assert f'<link rel="canonical" href="https://blog.clinic.example/post/{slug}">' in page
        assert '<meta property="og:image" content="https://blog.clinic.example/static/' in page
        assert "evil.example" not in page


def test_the_fast_path_applies_trusted_hosts_like_flask(app, slug):
    app.config["TRUSTED_HOSTS"] = ["blog.clinic.example"]
    good = browser_client(app, "198.51.100.1")
    assert good.get(f"/post/{slug}", headers={"Host": "blog.clinic.example"}).status_code == 200
    for path in (f"/post/{slug}", "/"):
        refused = browser_client(app, "192.0.2.66").get(path, headers=EVIL)
        assert refused.status_code == 400 and "evil.example" not in refused.get_data(as_text=True)
    page = good.get(f"/post/{slug}", headers={"Host": "blog.clinic.example"}).get_data(as_text=True)
    assert f'href="http://blog.clinic.example/post/{slug}"' in page


def test_many_invented_hosts_all_get_the_same_page(app, slug):
    for n in range(40):
        page = browser_client(app, "192.0.2.66").get(f"/post/{slug}", headers={"Host": f"h{n}.example"})
        assert f"h{n}.example" not in page.get_data(as_text=True)
    plain = browser_client(app, "198.51.100.1").get(f"/post/{slug}").get_data(as_text=True)
    assert ".example" not in plain


def test_a_url_prefix_from_the_request_never_reaches_the_links(app, slug):
    """gunicorn takes a SCRIPT_NAME header from its trusted proxy addresses; every link is built on it."""
    browser_client(app, "192.0.2.66").get(f"/post/{slug}", environ_overrides={"SCRIPT_NAME": "/evil"})
    browser_client(app, "192.0.2.66").get("/", environ_overrides={"SCRIPT_NAME": "/evil"})
    for path in (f"/post/{slug}", "/"):
        page = browser_client(app, "198.51.100.1").get(path).get_data(as_text=True)
        assert "/evil" not in page and 'href="/static/style.css' in page


@pytest.fixture
def under_a_prefix(app_config):
    app_config["SITE_URL"] = "https://clinic.example/blog/"
    return app_config


def test_a_site_under_a_prefix_takes_it_from_site_url(under_a_prefix, app):
    page = browser_client(app, "198.51.100.1").get("/", environ_overrides={"SCRIPT_NAME": "/other"})
    html = page.get_data(as_text=True)
    assert 'href="/blog/static/style.css' in html and "/other" not in html
    assert '<link rel="canonical" href="https://clinic.example/blog/">' in html


# 2. Mail takes its links from configuration -----------------------------------------------------

def test_mail_refuses_to_start_without_the_sites_address(app_config):
    app_config["MAIL_SERVER"] = "127.0.0.1"
    with pytest.raises(ConfigError, match="SITE_URL"):
        create_app(app_config)
    app_config["SITE_URL"] = "https://blog.clinic.example"
    assert create_app(app_config).config["MAIL_SERVER"] == "127.0.0.1"


# 3. Redirect targets with control characters ----------------------------------------------------

@pytest.mark.parametrize("next_url", ["/%0d%0aLocation:%20https://evil.example", "/%0aX-Injected:%201",
                                      "/%0dX-Injected:%201", "/moderation/%09log"])
def test_a_next_with_control_characters_signs_in_to_the_queue(staff, next_url):
    staff.create()
    response = staff.login(next_url=next_url)
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"
    assert "X-Injected" not in response.headers and "evil" not in response.headers["Location"]


def test_a_back_field_with_a_line_break_falls_back_to_the_queue(app, moderator, reader, slug):
    reader.comment(slug)
    response = moderator.post("/moderation/comments", {"one": "approve:1", "back": "/moderation/\r\nX-Injected: 1"})
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/?status=pending"
    assert "X-Injected" not in response.headers
    assert stored(app)[0].status == "approved"


# 4. Huge numbers --------------------------------------------------------------------------------

HUGE = "99999999999999999999999"


def test_a_huge_reply_target_is_a_clear_answer_not_a_server_error(app, reader, slug):
    response = reader.comment(slug, parent_id=HUGE, body="my reply")
    assert response.status_code == 400 and "my reply" in response.get_data(as_text=True)
    assert stored(app) == []
    assert reader.client.get(f"/post/{slug}?reply_to={HUGE}").status_code == 200


@pytest.mark.parametrize("path", [f"/?page={HUGE}", f"/moderation/?page={HUGE}", f"/moderation/comments/{HUGE}",
                                  f"/moderation/log?page={HUGE}", "/?page=%C2%B2", "/?page=-1", "/?page=0"])
def test_huge_numbers_in_urls_are_not_found(moderator, path):
    assert moderator.client.get(path).status_code == 404


def test_a_huge_id_in_a_queue_action_is_refused_and_changes_nothing(app, moderator, reader, slug):
    reader.comment(slug)
    response = moderator.post("/moderation/comments", {"action": "approve", "ids": ["1", HUGE]})
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert stored(app)[0].status == "pending"


# 5. JSON is not a form --------------------------------------------------------------------------

@pytest.mark.parametrize("body", ['{"csrf_token": "%s", "name": "J", "body": "json"}', "[1,2,3]",
                                  '{"name": ["a","b"], "body": {"x": 1}}', '{"name": 12345}'])
def test_a_json_comment_is_refused_and_nothing_is_stored(app, client, slug, body):
    token = csrf_token_from(client.get(f"/post/{slug}").get_data(as_text=True))
    response = client.post(f"/post/{slug}/comments", data=body.replace("%s", token),
                           content_type="application/json")
    assert response.status_code == 415 and "use the form" in response.get_data(as_text=True)
    assert stored(app) == []


def test_staff_endpoints_take_forms_only(app, moderator, reader, slug):
    reader.comment(slug)
    token = moderator.token()
    response = moderator.client.post("/moderation/comments", json={"csrf_token": token, "one": "approve:1"})
    assert response.status_code == 415
    assert stored(app)[0].status == "pending"


# 6. Comments with nothing to read ---------------------------------------------------------------

@pytest.mark.parametrize("body", ["<p></p><br>", "<b></b>", "<p> </p>", "<blockquote></blockquote>",
                                  "<a href='javascript:x'></a>", "\u200b\u200b", "\u3164", "\u2800 \u2800",
                                  "<p>\u200b</p>", "&nbsp;"])
def test_a_comment_with_no_visible_text_is_a_field_error(app, reader, slug, body):
    response = reader.comment(slug, name="Ana", body=body)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "no text that anyone could read" in html
    assert 'value="Ana"' in html
    assert stored(app) == []


def test_a_moderator_cannot_save_an_empty_looking_edit(app, moderator, reader, slug):
    reader.comment(slug, body="the original text")
    token = moderator.token("/moderation/comments/1")
    response = moderator.client.post("/moderation/comments/1/edit",
                                     data={"csrf_token": token, "edit-body": "<b></b>\u200b"})
    assert response.status_code == 400
    assert stored(app)[0].body_raw == "the original text"


# 7. Invisible and filler characters in names ----------------------------------------------------

def test_a_name_of_fillers_is_a_field_error(app, reader, slug):
    response = reader.comment(slug, name="\u200b\u3164\u2800\u115f")
    assert response.status_code == 400 and "Please tell us a name" in response.get_data(as_text=True)
    assert stored(app) == []


def test_fillers_are_stripped_from_names(app, reader, slug):
    assert reader.comment(slug, name="\u3164Alice\u2800").status_code == 303
    assert stored(app)[0].author_name == "Alice"


# 8. Names that pass for the clinic --------------------------------------------------------------

@pytest.mark.parametrize("name", ["Clinic Health Notes", "\u0421linic Health Notes", "\uff23\uff4c\uff49\uff4e\uff49\uff43",
                                  "\u041coderator", "\u0430dmin", "Staff", "Nurse Kim", "NURSE K\u0406M"])
def test_a_reader_name_that_looks_like_staff_is_flagged(app, reader, slug, name):
    from blog.moderation.accounts import create_moderator
    with app.app_context():
        create_moderator("kim@clinic.example", PASSWORD, name="Nurse Kim")
    app.config.update(MODERATION_TRUST_RETURNING=True)
    assert reader.comment(slug, name=name).status_code == 303
    [comment] = stored(app)
    assert "looks like staff" in comment.flag_list and comment.status == "pending"


@pytest.mark.parametrize("name", ["Ana", "Clint", "Kimberly Stafford", "Dr. Lee"])
def test_ordinary_names_are_not_flagged(app, reader, slug, name):
    reader.comment(slug, name=name)
    assert "looks like staff" not in stored(app)[0].flag_list


def test_a_reader_using_the_clinics_name_never_gets_the_clinic_badge(app, reader, other_reader, slug):
    reader.comment(slug, name="Clinic Health Notes", body="trust me")
    moderate(app, 1, "approved")
    page = other_reader.open(slug).get_data(as_text=True)
    assert "trust me" in page and "badge-clinic" not in page


# 9. Bidirectional controls ----------------------------------------------------------------------

def test_bidi_controls_are_stripped_from_bodies_and_each_comment_is_isolated(app, reader, other_reader, slug):
    reader.comment(slug, name="Ana", body="abc\u202egnp.exe\u202c and \u2066x\u2069")
    [comment] = stored(app)
    assert comment.body_raw == "abcgnp.exe and x" and "\u202e" not in comment.body_html
    moderate(app, comment.id, "approved")
    page = other_reader.open(slug).get_data(as_text=True)
    assert '<div class="comment-body" dir="auto"><p>abcgnp.exe and x</p></div>' in page
    assert re.search(r'<bdi class="comment-author"[^>]*>Ana</bdi>', page)


# 10. Throttled sign-ins leave a trace for staff -------------------------------------------------

def test_throttled_sign_ins_are_logged_by_account_and_shown_to_admins(app):
    admin = ModeratorActions(app, browser_client(app, "192.0.2.10"))
    admin.create(email="admin@clinic.example", admin=True, name="Admin Ada")
    admin.create(email="nurse@clinic.example", name="Nurse Kim")
    attacker = ModeratorActions(app, browser_client(app, "203.0.113.250"))
    for n in range(7):
        attacker.login(email="nurse@clinic.example", password=f"guess {n}")
    [line] = audit_lines(app, "sign-in throttled")
    assert "nurse@clinic.example" in line.note and "203.0.113.250" not in line.note
    admin.login(email="admin@clinic.example")
    dashboard = admin.client.get("/moderation/dashboard").get_data(as_text=True)
    assert "Sign-ins were paused 1 time" in dashboard and "nurse@clinic.example" in dashboard
    log = admin.client.get("/moderation/log").get_data(as_text=True)
    assert "sign-in throttled" in log and "203.0.113.250" not in log


def test_the_warning_is_for_admins_only(app):
    nurse = ModeratorActions(app, browser_client(app, "192.0.2.10"))
    nurse.create()
    attacker = ModeratorActions(app, browser_client(app, "203.0.113.250"))
    for n in range(5):
        attacker.login(password=f"guess {n}")
    with app.app_context():  # the pause is over
        db.session.execute(db.delete(LoginFailure))
        db.session.commit()
    nurse.login()
    assert "Sign-ins were paused" not in nurse.client.get("/moderation/dashboard").get_data(as_text=True)


# 11. A cross-site Referer -----------------------------------------------------------------------

@pytest.mark.parametrize("headers,accepted", [
    ({"Referer": "https://evil.example/page"}, False),
    ({"Origin": "null"}, False),
    ({"Referer": "http://localhost/post/x"}, True),
    ({}, True),
])
def test_a_referer_naming_another_site_is_refused_without_browser_signals(app, reader, slug, headers, accepted):
    response = reader.comment(slug, body="from where?", headers=headers)
    assert response.status_code == (303 if accepted else 400)
    assert len(stored(app)) == (1 if accepted else 0)
