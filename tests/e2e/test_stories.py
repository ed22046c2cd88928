"""Stories in a real Chromium against a real gunicorn: what readers and moderators do and see."""
import re

from playwright.sync_api import expect

from tests.helpers import KETAMINE, sign_in

SLEEP = "sleep-and-migraine-small-habits-that-help"
INFUSION = "what-to-expect-at-your-first-infusion-visit"


def stats_line(page) -> str:
    return page.locator("#stats").inner_text()


def post_comment(page, site, slug: str, name: str, body: str, email: str = "") -> None:
    """What a reader does: open the article, fill in the form, send it."""
    page.goto(site.url(f"/post/{slug}"))
    page.fill("#name", name)
    if email:
        page.fill("#email", email)
    page.fill("#body", body)
    page.click("button:has-text('Send comment')")


def test_a_reader_opens_an_article_and_a_second_reader_counts_a_second_view(site, open_context):
    page, watcher = open_context(agent_suffix=" reader-one")
    page.goto(site.url("/"))
    expect(page.locator("h1")).to_have_text("Articles")
    page.click(f"a[href='/post/{INFUSION}']")
    expect(page.locator("h1")).to_have_text("What to Expect at Your First Infusion Visit")
    assert stats_line(page) == "1 view · 0 comments"
    page.reload()
    assert stats_line(page) == "1 view · 0 comments"  # a reload by the same reader counts once
    second, second_watcher = open_context(agent_suffix=" reader-two")
    second.goto(site.url(f"/post/{INFUSION}"))
    assert stats_line(second) == "2 views · 0 comments"
    assert page.context.cookies() == [] and second.context.cookies() == []  # reading leaves no trace
    watcher.assert_clean()
    second_watcher.assert_clean()


def test_a_comment_waits_for_moderation_then_appears_for_everyone(site, open_context):
    reader, reader_watch = open_context(agent_suffix=" commenter")
    post_comment(reader, site, SLEEP, "Maya", "A regular wake-up time helped me a lot.", email="maya@example.org")
    expect(reader.locator(".notice-success")).to_have_text("Thanks! Your comment is awaiting moderation.")
    assert re.search(r"#comment-\d+$", reader.url)
    own = reader.locator(".comment-pending")
    expect(own).to_contain_text("A regular wake-up time helped me a lot.")
    expect(own).to_contain_text("Awaiting moderation")

    other, other_watch = open_context(agent_suffix=" other")
    other.goto(site.url(f"/post/{SLEEP}"))
    expect(other.locator(".comment-list")).to_have_count(0)
    assert "0 comments" in stats_line(other)

    staff, staff_watch = open_context(agent_suffix=" staff")
    sign_in(staff, site)
    item = staff.locator(".queue-item", has_text="A regular wake-up time")
    expect(item).to_contain_text("maya@example.org")
    item.locator("button.approve").click()
    expect(staff.locator(".notice-success")).to_contain_text("Approved: 1 comment.")

    third, third_watch = open_context(agent_suffix=" third")
    third.goto(site.url(f"/post/{SLEEP}"))
    expect(third.locator(".comment-list .comment")).to_contain_text("A regular wake-up time helped me a lot.")
    assert stats_line(third).endswith("1 comment")
    expect(third.locator("body")).not_to_contain_text("maya@example.org")
    for watcher in (reader_watch, other_watch, staff_watch, third_watch):
        watcher.assert_clean()


