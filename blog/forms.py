"""Web forms (Flask-WTF): each carries its CSRF token."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from blog.comment_tokens import ArticleCSRF
from blog.sanitize import comment_shows_something, strip_controls
from blog.text import clean_email, clean_name, has_visible_text
from blog.urls import parse_id

NAME_MAX = 80
BODY_MAX = 5000


class ShowsText:
    """A text that, once cleaned, shows something to read (not only empty tags or invisible characters)."""

    def __init__(self, message: str, shows=comment_shows_something):
        self.message, self.shows = message, shows

    def __call__(self, form, field) -> None:
        if field.data and not self.shows(field.data):
            raise ValidationError(self.message)


class ValidId:
    """A database id as the page wrote it: ASCII digits, positive, within the databases' integers."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if parse_id(field.data) is None:
            raise ValidationError(self.message)


class CommentForm(FlaskForm):
    """A reader's comment on one article. Its CSRF token is the article's (blog.comment_tokens),
    so the form needs no session: build it with CommentForm.for_article(article_id)."""

    class Meta:
        csrf_class = ArticleCSRF

    @classmethod
    def for_article(cls, article_id: int) -> "CommentForm":
        return cls(meta={"csrf_context": article_id})

    def token_errors(self) -> list[str]:
        """What was wrong with the form's CSRF token, if anything (empty when CSRF is off)."""
        field = getattr(self, self.meta.csrf_field_name, None) if self.meta.csrf else None
        return list(field.errors) if field is not None else []

    name = StringField(
        "Name",
        filters=[clean_name],
        validators=[
            DataRequired("Please tell us a name to show with your comment."),
            ShowsText("Please tell us a name to show with your comment: this one has no visible letters.",
                      shows=has_visible_text),
            Length(max=NAME_MAX, message=f"Please keep your name under {NAME_MAX} characters."),
        ],
    )
    email = EmailField(
        "Email (optional, never shown)",
        filters=[clean_email],
        validators=[
            Optional(),
            Length(max=254, message="That email address is too long."),
            Email("That doesn't look like an email address (like name@example.com).",
                  check_deliverability=False),
        ],
    )
    body = TextAreaField(
        "Comment",
        filters=[lambda v: strip_controls(v or "").strip()],
        validators=[
            DataRequired("Please write a comment."),
            Length(max=BODY_MAX, message=f"Please keep your comment under {BODY_MAX:,} characters."),
            ShowsText("Please write a comment: this one has no text that anyone could read."),
        ],
    )
    parent_id = HiddenField(validators=[Optional(), ValidId("That reply target is not valid.")])
    # Honeypot: hidden from people (and screen readers); bots fill it in.
    website = StringField("Leave this field empty")


class EmptyForm(FlaskForm):
    """A form with no fields: gives a POST button its CSRF token."""


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=[lambda v: (v or "").strip()],
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
