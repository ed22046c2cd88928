"""A reader in distress, in a real Chromium, with the keyboard alone: the way to get help comes first,
as an alert a screen reader announces, with the number to call as a link; the page stays accessible."""
from playwright.sync_api import expect

from tests.helpers import KETAMINE, axe_violations, sign_in


def test_a_reader_in_crisis_is_answered_at_once_keyboard_only(site, open_context):
    page, watcher = open_context(agent_suffix=" crisis-reader", bypass_csp=True)
    page.goto(site.url(f"/post/{KETAMINE}"))
    page.focus("#name")
    page.keyboard.type("Robin")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#body")).to_be_focused()
    page.keyboard.type("Nothing helps any more and I want to end my life.")
    page.keyboard.press("Tab")
    expect(page.locator("button:has-text('Send comment')")).to_be_focused()
    page.keyboard.press("Enter")
    alert = page.locator(".notice-crisis[role=alert]")
    expect(alert).to_contain_text("call your local emergency number now")
    notices = page.locator("main .notice").all_inner_texts()
    assert notices[0].startswith("If you are thinking about harming yourself") and "awaiting moderation" in notices[1]
    assert alert.locator("a[href='tel:988']").count() == 1
    assert axe_violations(page) == []
    watcher.assert_clean()

    staff, staff_watch = open_context(agent_suffix=" crisis-staff")
    sign_in(staff, site)
    first = staff.locator(".queue-item").first
    expect(first).to_contain_text("Nothing helps any more")
    expect(first.locator(".flag-urgent")).to_have_text("urgent: a reader may be in danger")
    staff_watch.assert_clean()
