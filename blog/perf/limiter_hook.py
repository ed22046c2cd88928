"""Only for speed: Flask-Limiter's app-wide per-request check taken out (every limit here is a decorator)."""
from __future__ import annotations

from flask import Flask

from blog.config import ConfigError
from blog.extensions import limiter


def skip_global_rate_limit_check(app: Flask) -> None:
    """Only for speed. Every limit here is a decorator, and a decorated view checks its own limits in
    its wrapper; Flask-Limiter's app-wide before_request check then has nothing to do but costs
    about 150 us on every request (bench/run). Flask-Limiter 4 has no public switch for it (3.x had
    auto_check), so its hook is taken out by name: the version range is pinned in pyproject.toml,
    and if the hook is not where 4.1 puts it, the app refuses to start rather than run unchecked.
    Default, application and meta limits, which only that check applies, are refused by create_app."""
    if not app.config["RATELIMIT_ENABLED"]:
        return  # Flask-Limiter registers no hook at all
    hook = getattr(limiter, "_check_request_limit", None)
    hooks = app.before_request_funcs.get(None, [])
    if hook is None or hook not in hooks:
        raise ConfigError("Flask-Limiter changed: its request hook is not where 4.1 puts it (blog/perf/limiter_hook.py).")
    app.before_request_funcs[None] = [f for f in hooks if f != hook]
