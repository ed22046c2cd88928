"""Staff forms (Flask-WTF, session-bound CSRF tokens): sign-in, a moderator account, a comment's text,
and a form with no fields that gives a POST button its token."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length

from blog.core.sanitize import strip_controls
from blog.core.text import clean_name
from blog.core.validators import BODY_MAX, ShowsText


class EmptyForm(FlaskForm):
    """A form with no fields: gives a POST button its CSRF token."""


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[lambda v: strip_controls(v or "").strip()],
                       validators=[DataRequired("Please enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Please enter your password.")])


class ModeratorForm(FlaskForm):
    """An admin adding a moderator."""

    email = EmailField("Email", filters=[lambda v: (v or "").strip()], validators=[
        DataRequired("Please enter an email address."),
        Email("That doesn't look like an email address.", check_deliverability=False)])
    name = StringField("Name", filters=[clean_name], validators=[Length(max=120)])
    password = PasswordField("Password (at least 12 characters)", validators=[
        DataRequired("Please choose a password."),
        Length(min=12, message="The password must be at least 12 characters long.")])
    is_admin = BooleanField("Can manage moderators (admin)")


class ModerationBodyForm(FlaskForm):
    """Editing a comment's text, or writing the clinic's reply."""

    body = TextAreaField("Text", filters=[lambda v: strip_controls(v or "").strip()], validators=[
        DataRequired("Please write something."),
        Length(max=BODY_MAX, message=f"Please keep it under {BODY_MAX:,} characters."),
        ShowsText("Please write something: this text has nothing anyone could read.")])
