"""Error pages: one styled template for every HTTP error; the 500 handler rolls the session back."""
from flask import Response, render_template
from blog.core.i18n import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from blog.extensions import db

TITLES = {
    400: (_l("Something in that request was wrong"), _l("Please go back, check what you sent and try again.")),
    403: (_l("Not allowed"), _l("You cannot do that here.")),
    404: (_l("Page not found"), _l("We could not find that page. It may have moved, or the link may be mistyped.")),
    405: (_l("Not allowed"), _l("That page cannot be used this way.")),
    413: (_l("That was too much to send"), _l("What you sent is larger than we accept. "
          "Comments can be up to 5,000 characters: please shorten it and try again.")),
    415: (_l("We could not read what you sent"), _l("Please go back and use the form on the page.")),
    429: (_l("Please slow down"), _l("You have sent too many requests in a short time. "
          "Please wait a minute, then try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you did caused this. "
          "Please try again in a moment.")),
}
# Other errors are titled with Werkzeug's name for them; these are the others this site answers with
# (a staff form sent without a session; a byte range past the end of a file).
NAMES = {401: _l("Unauthorized"), 416: _l("Requested Range Not Satisfiable")}


def render_error(error: HTTPException):
    code = error.code or 500
    title, message = TITLES.get(code, (NAMES.get(code, error.name), _l("Please go back and try again.")))
    # A description we set ourselves (abort(403, description=...)) is more specific than the default.
    if error.description and error.description != type(error).description and code != 500:
        message = error.description
    return render_template("error.html", code=code, title=str(title), message=str(message)), code


def handle_http_error(error: HTTPException):
    if error.code is None or error.code < 400:
        return error
    if isinstance(error, SecurityError):
        # An untrusted Host header (TRUSTED_HOSTS): refused before URL matching, so no links to build.
        return Response(f"{error.code} {error.name}\n", status=error.code, mimetype="text/plain")
    return render_error(error)


def handle_unexpected_error(error: Exception):
    """Anything unhandled: undo the half-done transaction, show the 500 page, no traceback."""
    db.session.rollback()
    return render_error(InternalServerError())


def init_app(app):
    app.register_error_handler(HTTPException, handle_http_error)
    # Unhandled exceptions reach this as a 500 (unless PROPAGATE_EXCEPTIONS, as in tests).
    app.register_error_handler(InternalServerError, handle_unexpected_error)
