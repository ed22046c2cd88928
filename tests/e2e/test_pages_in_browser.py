"""Every page a person meets, in Chromium at phone and desktop widths: accessible (axe-core), screenshots kept."""
from pathlib import Path

import pytest

from tests.helpers import KETAMINE, axe_violations, screenshot, sign_in

WIDTHS = [375, 1280]


@pytest.fixture(scope="module")
def with_comments(site):
    """An article with an approved comment and a clinic reply, so the page shows a thread."""
    from blog.extensions import db
    from blog.core.models import Article, Comment

    with site.app.app_context():
        article = db.session.execute(db.select(Article).filter_by(slug=KETAMINE)).scalar_one()
        first = Comment(article_id=article.id, author_name="Ana", body_raw="Thank you, this was clear.",
                        body_html="<p>Thank you, this was clear.</p>", status="approved")
        db.session.add(first)
        db.session.flush()
        db.session.add(Comment(article_id=article.id, parent_id=first.id, author_name="Clinic Health Notes",
                               body_raw="Glad it helped.", body_html="<p>Glad it helped.</p>", status="approved",
                               is_clinic=True))
        db.session.add(Comment(article_id=article.id, author_name="Pending Pat", body_raw="Waiting in the queue",
                               body_html="<p>Waiting in the queue</p>", flags="personal information"))
        db.session.commit()
    return KETAMINE


@pytest.mark.parametrize("width", WIDTHS)
def test_reader_pages_are_accessible_and_self_contained(site, open_context, with_comments, width):
    page, watcher = open_context(width=width, bypass_csp=True, agent_suffix=f" a11y-{width}")
    page.goto(site.url("/"))
    assert axe_violations(page) == []
    screenshot(page, f"index-{width}")
    page.goto(site.url(f"/post/{with_comments}"))
    assert axe_violations(page) == []
    screenshot(page, f"article-with-comments-{width}")
    page.fill("#name", "")
    page.fill("#email", "not-an-email")
    page.click("button:has-text('Send comment')")
    assert page.locator(".field-error").count() == 3
    watcher.expect_failure(400, f"/post/{with_comments}/comments")
    assert axe_violations(page) == []
    page.locator("#comment-form").screenshot(path=str(_artifact(f"comment-form-errors-{width}")))
    page.goto(site.url("/moderation/login"))
    assert axe_violations(page) == []
    screenshot(page, f"login-{width}")
    page.goto(site.url("/privacy"))
    assert axe_violations(page) == []
    screenshot(page, f"privacy-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    watcher.assert_clean()


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_pages_are_accessible(site, open_context, with_comments, width):
    page, watcher = open_context(width=width, bypass_csp=True, agent_suffix=f" staff-a11y-{width}")
    sign_in(page, site)
    assert axe_violations(page) == []
    screenshot(page, f"queue-{width}")
    page.goto(site.url("/moderation/dashboard"))
    assert axe_violations(page) == []
    screenshot(page, f"dashboard-{width}")
    page.goto(site.url("/moderation/log"))
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    watcher.assert_clean()


def test_pages_keep_working_with_javascript_off(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url(f"/post/{KETAMINE}"))
    page.fill("#name", "No Script")
    page.fill("#body", "Sent with JavaScript off")
    page.click("button:has-text('Send comment')")
    assert "awaiting moderation" in page.locator(".notice-success").inner_text()
    sign_in(page, site)
    page.locator(".queue-item", has_text="Sent with JavaScript off").locator("button.approve").click()
    assert "Approved: 1 comment." in page.locator(".notice-success").inner_text()
    context.close()


def _artifact(name: str) -> Path:
    from tests.helpers import ARTIFACTS

    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
