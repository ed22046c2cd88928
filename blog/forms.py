"""Web forms (Flask-WTF): each carries its CSRF token."""
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from blog.sanitize import strip_controls
from blog.text import clean_email, clean_name

NAME_MAX = 80
BODY_MAX = 5000


class CommentForm(FlaskForm):
    name = StringField(
        "Name",
        filters=[clean_name],
        validators=[
            DataRequired("Please tell us a name to show with your comment."),
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
        ],
    )
    parent_id = HiddenField(
        validators=[Optional(), Regexp(r"^\d{1,12}$", message="That reply target is not valid.")]
    )
    # Honeypot: hidden from people (and screen readers); bots fill it in.
    website = StringField("Leave this field empty")


class EmptyForm(FlaskForm):
    """A form with no fields: gives a POST button its CSRF token."""
