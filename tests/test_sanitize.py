"""The sanitizer's contract: what survives, what is escaped, how links look. Swapping bleach must keep these."""
import re
from pathlib import Path

import pytest

from blog.core.sanitize import LINK_REL, clean_comment, clean_html, href_is_safe

ROOT = Path(__file__).resolve().parent.parent


def test_allowed_tags_survive():
    html = clean_comment("<strong>a</strong> <em>b</em> <b>c</b> <i>d</i> <code>e</code>")
    for tag in ("strong", "em", "b", "i", "code"):
        assert f"<{tag}>" in html


def test_blocks_and_lists_survive():
    html = clean_comment("<blockquote>q</blockquote>\n\n<ul><li>one</li></ul>\n\n<ol><li>two</li></ol>\n\n<pre>x\n\ny</pre>")
    assert "<blockquote>q</blockquote>" in html and "<ul><li>one</li></ul>" in html
    assert "<ol><li>two</li></ol>" in html and "<pre>x\n\ny</pre>" in html


def test_script_is_escaped_not_executed():
    assert clean_comment("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


@pytest.mark.parametrize("payload", [
    '<img src=x onerror=alert(1)>',
    '<b onmouseover="alert(1)">hover</b>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<svg onload=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
])
def test_event_handlers_styles_and_unknown_tags_never_survive(payload):
    html = clean_comment(payload)
    assert not re.search(r"<(img|svg|iframe)", html)
    assert "onerror=" not in html.replace("&lt;", "") or "<img" not in html
    assert not re.search(r"<[^>]+\s(on\w+|style)=", html)


@pytest.mark.parametrize("href", [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java&#09;script:alert(1)",
    "&#106;avascript:alert(1)",
    "  javascript:alert(1)",
    "java\nscript:alert(1)",
    "javascript&colon;alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "javascript:123",
])
def test_unsafe_link_schemes_are_unwrapped_to_text(href):
    html = clean_comment(f'<a href="{href}">click</a>')
    assert "<a" not in html
    assert "click" in html


def test_links_get_exactly_our_rel_and_no_target():
    html = clean_comment('<a href="https://example.org" target="_blank" rel="opener" title="t" class="c">x</a>')
    assert html == f'<p><a href="https://example.org" rel="{LINK_REL}">x</a></p>'


def test_mailto_links_are_kept():
    assert 'href="mailto:desk@example.org"' in clean_comment('<a href="mailto:desk@example.org">mail</a>')


def test_bare_urls_are_linkified_with_rel():
    html = clean_comment("See https://example.org/page?a=1 for more")
    assert f'<a href="https://example.org/page?a=1" rel="{LINK_REL}">https://example.org/page?a=1</a>' in html


def test_only_http_urls_are_linkified():
    assert "<a" not in clean_comment("ftp://files.example/x") .replace('href="http://files.example', "")


def test_paragraphs_and_line_breaks_in_plain_text_survive():
    assert clean_comment("first line\nsecond line\n\nnew paragraph") == (
        "<p>first line<br>\nsecond line</p>\n<p>new paragraph</p>")


def test_nul_and_control_characters_are_removed():
    assert clean_comment("a\x00b\x07c\x1bd") == "<p>abcd</p>"


def test_unclosed_and_nested_tags_are_balanced():
    html = clean_comment("<b><i>open <a href='https://x.example'>link")
    assert html.count("<b>") == html.count("</b>") and html.count("<i>") == html.count("</i>")
    assert html.count("<a ") == html.count("</a>")


def test_deeply_nested_tags_are_cleaned():
    body = "<b>" * 1250  # 5,000 characters of nested tags, the longest accepted body
    html = clean_comment(body)
    assert clean_html(html) == html


@pytest.mark.parametrize("text", [
    "plain", "a\n\nb", "<b>x</b>", "https://example.org", '<a href="https://a.example">a</a>',
    "<ul><li>x", "x < y & z > w", "<pre>a\n\n<b>b</b></pre>", "<blockquote><p>q</p></blockquote>",
])
def test_cleaning_again_changes_nothing(text):
    once = clean_comment(text)
    assert clean_html(once) == once


@pytest.mark.parametrize("href,safe", [
    ("https://a.example", True), ("http://a.example", True), ("mailto:x@y.z", True), ("/local", False),
    ("javascript:1", False), ("java\tscript:1", False), ("", False), (None, False), ("data:x", False),
    ('&lt;"&lt;/p', False), ("https://a.example/<x>", False), ("//evil.example", False),
])
def test_href_policy(href, safe):
    assert href_is_safe(href) is safe


def test_articles_may_link_within_the_site():
    assert href_is_safe("/post/other", allow_relative=True) and href_is_safe("#fn-1", allow_relative=True)
    assert not href_is_safe("//evil.example/x", allow_relative=True)


def test_only_the_sanitize_module_imports_bleach():
    importers = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "blog").rglob("*.py")
        if re.search(r"^\s*(import bleach|from bleach)", p.read_text(), re.MULTILINE)
    ]
    assert importers == ["blog/core/sanitize.py"]
