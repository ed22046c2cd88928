"""Cached pages hold nothing from the request: a page rendered for one odd request (another host, HTTPS,
stray cookies, a query string) is byte for byte the page a fresh worker renders for a plain one."""
import ast
import gc
import re
from pathlib import Path

import pytest

from blog import create_app
from tests.helpers import BROWSER_UA

ROOT = Path(__file__).resolve().parent.parent
ODD = [
    {"base_url": "https://evil.example", "headers": {"X-Forwarded-Host": "x.example", "Forwarded": "host=y.example"}},
    {"base_url": "http://localhost", "headers": {"Cookie": "tracking=1; theme=dark"}},
    {"base_url": "http://localhost", "query": "?utm_source=mail&page=1"},
]


def masked(body: bytes) -> str:
    """The page without its per-worker form token (signed per article, per minute, per worker)."""
    return re.sub(r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="…"', body.decode())


def plain_page(app, path: str) -> str:
    client = app.test_client()
    return masked(client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.5", "HTTP_USER_AGENT": BROWSER_UA}).data)


@pytest.mark.parametrize("odd", ODD, ids=["host-and-scheme", "cookies", "query"])
@pytest.mark.parametrize("path", ["/post/{slug}", "/"])
def test_a_page_cached_for_an_odd_request_is_the_page_a_fresh_worker_renders(app, app_config, make_article,
                                                                             odd, path):
    slug = make_article()
    path = path.format(slug=slug)
    client = app.test_client()
    client.get(path + odd.get("query", ""), base_url=odd["base_url"], headers=odd.get("headers", {}),
               environ_base={"REMOTE_ADDR": "198.51.100.5", "HTTP_USER_AGENT": BROWSER_UA})
    served = plain_page(app, path)  # from this worker's cache, filled in
    fresh = create_app(app_config)  # another worker: its own caches, the same database
    try:
        assert plain_page(fresh, path) == served
    finally:
        with fresh.app_context():
            from blog.extensions import db
            db.engine.dispose()


def _source(module: str) -> Path | None:
    base = ROOT / module.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _blog_imports(module: str) -> set[str]:
    """The blog modules that importing this module runs: its top-level imports (module level only,
    not inside functions), each submodule named in `from blog.x import y`, and every package above
    each of them but the app factory's own `blog` (which a WSGI server imports first anyway)."""
    tree = ast.parse(_source(module).read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("blog"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("blog"))
    with_packages = set()
    for name in found:
        parts = name.split(".")
        with_packages.update(".".join(parts[:n]) for n in range(2, len(parts) + 1))
    return {m for m in with_packages if _source(m) is not None}


def test_the_fast_path_imports_no_blueprint():
    """It answers before Flask: what it needs (page state, cached pages, their headers) lives outside
    the views, so it cannot drift from them by depending on one."""
    seen, todo = set(), ["blog.perf.fastpath"]
    while todo:
        module = todo.pop()
        if module not in seen:
            seen.add(module)
            todo.extend(_blog_imports(module))
    assert "blog.readers.pageviews" in seen and "blog.readers" in seen  # the walk reaches packages too
    blueprints = {m for m in seen if "Blueprint(" in _source(m).read_text()}
    assert blueprints == set()


def test_the_queue_page_cached_for_one_request_shows_nothing_of_it_to_the_next(app, moderator, reader, make_article):
    slug = make_article()
    reader.comment(slug, body="Waiting for a moderator.")
    odd = moderator.client.get("/moderation/?utm_source=x", headers={
        "X-Forwarded-Host": "x.example", "Forwarded": "host=evil.example;proto=https", "Cookie2": "junk=1"})
    assert odd.status_code == 200
    plain = moderator.client.get("/moderation/").get_data(as_text=True)
    assert "Waiting for a moderator." in plain
    assert "evil.example" not in plain and "x.example" not in plain and "utm_source" not in plain



def test_each_database_in_one_process_has_its_own_cache_key_for_its_whole_life(tmp_path):
    """Tests (and any process making several apps) drop an app and make the next. The key is a
    counter, not id(engine): a new engine can land at a dropped one's address (CPython reuses
    memory), and then an id() key would serve the old site's pages, in its language."""
    from blog.core.sql import database_key
    from blog.extensions import db

    keys = []
    for n in range(12):
        site = create_app({"TESTING": True, "SECRET_KEY": "x",
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'{n}.sqlite'}"})
        with site.app_context():
            keys.append(database_key())
            db.engine.dispose()
        with site.app_context():
            assert database_key() == keys[-1]  # the same database keeps its key
        del site
        gc.collect()
    assert keys == sorted(set(keys))  # never one given before
