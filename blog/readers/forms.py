"""The reader's comment form (Flask-WTF), protected by its per-article token (blog.readers.comment_tokens)."""
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from blog.core.sanitize import strip_controls
from blog.core.text import clean_email, clean_name, has_visible_text
from blog.core.validators import BODY_MAX, NAME_MAX, ShowsText, ValidId
from blog.readers.comment_tokens import ArticleCSRF


NOTIFY_NEEDS_EMAIL = "To get emails about your comment, please give your email address (or untick the box)."


class CommentForm(FlaskForm):
    """A reader's comment on one article. Its CSRF token is the article's (blog.readers.comment_tokens),
    so the form needs no session: build it with CommentForm.for_article(article_id)."""

    class Meta:
        csrf_class = ArticleCSRF

    @classmethod
    def for_article(cls, article_id: int) -> "CommentForm":
        return cls(meta={"csrf_context": article_id})

    def wants_notices(self) -> bool:
        """The reader ticked the box on a site that sends mail."""
        return bool(self.notify.data) and bool(current_app.config.get("MAIL_SERVER"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.wants_notices() and not self.email.data:
            self.email.errors = [*self.email.errors, NOTIFY_NEEDS_EMAIL]
            return False
        return valid

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
    # Reply notices by email (blog.mail.notifications), shown only when the site sends mail.
    notify = BooleanField("Email me when my comment is published and when someone replies")
    parent_id = HiddenField(validators=[Optional(), ValidId("That reply target is not valid.")])
    # Honeypot: hidden from people (and screen readers); bots fill it in.
    website = StringField("Leave this field empty")
