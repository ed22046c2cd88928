"""Moderator accounts and sign-in: hashing, same answer for unknown users, throttling, revocable sessions."""
import pytest

from blog.extensions import db
from blog.core.models import Moderator
from tests.helpers import PASSWORD, ModeratorActions, browser_client



def test_create_moderator_reads_the_password_from_stdin_and_stores_only_a_hash(app, runner):
    result = runner.invoke(args=["create-moderator", "Lead@Clinic.example", "--name", "Dr Lead", "--admin",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    with app.app_context():
        moderator = db.session.execute(db.select(Moderator)).scalar_one()
        assert moderator.email == "lead@clinic.example" and moderator.is_admin and moderator.name == "Dr Lead"
        assert moderator.password_hash.startswith("scrypt:") and PASSWORD not in moderator.password_hash


def test_create_moderator_asks_twice_on_a_terminal(app, runner):
    result = runner.invoke(args=["create-moderator", "a@clinic.example"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and "Repeat the password" in result.output


@pytest.mark.parametrize("args,stdin,message", [
    (["create-moderator", "a@clinic.example", "--password-stdin"], "short\n", "at least 12 characters"),
    (["set-password", "nobody@clinic.example", "--password-stdin"], PASSWORD + "\n", "No moderator"),
    (["disable-moderator", "nobody@clinic.example"], "", "No moderator"),
])
def test_account_commands_fail_clearly(runner, args, stdin, message):
    result = runner.invoke(args=args, input=stdin)
    assert result.exit_code == 1 and message in result.output


def test_a_moderator_signs_in_and_reaches_the_queue(staff):
    staff.create()
    response = staff.login()
    assert response.status_code == 303 and response.headers["Location"] == "/moderation/"
    assert staff.client.get("/moderation/").status_code == 200


def test_unknown_email_and_wrong_password_get_the_same_answer(staff):
    staff.create()
    wrong = staff.login(password="wrong password 123")
    unknown = staff.login(email="nobody@clinic.example")
    assert wrong.status_code == unknown.status_code == 401
    message = "That email and password do not match an active moderator account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_sign_in_starts_a_new_session(staff):
    staff.create()
    staff.client.get("/moderation/login")
    before = staff.client.get_cookie("session").value
    staff.login()
    after = staff.client.get_cookie("session").value
    assert before != after
    cookie = staff.client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_logout_ends_the_session_even_for_a_copied_cookie(app, staff):
    staff.create()
    staff.login()
    stolen = staff.client.get_cookie("session").value
    assert staff.logout().status_code == 303
    thief = browser_client(app, "198.51.100.66")
    thief.set_cookie("session", stolen)
    response = thief.get("/moderation/")
    assert response.status_code == 302 and "/moderation/login" in response.headers["Location"]


@pytest.mark.parametrize("change", ["set-password", "disable-moderator"])
def test_password_change_or_disabling_ends_every_session(app, staff, runner, change):
    staff.create()
    staff.login()
    args = [change, "nurse@clinic.example"] + (["--password-stdin"] if change == "set-password" else [])
    assert runner.invoke(args=args, input="a brand new password\n").exit_code == 0
    assert staff.client.get("/moderation/").status_code == 302


def test_a_disabled_moderator_cannot_sign_in(staff, runner):
    staff.create()
    runner.invoke(args=["disable-moderator", "nurse@clinic.example"])
    assert staff.login().status_code == 401


def test_failed_sign_ins_are_throttled_per_account_even_with_the_right_password(app, staff):
    staff.create()
    statuses = [staff.login(password=f"wrong password {n}").status_code for n in range(5)]
    assert statuses == [401] * 5
    throttled = staff.login()
    assert throttled.status_code == 429 and "Too many failed sign-ins. Please wait 15 minutes" in throttled.get_data(as_text=True)
    # The throttle is per account: it holds from another client too.
    elsewhere = ModeratorActions(app, browser_client(app, "198.51.100.99"))
    assert elsewhere.login().status_code == 429


def test_the_throttle_message_says_the_configured_wait(app, staff):
    app.config.update(LOGIN_MAX_FAILURES=2, LOGIN_THROTTLE_MINUTES=30)
    staff.create()
    for n in range(2):
        staff.login(password=f"wrong password {n}")
    throttled = staff.login().get_data(as_text=True)
    assert "Please wait 30 minutes and try again." in throttled and "15 minutes" not in throttled


def test_failed_sign_ins_are_throttled_per_client(app, staff):
    staff.create()
    for n in range(5):
        staff.login(email=f"guess{n}@clinic.example")
    assert staff.login().status_code == 429
    assert ModeratorActions(app, browser_client(app, "198.51.100.98")).login().status_code == 303


@pytest.mark.parametrize("next_url,expected", [
    ("/moderation/log", "/moderation/log"),
    ("https://evil.example/", "/moderation/"),
    ("//evil.example/", "/moderation/"),
    ("/\\evil.example", "/moderation/"),
])
def test_next_is_honoured_only_for_paths_on_this_site(staff, next_url, expected):
    staff.create()
    assert staff.login(next_url=next_url).headers["Location"] == expected


def test_an_anonymous_page_request_is_sent_to_sign_in_with_next(client):
    response = client.get("/moderation/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation/login?next=/moderation/dashboard"
