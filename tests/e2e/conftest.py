"""Browser fixtures: one real gunicorn site per module (fresh database), Debian's Chromium via Playwright."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # a shared 2-core machine can take longer than Playwright's 5 s
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watcher:
    """What a page did that a user would not want: other hosts contacted, console errors, dialogs."""

    allowed_host: str
    foreign_requests: list = field(default_factory=list)
    console_errors: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)
    failed_responses: list = field(default_factory=list)

    def attach(self, page):
        page.on("request", self._request)
        page.on("response", lambda r: r.status >= 400 and self.failed_responses.append(f"{r.status} {r.url}"))
        page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        page.on("dialog", self._dialog)
        return page

    def _request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.allowed_host:
            self.foreign_requests.append(request.url)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def expect_failure(self, status: int, path: str) -> None:
        """A 4xx the test asked for (an invalid form): Chromium logs it as a console error, nothing more."""
        matching = [r for r in self.failed_responses if r.startswith(f"{status} ") and r.endswith(path)]
        assert matching, f"expected a {status} for {path}, saw {self.failed_responses}"
        for response in matching:
            self.failed_responses.remove(response)
            self.console_errors.remove(f"Failed to load resource: the server responded with a status of "
                                       f"{status} ({'BAD REQUEST' if status == 400 else ''})")

    def assert_clean(self):
        assert self.foreign_requests == [], "requests to other hosts"
        assert self.console_errors == [], f"console errors; failed responses: {self.failed_responses}"
        assert self.dialogs == [], "dialogs opened"


@pytest.fixture
def open_context(browser, site):
    """Open a new browser context (a separate person): returns (page, watcher)."""
    contexts = []

    def open_(width=1280, height=900, agent_suffix="", **options):
        agent = f"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36{agent_suffix}"
        context = browser.new_context(viewport={"width": width, "height": height}, user_agent=agent, **options)
        contexts.append(context)
        watcher = Watcher(urlsplit(site.base_url).netloc)
        return watcher.attach(context.new_page()), watcher

    yield open_
    for context in contexts:
        context.close()
