"""The site's one language (SITE_LANGUAGE, a BCP 47 tag): Flask-Babel with its locale taken from the
configuration only, so no request header, cookie or parameter changes what another reader is served
and cached pages are the same for everyone. Dates and numbers in the locale's formats; counts with
the locale's plural forms (ngettext). Catalogs: blog/translations/<lang>/LC_MESSAGES/messages.po,
compiled to the .mo files committed beside them (README, "Languages")."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.support import Translations
from babel.dates import format_skeleton, format_time
from babel.numbers import format_decimal
from flask import Flask, current_app
from flask_babel import Babel, LazyString, get_translations, gettext, ngettext
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
    return format_skeleton("yMMMd", value, locale=site_locale())


def human_datetime(value: dt.datetime) -> str:
    """'Nov 19, 2023 at 14:05 UTC' (times are stored in UTC)."""
    return gettext("%(date)s at %(time)s UTC", date=human_date(value),
                   time=format_time(value, "HH:mm", locale=site_locale()))


def number(value: int) -> str:
    """1,234 / 1.234 / 1 234, as the locale writes it."""
    formats = current_app.extensions.get("site_integers")
    if formats is None:
        formats = current_app.extensions["site_integers"] = IntegerFormat(site_locale())
    return formats(value)


class IntegerFormat:
    """Only for speed: whole numbers as Babel writes them for a locale, without Babel on every call.
    The article page's view count is formatted on every request, and Babel took 12-20 us a number
    (bench/run); Python's own grouping takes 1. The locale's group mark and where grouping starts
    are read from Babel once, and the shortcut is only used if it writes the probe numbers exactly
    as Babel does (else, e.g. for Indian grouping, every number goes to Babel)."""

    PROBES = (7, 1234, 12345, 123456, 1234567, 123456789)

    def __init__(self, locale: Locale):
        self.locale = locale
        written = {n: format_decimal(n, locale=locale) for n in self.PROBES}
        self.group = written[12345][2:-3]
        self.grouped_from = 1000 if written[1234] != "1234" else 10000
        self.exact = bool(self.group) and all(self._python(n) == text for n, text in written.items())

    def _python(self, value: int) -> str:
        return str(value) if value < self.grouped_from else f"{value:,}".replace(",", self.group)

    def __call__(self, value) -> str:
        if self.exact and type(value) is int and value >= 0:
            return self._python(value)
        return format_decimal(value, locale=self.locale)


def reading_time(minutes: int) -> str:
    return ngettext("%(count)s min read", "%(count)s min read", minutes, count=number(minutes))


def views_text(count: int) -> str:
    """'1 view', '1,234 views', '1.234 Aufrufe'."""
    ngettext = _site_translations().ungettext  # the name is the extractor's keyword
    return ngettext("%(count)s view", "%(count)s views", count) % {"count": number(count)}


def comments_text(count: int) -> str:
    ngettext = _site_translations().ungettext
    return ngettext("%(count)s comment", "%(count)s comments", count) % {"count": number(count)}


def _site_translations():
    """Only for speed: the article page's view count is filled in on every request (blog.perf), and
    Flask-Babel finds the locale and the catalog again on each call (two thirds of the fill's cost,
    bench/run). The site has one language, so its catalog is looked up once per app."""
    translations = current_app.extensions.get("site_translations")
    if translations is None:
        translations = current_app.extensions["site_translations"] = get_translations()
    return translations


CRISIS_PHRASES = Path(__file__).resolve().parent / "data" / "crisis_phrases.json"


def add_crisis_phrases(config, language: str) -> None:
    """A site in another language also watches for crisis phrases in that language (besides English),
    unless the operator configured CRISIS_PHRASES themselves."""
    from blog.config import DEFAULTS

    by_language = json.loads(CRISIS_PHRASES.read_text(encoding="utf-8"))
    if language in by_language and config.get("CRISIS_PHRASES") == DEFAULTS["CRISIS_PHRASES"]:
        config["CRISIS_PHRASES"] = [*DEFAULTS["CRISIS_PHRASES"], *by_language[language]]


def N_(text: str) -> str:
    """Marks text for the catalogs that is translated later, not where it is written."""
    return text


# The defaults of SITE_NAME and SITE_DESCRIPTION (blog.config), in the site's language when left as they are.
SITE_TEXT_DEFAULTS = {
    "SITE_NAME": N_("Clinic Health Notes"),
    "SITE_DESCRIPTION": N_("Plain-language articles about headache, migraine and pain care from our clinic."),
}


def translate_site_defaults(config, locale: Locale) -> None:
    from blog.config import DEFAULTS

    translations = Translations.load(str(TRANSLATIONS), [locale])
    for key, text in SITE_TEXT_DEFAULTS.items():
        if config.get(key) == DEFAULTS[key] == text:
            config[key] = translations.gettext(text)


def init_app(app: Flask) -> None:
    locale = parse_language(app.config.get("SITE_LANGUAGE") or "en")
    app.extensions["site_locale"] = locale
    add_crisis_phrases(app.config, locale.language)
    translate_site_defaults(app.config, locale)
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
