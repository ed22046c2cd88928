"""Default settings. Nothing here reads the environment: create_app layers
instance/config.py, then FLASK_* variables, then test_config on top of these."""

class ConfigError(RuntimeError):
    """The app cannot start as configured; the message says how to fix it."""


DEFAULTS = {
    # No default secret: create_app refuses to start without one outside debug/testing.
    "SECRET_KEY": None,
    # Relative SQLite paths resolve inside the instance folder (Flask-SQLAlchemy).
    "SQLALCHEMY_DATABASE_URI": "sqlite:///blog.sqlite",
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    # Requests larger than this are refused with a 413 page.
    "MAX_CONTENT_LENGTH": 64 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "WTF_CSRF_TIME_LIMIT": 6 * 3600,
    # How many reverse proxies sit in front (sets up ProxyFix); None trusts no X-Forwarded-* header.
    "TRUSTED_PROXIES": None,
    # Host names this site answers to; None accepts any (set it in production: ["blog.clinic.example"]).
    "TRUSTED_HOSTS": None,
    # The public address, for canonical links, feeds and mail (blog.core.urls); never the request's host.
    "SITE_URL": None,
    "LOG_LEVEL": "INFO",
    "SITE_NAME": "Clinic Health Notes",
    # The language of the whole site and its mails (a BCP 47 tag: en, de, es, fr, de-AT...); one per
    # site, never chosen by a request. Articles may say their own (front matter `lang`).
    "SITE_LANGUAGE": "en",
    "SITE_DESCRIPTION": "Plain-language articles about headache, migraine and pain care from our clinic.",
    "ARTICLES_PER_PAGE": 10,
    # Page views from the same visitor within this many minutes count once.
    "VIEW_DEDUPE_MINUTES": 30,
    # Answer cookieless readers' cached article pages before Flask (blog/perf/fastpath.py).
    "ARTICLE_FAST_PATH": True,
    # Rate limits (flask-limiter); RATELIMIT_ENABLED=false turns them off.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": False,
    "COMMENT_RATE_LIMIT": "5 per minute;30 per hour",
    # Moderation rules, applied when a comment arrives.
    "MODERATION_MAX_LINKS": 2,
    "MODERATION_BLOCKLIST": [],
    "MODERATION_WATCHLIST": [],
    "MODERATION_TRUST_RETURNING": False,
    "COMMENTS_CLOSE_AFTER_DAYS": None,
    # Comments' email addresses are erased this many days after the comment (daily, and by purge).
    "COMMENT_EMAIL_RETENTION_DAYS": 365,
    # The dashboard lists articles not medically reviewed (or published) within this many days.
    "REVIEW_INTERVAL_DAYS": 365,
    "MODERATION_PER_PAGE": 25,
    # Phone numbers in comments are read as this country's when they have no +country code.
    "PHONE_REGION": "US",
    # Phrases (whole words, any case, punctuation ignored) that mark a comment "urgent": listed first
    # in the queue and mailed at once; the reader sees CRISIS_MESSAGE straight away.
    "CRISIS_PHRASES": [
        # first-person intent, not clinical terms ("suicide headache" is a name for cluster headache,
        # "medication overdose headache" a diagnosis): a false alarm costs little, a miss a lot
        "suicidal", "commit suicide", "attempt suicide", "attempted suicide", "thinking about suicide",
        "thoughts of suicide", "kill myself", "killing myself", "end my life", "ending my life", "end it all",
        "want to end it", "take my own life", "taking my own life", "want to die", "wanna die",
        "don't want to live", "do not want to live", "dont want to live", "better off dead", "no reason to live",
        "self harm", "selfharm", "self harming", "harm myself", "harming myself", "hurt myself", "hurting myself",
        "cut myself", "cutting myself", "took an overdose", "take an overdose", "going to overdose",
        "i overdosed", "overdosed on purpose", "took all my pills", "take all my pills", "take all my tablets",
        "thinking of suicide", "considering suicide", "contemplating suicide", "think about suicide",
        "thought about suicide", "thoughts about suicide", "taking an overdose", "want to overdose",
        "planning to overdose", "overdosing on purpose", "kill my self", "self harmed", "wish i was dead",
        "wish i were dead", "want to be dead",
    ],
    # None: the default message, in the site's language (blog.core.rules.crisis_message); set it to
    # name your own numbers and hours.
    "CRISIS_MESSAGE": None,
    # Failed sign-ins allowed per account and per client within LOGIN_THROTTLE_MINUTES.
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_THROTTLE_MINUTES": 15,
    # Mail (moderators' notices and readers' reply notices, through the outbox): off while MAIL_SERVER
    # is empty; with it, SITE_URL (or TRUSTED_HOSTS) is required, for the links in mails.
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_FROM": "comments@localhost",
    "MAIL_TIMEOUT": 10,
    # Each web process sends the outbox in a background thread, woken after each commit that wrote
    # mail and every MAIL_SEND_INTERVAL seconds (retries). False: only `flask send-mail` sends.
    "MAIL_BACKGROUND_SENDER": True,
    "MAIL_SEND_INTERVAL": 30,
    # False: mail moderators only about urgent comments (a crisis phrase), not every new one.
    "MODERATION_ROUTINE_NOTICES": True,
    # Addresses to notify; empty means every active moderator.
    "MODERATION_NOTIFY": [],
}


_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def settle_switches(config) -> None:
    """A setting that is on or off, given as text (FLASK_MODERATION_ROUTINE_NOTICES=False: not JSON,
    so Flask keeps the string, and any non-empty string would count as on) or as 0 or 1, becomes True
    or False; text that is neither stops the app with a message."""
    for key, default in DEFAULTS.items():
        value = config.get(key)
        if isinstance(default, bool) and value in (0, 1) and not isinstance(value, bool):  # FLASK_X=1 reads as JSON 1
            config[key] = bool(value)
        elif isinstance(default, bool) and isinstance(value, str):
            word = value.strip().lower()
            if word not in _TRUE | _FALSE:
                raise ConfigError(f"{key}={value!r}: give true or false.")
            config[key] = word in _TRUE
