"""The reader's comment form (Flask-WTF), protected by its per-article token (blog.readers.comment_tokens)."""
from flask import current_app
from flask_babel import gettext as _
from blog.core.i18n import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from blog.core.i18n import number
from blog.perf.form_translations import SiteForm
from blog.core.sanitize import strip_controls
from blog.core.text import clean_email, clean_name, has_visible_text
from blog.core.validators import BODY_MAX, NAME_MAX, ShowsText, ValidId
from blog.readers.comment_tokens import ArticleCSRF


NOTIFY_NEEDS_EMAIL = _l("To get emails about your comment, please give your email address (or untick the box).")
# Limits in the site's own way of writing numbers ("5,000", "5.000"), formatted when the message is shown.
NAME_TOO_LONG = LazyString(lambda: _("Please keep your name under %(max)s characters.", max=number(NAME_MAX)))
BODY_TOO_LONG = LazyString(lambda: _("Please keep your comment under %(max)s characters.", max=number(BODY_MAX)))


class CommentForm(SiteForm):
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
        _l("Name"),
        filters=[clean_name],
        validators=[
            DataRequired(_l("Please tell us a name to show with your comment.")),
            ShowsText(_l("Please tell us a name to show with your comment: this one has no visible letters."),
                      shows=has_visible_text),
            Length(max=NAME_MAX, message=NAME_TOO_LONG),
        ],
    )
    email = EmailField(
        _l("Email (optional, never shown)"),
        filters=[clean_email],
        validators=[
            Optional(),
            Length(max=254, message=_l("That email address is too long.")),
            Email(_l("That doesn't look like an email address (like name@example.com)."),
                  check_deliverability=False),
        ],
    )
    body = TextAreaField(
        _l("Comment"),
        filters=[lambda v: strip_controls(v or "").strip()],
        validators=[
            DataRequired(_l("Please write a comment.")),
            Length(max=BODY_MAX, message=BODY_TOO_LONG),
            ShowsText(_l("Please write a comment: this one has no text that anyone could read.")),
        ],
    )
    # Reply notices by email (blog.mail.notifications), shown only when the site sends mail.
    notify = BooleanField(_l("Email me when my comment is published and when someone replies"))
    parent_id = HiddenField(validators=[Optional(), ValidId(_l("That reply target is not valid."))])
    # Honeypot: hidden from people (and screen readers); bots fill it in.
    website = StringField(_l("Leave this field empty"))
