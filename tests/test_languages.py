"""The site in the clinic's language: complete catalogs (nothing untranslated, nothing fuzzy, compiled
files current), every template string inside the translation functions, and for each shipped language
every page, error page and mail a reader or a moderator meets with no English left and the locale's
dates and numbers. One language per site: no request header picks another."""
from __future__ import annotations

import html as html_lib
import re
from html.parser import HTMLParser
from pathlib import Path

import phonenumbers
import pytest
from babel import support
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from wtforms.i18n import messages_path as wtforms_messages_path

from blog import create_app
from blog.config import ConfigError
from blog.core.i18n import TRANSLATIONS
from blog.extensions import db
from blog.mail.models import OutboxMail
from tests.helpers import moderate
from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["en", "de", "es", "fr"]
TRANSLATED = ["de", "es", "fr"]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
METHODS = [("blog/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.xml", "jinja2")]
# What each language writes for 19 November 2023, and for 1234 views.
DATES = {"de": "19. Nov. 2023", "es": "19 nov 2023", "fr": "19 nov. 2023"}
GERMAN_BODY = "Eine Einleitung über Migräne.\n\n## Was es ist\n\n1. **Fett.** Ein Punkt.\n"


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as source:
        return read_po(source, locale=language)


def extracted_ids() -> set[str]:
    found = extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS,
                             options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}})
    return {(message if isinstance(message, str) else message[0]) for _, _, message, _, _ in found}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_is_complete_with_nothing_fuzzy(language):
    problems = []
    entries = [m for m in catalog(language) if m.id]
    assert len(entries) > 200
    for message in entries:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {message.id!r}")
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(re.findall(r"%\((\w+)\)s", " ".join(ids)))
        for string in strings:
            if set(re.findall(r"%\((\w+)\)s", string)) - wanted:
                problems.append(f"unknown variable in {language} for {message.id!r}: {string!r}")
    assert problems == []


