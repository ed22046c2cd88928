"""Moderator accounts: creating, changing passwords, disabling, and signing in with a throttle.

Every change that should end a moderator's sessions bumps their session generation; the
session id that flask-login keeps is "id:generation", so older cookies stop working at once."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, func, or_, update
from werkzeug.security import check_password_hash, generate_password_hash

from blog.extensions import db
from blog.core.models import LoginFailure, ModerationEvent, Moderator, utcnow
from blog.core.privacy import keyed_hash

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024

# Checked against when the email is unknown, so an unknown email costs the same scrypt check as a
# wrong password, from the first attempt on. The hash of a random, forgotten password: it guards
# nothing, and written here it costs no worker 32 MB of scrypt at start-up.
_DUMMY_HASH = "scrypt:32768:8:1$fPovnNoNXzZpFaQn$d62f2642cdffb761877ec269bb42fbb02986a158690d27edd45b256ee9b07f5add87d2db4bbe50587806a112e9820a75077296b92cdf07b1d52f85ad20510222"


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is for people (in the site's
    language)."""


class LoginThrottled(Exception):
    """Too many failed sign-ins for this account or from this client."""


@dataclass(frozen=True)
class Throttle:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(ngettext("The password must be at least %(count)s character long.",
                                    "The password must be at least %(count)s characters long.",
                                    MIN_PASSWORD_LENGTH, count=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(_("The password is too long."))


def find_moderator(email: str) -> Moderator | None:
    return db.session.execute(
        db.select(Moderator).where(Moderator.email == normalize_email(email))
    ).scalar_one_or_none()


def create_moderator(email: str, password: str, name: str | None = None, is_admin: bool = False) -> Moderator:
    """Add a moderator; the password is stored only as a scrypt hash."""
    email = normalize_email(email)
    if "@" not in email or len(email) > 254 or any(c.isspace() for c in email):
        raise AccountError(_("Please give a valid email address."))
    if find_moderator(email) is not None:
        raise AccountError(_("A moderator with the email %(email)s already exists.", email=email))
    check_password_rules(password)
    moderator = Moderator(
        email=email, name=(name or email.split("@")[0]).strip()[:120], is_admin=is_admin,
        password_hash=generate_password_hash(password),
    )
    db.session.add(moderator)
    db.session.commit()
    return moderator


def end_all_sessions(moderator: Moderator) -> None:
    """Invalidate every session of this moderator, wherever its cookie is (caller commits)."""
    db.session.execute(
        update(Moderator).where(Moderator.id == moderator.id)
        .values(session_generation=Moderator.session_generation + 1)
    )


def set_password(email: str, password: str) -> Moderator:
    moderator = find_moderator(email)
    if moderator is None:
        raise AccountError(_("No moderator with the email %(email)s.", email=normalize_email(email)))
    check_password_rules(password)
    moderator.password_hash = generate_password_hash(password)
    end_all_sessions(moderator)
    db.session.commit()
    return moderator


def disable_moderator(email: str) -> Moderator:
    moderator = find_moderator(email)
    if moderator is None:
        raise AccountError(_("No moderator with the email %(email)s.", email=normalize_email(email)))
    moderator.disabled = True
    end_all_sessions(moderator)
    db.session.commit()
    return moderator


def log_out(moderator: Moderator) -> None:
    end_all_sessions(moderator)
    db.session.commit()


def _throttle_keys(secret: bytes, email: str, client: str) -> tuple[str, str]:
    return keyed_hash(secret, "login-account", email), keyed_hash(secret, "login-client", client)


def authenticate(email: str, password: str, client: str, secret: bytes, throttle: Throttle = Throttle()) -> Moderator | None:
    """The moderator whose email and password these are, or None; raises LoginThrottled.

    Unknown email and wrong password cost the same hash check and record the same failure."""
    email = normalize_email(email)
    now = utcnow()
    account_key, client_key = _throttle_keys(secret, email, client)
    db.session.execute(delete(LoginFailure).where(LoginFailure.at < now - throttle.window))
    recent = db.session.execute(
        db.select(func.count()).select_from(LoginFailure)
        .where(or_(LoginFailure.key == account_key, LoginFailure.key == client_key))
        .group_by(LoginFailure.key)
    ).scalars().all()
    moderator = find_moderator(email)
    valid = check_password_hash(moderator.password_hash if moderator else _DUMMY_HASH, password[:MAX_PASSWORD_LENGTH])
    if any(count >= throttle.max_failures for count in recent):
        db.session.commit()
        raise LoginThrottled()
    if valid and moderator is not None and not moderator.disabled:
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == account_key))
        db.session.commit()
        return moderator
    db.session.add_all([LoginFailure(key=account_key, at=now), LoginFailure(key=client_key, at=now)])
    if max(recent, default=0) + 1 == throttle.max_failures:  # this failure starts the pause
        _record_throttling(moderator, email, throttle)
    db.session.commit()
    return None


THROTTLED = "sign-in throttled"


def _record_throttling(moderator: Moderator | None, email: str, throttle: Throttle) -> None:
    """One audit line when sign-ins start being refused for an account or a client, naming the
    account (never the client's address), so staff see an attack that request logs show only as
    anonymous 429s. Once per throttle window, not once per refused attempt."""
    account = moderator.email if moderator is not None else _("an email that is no moderator's")
    minutes = int(throttle.window.total_seconds() // 60)
    db.session.add(ModerationEvent(
        moderator_id=None, action=THROTTLED,
        # Notes are written in the site's language: the log shows them as written.
        note=_("%(failures)s failed sign-ins for %(account)s: sign-ins paused for %(minutes)s minutes",
               failures=throttle.max_failures, account=account, minutes=minutes)[:300],
    ))


def recent_throttling(since: dt.datetime) -> list[ModerationEvent]:
    """Throttling lines of the audit log since a moment, newest first (for the admins' dashboard)."""
    return list(db.session.execute(
        db.select(ModerationEvent).where(ModerationEvent.action == THROTTLED, ModerationEvent.created_at >= since)
        .order_by(ModerationEvent.created_at.desc()).limit(20)
    ).scalars())
