"""Form validators shared by the readers' and the staff's forms, and the limits they enforce."""
from wtforms.validators import ValidationError

from blog.core.sanitize import comment_shows_something
from blog.core.urls import parse_id

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