def test_every_string_the_code_marks_is_in_every_catalog():
    marked = extracted_ids()
    assert len(marked) > 200
    for language in LANGUAGES:
        ids = {(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog(language) if m.id}
        assert sorted(marked - ids) == [], f"{language}: extract and update the catalogs (README, Languages)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogs_are_those_of_the_sources(language):
    folder = TRANSLATIONS / language / "LC_MESSAGES"
    def text(value):  # read_mo gives plural forms as lists, read_po as tuples
        return tuple(value) if isinstance(value, (list, tuple)) else value

    with open(folder / "messages.mo", "rb") as compiled:
        mo = {text(m.id): text(m.string) for m in read_mo(compiled) if m.id}
    po = {text(m.id): text(m.string) for m in catalog(language) if m.id and not m.fuzzy}
    assert mo == po, "run: pybabel compile -d blog/translations"


class _VisibleText(HTMLParser):
    """Text nodes and the attributes people see or hear, outside script and style."""

    SEEN = {"alt", "title", "aria-label", "placeholder"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self.skip += 1
        for name in self.SEEN & attrs.keys():
            self.parts.append(attrs[name] or "")
        if tag == "input" and attrs.get("type") in ("submit", "button"):
            self.parts.append(attrs.get("value") or "")
        if tag == "meta" and attrs.get("name") == "description":
            self.parts.append(attrs.get("content") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


_JINJA = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


@pytest.mark.parametrize("template", sorted(p.relative_to(ROOT / "templates").as_posix()
                                            for p in (ROOT / "templates").rglob("*.html")))
def test_no_template_shows_words_outside_the_translation_functions(template):
    source = (ROOT / "templates" / template).read_text(encoding="utf-8")
    left = visible_text(_JINJA.sub(" ", source))
    assert re.findall(r"[^\W\d_]{2,}", left) == [], f"{template}: {left!r}"


def english_fragments(language: str) -> list[re.Pattern]:
    """Pieces of English UI text (between variables and tags) whose translation differs: none may show
    on a page of that language. Pieces that the language itself also uses are left out."""
    target = catalog(language)
    translations = " ".join(" ".join(m.string) if isinstance(m.string, tuple) else m.string for m in target if m.id)
    pieces = set()
    for message in catalog("en"):
        if not message.id:
            continue
        translated = target.get(message.id if isinstance(message.id, str) else message.id[0])
        if translated is None or translated.string == message.string:
            continue
        for text in (message.id if isinstance(message.id, tuple) else (message.id,)):
            for piece in re.split(r"%\(\w+\)s|%%|<[^>]*>|[\u201c\u201d:.,;!?()\"·]", text):
                piece = piece.strip()
                words = re.findall(r"[^\W\d_]+", piece)
                if (len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 6)) and piece not in translations:
                    pieces.add(piece)
    return [re.compile(rf"(?<![^\W\d_]){re.escape(p)}(?![^\W\d_])") for p in sorted(pieces, key=len, reverse=True)]


def english_left(text: str, fragments: list[re.Pattern]) -> list[str]:
    return [f.pattern for f in fragments if f.search(text)]


@pytest.fixture(params=TRANSLATED)
def language(request):
    return request.param


@pytest.fixture
def app_config(app_config, language):
    return {**app_config, "SITE_LANGUAGE": language, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(),
            "SITE_URL": "https://blog.clinic.example", "MAIL_BACKGROUND_SENDER": False,
            "MODERATION_NOTIFY": ["desk@clinic.example"]}


def test_every_page_and_mail_speaks_the_site_language(app, language, reader, other_reader, staff, make_article):
    fragments = english_fragments(language)
    slug = make_article(title="Ketamin bei Migräne", body=GERMAN_BODY, published="2023-11-19")
    with app.app_context():
        db.session.execute(db.text("UPDATE article SET view_count = 1234"))
        db.session.commit()
    pages = {}
    reader.comment(slug, name="Ana", email="ana@example.org", body="Eine Frage zur Dosis.", notify="y")
    moderate(app, 1, "approved")
    other_reader.comment(slug, name="Bo", body="Danke!", parent_id="1")
    pages["article with comments and one's own pending"] = other_reader.open(slug)
    pages["index"] = reader.client.get("/")
    pages["form with errors"] = reader.comment(slug, name="", body="")
    pages["personal details"] = reader.comment(slug, name="Jo", body="Ruf mich an: 555-123-4567")
    crisis = reader.comment(slug, name="Sam", body="I want to end my life.")
    pages["crisis and thanks"] = reader.client.get(crisis.headers["Location"])
    pages["privacy"] = reader.client.get("/privacy")
    pages["404"] = reader.client.get("/post/nothing-here")
    pages["405"] = reader.client.get(f"/post/{slug}/comments")
    pages["400 expired form"] = reader.client.post(f"/post/{slug}/comments", data={"name": "A", "body": "B"})
    pages["413"] = reader.client.post(f"/post/{slug}/comments", data={"body": "x" * 3_000_000})
    with app.app_context():
        mails = db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars().all()
        texts = {f"mail {m.kind} {m.id}": f"{m.subject}\n{m.body}" for m in mails}
        confirm_path = re.search(r"https://blog.clinic.example(/notifications/confirm/\S+)", texts["mail confirm 2"]
                                 if "mail confirm 2" in texts else "\n".join(texts.values())).group(1)
        unsubscribe_path = mails[0].unsubscribe_url or next(m.unsubscribe_url for m in mails if m.unsubscribe_url)
    pages["confirm page"] = reader.client.get(confirm_path)
    pages["confirmed page"] = reader.client.post(confirm_path, data={"confirm": "yes"})
    pages["unsubscribe page"] = reader.client.get(unsubscribe_path.replace("https://blog.clinic.example", ""))
    staff.create(email="admin@clinic.example", name="Admin", admin=True)
    pages["sign-in"] = staff.client.get("/moderation/login")
    pages["sign-in refused"] = staff.client.post("/moderation/login", data={"email": "admin@clinic.example",
                                                                            "password": "wrong"})
    staff.login("admin@clinic.example")
    staff.act("approve", 2)
    with app.app_context():
        db.session.execute(db.update(OutboxMail).where(OutboxMail.id == 1).values(status="failed"))
        db.session.commit()
    for name, path in [("queue", "/moderation/"), ("queue approved", "/moderation/?status=approved"),
                       ("comment", "/moderation/comments/3"), ("dashboard", "/moderation/dashboard"),
                       ("log", "/moderation/log"), ("moderators", "/moderation/moderators"),
                       ("403", "/moderation/comments/999999")]:
        pages[name] = staff.client.get(path)
    with app.app_context():
        texts.update({f"mail {m.kind} {m.id}": f"{m.subject}\n{m.body}" for m in
                      db.session.execute(db.select(OutboxMail).order_by(OutboxMail.id)).scalars()})
    assert {"mail moderators 1", "mail confirm 2"} <= texts.keys() and any(k.startswith("mail live") for k in texts)
    assert any(k.startswith("mail reply") for k in texts)

    leftovers = {}
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code < 500, name
        assert f'<html lang="{language}">' in html, name
        found = english_left(visible_text(html), fragments)
        if found:
            leftovers[name] = found
    for name, text in texts.items():
        found = english_left(text, fragments)
        if found:
            leftovers[name] = found
    assert leftovers == {}
    article_page = visible_text(pages["article with comments and one's own pending"].get_data(as_text=True))
    assert DATES[language] in article_page
    if language == "de":
        assert re.search(r"\b1\.23\d Aufrufe\b", article_page)  # 1,234 and this test's own visits


def test_no_request_header_or_cookie_picks_another_language(app, language, client, make_article):
    slug = make_article()
    asked = {"Accept-Language": "en-US,en;q=0.9"}
    client.set_cookie("locale", "en")
    page = client.get(f"/post/{slug}?lang=en", headers=asked).get_data(as_text=True)
    plain = client.get(f"/post/{slug}").get_data(as_text=True)
    assert f'<html lang="{language}">' in page and page == plain


def test_an_article_keeps_its_own_language_on_a_site_in_another(app, language, client, make_article):
    slug = make_article(lang="en")
    html = client.get(f"/post/{slug}").get_data(as_text=True)
    assert f'<html lang="{language}">' in html
    # The article's own words say their language; the site's words around them (dates, counts) do not.
    assert '<h1 id="post-title" lang="en">' in html and '<div class="post-body" lang="en">' in html
    assert '"inLanguage": "en"' in html  # and search engines are told so
    assert not re.search(r'<(article|p class="meta)[^>]*\blang=', html)
    index = client.get("/").get_data(as_text=True)  # the list of articles too: its title and summary
    assert re.search(r'<h2 id="title-\d+" lang="en"><a href="[^"]*' + slug, index)
    assert re.search(r'<p lang="en">[^<]+</p>', index) and not re.search(r'<p class="meta[^>]*\blang=', index)


def test_a_site_language_without_a_catalog_stops_the_app_with_a_message(app_config):
    with pytest.raises(ConfigError, match="no translation"):
        create_app({**app_config, "SITE_LANGUAGE": "it"})
    with pytest.raises(ConfigError, match="not a language tag"):
        create_app({**app_config, "SITE_LANGUAGE": "not a language"})
    assert create_app({**app_config, "SITE_LANGUAGE": "de-AT"}).extensions["site_locale"].language == "de"


COUNTRY = {"de": "DE", "es": "ES", "fr": "FR"}
CRISIS_WORDS = {"de": "Ich kann so nicht weitermachen, ich will nicht mehr leben.",
                "es": "Ya no puedo más, quiero morir.", "fr": "Je n'en peux plus, je veux mourir."}


def test_a_reader_in_crisis_writing_in_the_site_language_is_answered_at_once_in_it(app, language, reader,
                                                                                     make_article):
    slug = make_article()
    response = reader.comment(slug, name="Alex", body=CRISIS_WORDS[language])
    assert response.headers["Location"].endswith("#crisis")
    html = reader.client.get(response.headers["Location"]).get_data(as_text=True)
    page = visible_text(html)
    assert "112" in page and "call your local emergency number" not in page
    message = html[html.index('id="crisis"'):]
    message = html_lib.unescape(message[len('id="crisis"'):message.index("</p>")])  # the message's paragraph
    unlinked = re.sub(r'<a href="tel:[^"]+">[^<]+</a>', "", message)
    numbers = [n for n in re.findall(r"(?<!\d)\d[\d ]*\d(?!\d)", unlinked)  # "24 h/24" is no number to call
               if len(n.replace(" ", "")) >= 3 or phonenumbers.is_emergency_number(n, COUNTRY[language])]
    assert numbers == [], f"numbers a reader cannot tap to call: {numbers}"
    with app.app_context():
        assert "urgent" in db.session.execute(db.text("SELECT flags FROM comment")).scalar_one()


@pytest.mark.parametrize("tag", ["en", "de", "es", "fr", "de_AT", "es_MX", "fr_CH", "en_IN"])
def test_the_fast_number_format_writes_every_number_as_babel_does(tag):
    from babel import Locale
    from babel.numbers import format_decimal

    from blog.core.i18n import IntegerFormat

    write = IntegerFormat(Locale.parse(tag))
    numbers = [*range(0, 30_000, 13), *(10**k + d for k in range(3, 10) for d in (-1, 0, 1, 4321))]
    assert [write(n) for n in numbers] == [format_decimal(n, locale=tag) for n in numbers]


@pytest.mark.parametrize("everyday", [
    "Je cherche à en finir avec la migraine.", "Cette migraine va me tuer, mais ça passe.",
    "Ich will nicht mehr so lange auf einen Termin warten.", "Mañana voy a cortarme el pelo.",
    "Este dolor va a matarme, jaja.", "Die Migräne bringt mich noch um.", "Ce bruit va me tuer.",
])
def test_everyday_words_in_the_other_languages_are_no_crisis(everyday):
    import json

    from blog.core.i18n import CRISIS_PHRASES
    from blog.core.rules import is_crisis

    phrases = [p for language, listed in json.loads(CRISIS_PHRASES.read_text(encoding="utf-8")).items()
               if language != "_about" for p in listed]
    assert not is_crisis(everyday, phrases)


def test_wtforms_own_messages_speak_the_site_language_too(app, language):
    from wtforms import IntegerField, StringField
    from wtforms.validators import DataRequired

    from blog.perf.form_translations import SiteForm

    class Reply(SiteForm):
        class Meta:
            csrf = False

        text = StringField(validators=[DataRequired()])
        count = IntegerField()

    catalog = support.Translations.load(wtforms_messages_path(), [language], domain="wtforms")
    with app.test_request_context(method="POST", data={"text": "", "count": "many"}):
        form = Reply()
        assert not form.validate()
        assert form.text.errors == [catalog.gettext("This field is required.")] != ["This field is required."]
        assert form.count.errors[0] == catalog.gettext("Not a valid integer value.") != "Not a valid integer value."


@pytest.mark.parametrize("language,words", [
    ("de", "Ich möchte mich umbringen."), ("de", "Ich denke an Selbstmord."), ("es", "Me quiero matar."),
    ("es", "Pienso en el suicidio cada noche."), ("fr", "Je pense au suicide."), ("fr", "Je vais me tuer."),
])
def test_the_other_languages_hear_a_reader_in_danger_in_their_own_words(language, words):
    import json

    from blog.core.i18n import CRISIS_PHRASES
    from blog.core.rules import is_crisis

    assert is_crisis(words, json.loads(CRISIS_PHRASES.read_text(encoding="utf-8"))[language])
