"""A clinic's duty of care in a real Chromium, with the keyboard alone: a reader in distress is told
at once where to get help; a reader about to publish personal details is shown them first. Both
answers are alerts a screen reader announces, and the pages stay accessible (axe-core)."""
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


def test_a_reader_is_shown_personal_details_before_sending_keyboard_only(site, open_context):
    page, watcher = open_context(agent_suffix=" personal-reader", bypass_csp=True)
    page.goto(site.url(f"/post/{KETAMINE}"))
    page.focus("#name")
    page.keyboard.type("Jo")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("Could someone call me on 555-123-4567 about the trial?")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    warning = page.locator("#personal-warning[role=alert]")
    expect(warning).to_contain_text("a phone number: 555-123-4567")
    expect(page.locator("#body")).to_have_value("Could someone call me on 555-123-4567 about the trial?")
    assert page.locator(".notice-success").count() == 0
    assert axe_violations(page) == []
    send_anyway = page.locator("button[name=send_anyway]")
    for _ in range(80):  # Tab through the page to the choice, as a keyboard user does
        page.keyboard.press("Tab")
        if send_anyway.evaluate("b => b === document.activeElement"):
            break
    expect(send_anyway).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".notice-success")).to_contain_text("awaiting moderation")
    watcher.assert_clean()
