"""Staff forms (Flask-WTF, session-bound CSRF tokens): sign-in, a moderator account, a comment's text,
and a form with no fields that gives a POST button its token. Labels and messages are translated
when shown (lazy strings)."""
from blog.core.i18n import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from blog.core.i18n import number
from blog.perf.form_translations import SiteForm
from blog.core.sanitize import strip_controls
from blog.core.text import clean_name
from blog.core.validators import BODY_MAX, ShowsText


class EmptyForm(SiteForm):
    """A form with no fields: gives a POST button its CSRF token."""


class LoginForm(SiteForm):
    email = EmailField(_l("Email"), filters=[lambda v: strip_controls(v or "").strip()],
                       validators=[DataRequired(_l("Please enter your email address."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Please enter your password."))])


class ModeratorForm(SiteForm):
    """An admin adding a moderator."""

    email = EmailField(_l("Email"), filters=[lambda v: (v or "").strip()], validators=[
        DataRequired(_l("Please enter an email address.")),
        Email(_l("That doesn't look like an email address."), check_deliverability=False)])
    name = StringField(_l("Name"), filters=[clean_name], validators=[Length(max=120)])
    password = PasswordField(_l("Password (at least 12 characters)"), validators=[
        DataRequired(_l("Please choose a password.")),
        Length(min=12, message=_l("The password must be at least 12 characters long."))])
    is_admin = BooleanField(_l("Can manage moderators (admin)"))


class ModerationBodyForm(SiteForm):
    """Editing a comment's text, or writing the clinic's reply."""

    body = TextAreaField(_l("Text"), filters=[lambda v: strip_controls(v or "").strip()], validators=[
        DataRequired(_l("Please write something.")),
        Length(max=BODY_MAX, message=_l("Please keep it under %(count)s characters.",
                                        count=LazyString(number, BODY_MAX))),
        ShowsText(_l("Please write something: this text has nothing anyone could read."))])