def test_a_reader_replies_and_a_moderator_rejects_the_reply(site, open_context):
    reader, reader_watch = open_context(agent_suffix=" replier")
    post_comment(reader, site, KETAMINE, "Omar", "Is this covered by insurance?")
    staff, staff_watch = open_context(agent_suffix=" staff")
    sign_in(staff, site)
    staff.locator(".queue-item", has_text="covered by insurance").locator("button.approve").click()

    reader.goto(site.url(f"/post/{KETAMINE}"))
    reader.click("a.reply-link:has-text('Reply')")
    expect(reader.locator("#form-title")).to_have_text("Reply to Omar")
    reader.fill("#name", "Lena")
    reader.fill("#body", "Mine was, after a letter from the doctor.")
    reader.click("button:has-text('Send comment')")
    expect(reader.locator(".replies .comment-pending")).to_contain_text("after a letter from the doctor")

    staff.goto(site.url("/moderation/"))
    reply = staff.locator(".queue-item", has_text="after a letter")
    expect(reply.locator(".in-reply")).to_contain_text("Omar")
    reply.locator("button:has-text('Reject')").click()
    expect(staff.locator(".notice-success")).to_contain_text("Rejected: 1 comment.")

    other, other_watch = open_context(agent_suffix=" later")
    other.goto(site.url(f"/post/{KETAMINE}"))
    expect(other.locator(".comment-list")).to_contain_text("covered by insurance")
    expect(other.locator(".comment-list")).not_to_contain_text("after a letter")
    for watcher in (reader_watch, staff_watch, other_watch):
        watcher.assert_clean()


def test_the_whole_comment_and_moderation_flow_with_the_keyboard_alone(site, open_context):
    page, watcher = open_context(agent_suffix=" keyboard")
    page.goto(site.url(f"/post/{INFUSION}"))
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    page.focus("#name")  # where a keyboard user lands after tabbing through the article's links
    page.keyboard.type("Key Board")
    page.keyboard.press("Tab")
    expect(page.locator("#email")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("#body")).to_be_focused()
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    expect(page.locator("button:has-text('Send comment')")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".notice-success")).to_contain_text("awaiting moderation")

    staff, staff_watch = open_context(agent_suffix=" keyboard-staff")
    staff.goto(site.url("/moderation/login"))
    staff.focus("#email")
    staff.keyboard.type("nurse@clinic.example")
    staff.keyboard.press("Tab")
    staff.keyboard.type("correct horse battery staple")
    staff.keyboard.press("Enter")
    staff.wait_for_url(site.url("/moderation/"))
    item = staff.locator(".queue-item", has_text="Typed without a mouse.")
    item.locator("input[type=checkbox]").focus()
    approve = item.locator("button.approve")
    for _ in range(4):  # past the article link and the raw-text toggle
        staff.keyboard.press("Tab")
        if approve.evaluate("b => b === document.activeElement"):
            break
    expect(approve).to_be_focused()
    staff.keyboard.press("Enter")
    expect(staff.locator(".notice-success")).to_contain_text("Approved: 1 comment.")
    page.goto(site.url(f"/post/{INFUSION}"))
    expect(page.locator(".comment-list")).to_contain_text("Typed without a mouse.")
    watcher.assert_clean()
    staff_watch.assert_clean()


def test_the_keyboard_shortcuts_act_on_the_current_comment(site, open_context):
    page, _ = open_context(agent_suffix=" shortcut-reader")
    post_comment(page, site, INFUSION, "Short Cut", "Shortcut target comment")
    staff, watcher = open_context(agent_suffix=" shortcut-staff")
    sign_in(staff, site)
    items = staff.locator(".queue-item")
    target_index = [i for i in range(items.count()) if "Shortcut target" in items.nth(i).inner_text()][0]
    for _ in range(target_index + 1):
        staff.keyboard.press("j")
    expect(items.nth(target_index)).to_be_focused()
    staff.keyboard.press("s")
    expect(staff.locator(".notice-success")).to_contain_text("Marked as spam: 1 comment.")
    watcher.assert_clean()


def test_the_moderation_queue_reads_well_on_a_375_px_phone(site, open_context):
    reader, _ = open_context(agent_suffix=" phone-reader")
    post_comment(reader, site, SLEEP, "Phone", "A long comment " + "withaveryveryverylongwordthatmustwrap" * 4)
    phone, watcher = open_context(width=375, height=800, agent_suffix=" phone", is_mobile=True, has_touch=True)
    sign_in(phone, site)
    item = phone.locator(".queue-item", has_text="A long comment")
    expect(item.locator("button.approve")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    box = item.locator("button.approve").bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 375
    watcher.assert_clean()
