"""The browser stories once more on a site in another language (German): a reader comments with the
keyboard alone, meets a form error and the thank-you in German; a moderator approves in the German
queue; the English article keeps its own language for screen readers; axe stays clean throughout.
The German words come from the shipped catalog, so the test follows its wording."""
from pathlib import Path

from babel.messages.pofile import read_po
from playwright.sync_api import expect

from blog.core.i18n import TRANSLATIONS
from tests.helpers import KETAMINE, MODERATOR_EMAIL, PASSWORD, axe_violations

SITE_ENV = {"FLASK_SITE_LANGUAGE": "de"}
with open(Path(TRANSLATIONS) / "de" / "LC_MESSAGES" / "messages.po", "rb") as _source:
    GERMAN = read_po(_source, locale="de")


def de(english: str) -> str:
    message = GERMAN.get(english)
    assert message is not None and message.string and message.string != english, english
    return message.string


def test_a_reader_and_a_moderator_on_a_german_site(site, open_context):
    page, watcher = open_context(agent_suffix=" german-reader", bypass_csp=True)
    page.goto(site.url(f"/post/{KETAMINE}"))
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator(".post-body").get_attribute("lang") == "en"  # the article is English, the site German
    assert page.locator("#post-title").get_attribute("lang") == "en"
    expect(page.locator("#stats")).to_contain_text("Aufruf")
    expect(page.locator(".meta").first).to_contain_text("19. Nov. 2023")
    send = page.locator(f"button:has-text('{de('Send comment')}')")
    send.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".notice-error[role=alert]")).to_contain_text(de("Your comment was not sent yet. Please check the fields marked below."))
    expect(page.locator("#body-error")).to_contain_text(de("Please write a comment."))
    assert axe_violations(page) == []
    watcher.expect_failure(400, f"/post/{KETAMINE}/comments")

    page.focus("#name")
    page.keyboard.type("Lena")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Hilft das auch bei Aura?")
    send.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".notice-success")).to_have_text(de("Thanks! Your comment is awaiting moderation."))
    assert axe_violations(page) == []
    watcher.assert_clean()

    staff, staff_watch = open_context(agent_suffix=" german-staff", bypass_csp=True)
    staff.goto(site.url("/moderation/login"))
    staff.fill("#email", MODERATOR_EMAIL)
    staff.fill("#password", PASSWORD)
    staff.click(f"button:has-text('{de('Sign in')}')")
    staff.wait_for_url(site.url("/moderation/"))
    item = staff.locator(".queue-item", has_text="Hilft das auch bei Aura?")
    expect(item).to_be_visible()
    assert axe_violations(staff) == []
    item.locator("button.approve").click()
    expect(staff.locator(".notice-success")).to_be_visible()
    assert "Approved" not in staff.locator(".notice-success").inner_text()
    staff_watch.assert_clean()

    later, later_watch = open_context(agent_suffix=" german-later")
    later.goto(site.url(f"/post/{KETAMINE}"))
    expect(later.locator(".comment-list .comment")).to_contain_text("Hilft das auch bei Aura?")
    later_watch.assert_clean()
