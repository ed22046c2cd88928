"""The site's one language (SITE_LANGUAGE, a BCP 47 tag): Flask-Babel with its locale taken from the
configuration only, so no request header, cookie or parameter changes what another reader is served
and cached pages are the same for everyone. Dates and numbers in the locale's formats; counts with
the locale's plural forms (ngettext). Catalogs: blog/translations/<lang>/LC_MESSAGES/messages.po,
compiled to the .mo files committed beside them (README, "Languages")."""
from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time
from babel.numbers import format_decimal
from flask import Flask, current_app
from flask_babel import Babel, LazyString, get_locale, gettext, ngettext
from markupsafe import escape

from blog.config import ConfigError

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
SHIPPED = ("en", "de", "es", "fr")
babel = Babel()


class LazyText(LazyString):
    """Flask-Babel's lazy string, escaped when put into HTML (its own __html__ returns the text raw, so
    a translation holding < or & would reach the page as markup)."""

    def __html__(self) -> str:
        return str(escape(str(self)))


def lazy_gettext(string: str, **variables) -> LazyText:
    """Text translated when it is used (module constants, form labels and messages): use as _l."""
    return LazyText(gettext, string, **variables)


def shipped_languages() -> list[str]:
    """English (the language of the source) and every language with a compiled catalog."""
    found = {p.name for p in TRANSLATIONS.iterdir() if (p / "LC_MESSAGES" / "messages.mo").is_file()}
    return sorted(found | {"en"})


def parse_language(tag: str) -> Locale:
    """A BCP 47 tag (de, de-AT, pt_BR) as a Babel locale; ConfigError for one Babel does not know, or
    one without a shipped catalog (its language or the tag itself)."""
    try:
        locale = Locale.parse((tag or "").strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError) as exc:
        raise ConfigError(f"SITE_LANGUAGE={tag!r} is not a language tag Babel knows (for example en, de, es-MX).") from exc
    available = shipped_languages()
    if locale.language not in available and str(locale) not in available:
        raise ConfigError(f"SITE_LANGUAGE={tag!r}: this site has no translation for it. Shipped: {', '.join(available)}. "
                          "README, \"Languages\", says how to add one.")
    return locale


def site_locale() -> Locale:
    return current_app.extensions["site_locale"]


def html_lang() -> str:
    """The site's language as a BCP 47 tag for <html lang>."""
    return str(site_locale()).replace("_", "-")


def human_date(value: dt.date | dt.datetime | None) -> str:
    """A date the locale's way: 'Nov 19, 2023', '19. Nov. 2023', '19 nov 2023'."""
    if value is None:
        return ""
    return format_skeleton("yMMMd", value, locale=get_locale())


def human_datetime(value: dt.datetime) -> str:
    """'Nov 19, 2023 at 14:05 UTC' (times are stored in UTC)."""
    return gettext("%(date)s at %(time)s UTC", date=human_date(value),
                   time=format_time(value, "HH:mm", locale=get_locale()))


def number(value: int) -> str:
    """1,234 / 1.234 / 1 234, as the locale writes it."""
    return format_decimal(value, locale=get_locale())


def views_text(count: int) -> str:
    return _counted("views", count, str(get_locale()))


def comments_text(count: int) -> str:
    return _counted("comments", count, str(get_locale()))


def reading_time(minutes: int) -> str:
    return ngettext("%(count)s min read", "%(count)s min read", minutes, count=number(minutes))


@functools.lru_cache(maxsize=4096)
def _counted(what: str, count: int, locale: str) -> str:
    # Only for speed: the article page's view count is filled in on every request (blog.perf), and
    # Babel's number formatting and plural lookup cost more than the rest of the fill. Keyed by
    # locale and count, so it is never wrong for another language or number.
    num = format_decimal(count, locale=locale)
    if what == "views":
        return ngettext("%(count)s view", "%(count)s views", count, count=num)
    return ngettext("%(count)s comment", "%(count)s comments", count, count=num)


CRISIS_PHRASES = Path(__file__).resolve().parent / "data" / "crisis_phrases.json"


def add_crisis_phrases(config, language: str) -> None:
    """A site in another language also watches for crisis phrases in that language (besides English),
    unless the operator configured CRISIS_PHRASES themselves."""
    from blog.config import DEFAULTS

    by_language = json.loads(CRISIS_PHRASES.read_text(encoding="utf-8"))
    if language in by_language and config.get("CRISIS_PHRASES") == DEFAULTS["CRISIS_PHRASES"]:
        config["CRISIS_PHRASES"] = [*DEFAULTS["CRISIS_PHRASES"], *by_language[language]]


def init_app(app: Flask) -> None:
    locale = parse_language(app.config.get("SITE_LANGUAGE") or "en")
    app.extensions["site_locale"] = locale
    add_crisis_phrases(app.config, locale.language)
    app.config["BABEL_DEFAULT_LOCALE"] = str(locale)
    app.config["BABEL_DEFAULT_TIMEZONE"] = "UTC"
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    babel.init_app(app, locale_selector=lambda: str(locale), timezone_selector=lambda: "UTC")
    app.add_template_global(html_lang)
    app.add_template_filter(human_date)
    app.add_template_filter(human_datetime)
    app.add_template_filter(number)
    app.add_template_filter(views_text)
    app.add_template_filter(comments_text)
    app.add_template_filter(reading_time)
