"""The benchmark: the app and a minimal Flask ceiling under the same gunicorn settings, loaded by wrk.

Usage: bench/run [--quick] [--skip-postgres] [--skip-scale] [--only article,index]. Prints a table of requests/s, p50 and
p99 latency, the ratio to the ceiling, the view-count check and the peak RSS per worker."""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import ARTICLE, MODERATOR, build  # noqa: E402
from blog import create_app  # noqa: E402
from blog.extensions import db  # noqa: E402
from blog.core.models import Article, Moderator  # noqa: E402
from flask.sessions import SecureCookieSessionInterface  # noqa: E402
from tests.servers import SERVER_SECRET, gunicorn  # noqa: E402

LUA = Path(__file__).parent / "lua"
CONNECTIONS = 32
SETTLE = 1.0
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_BENCH = "postgresql+psycopg://postgres@127.0.0.1:5432/blog_bench"
CEILING = "ceiling (minimal Flask)"
TARGETS = {  # case -> minimum share of the ceiling's requests/s
    "article (view recorded)": 0.50, "index": 0.50, "comment POST": 0.30, "moderation queue": 0.25,
    "article on PostgreSQL": 0.35,
}


@dataclass
class Result:
    case: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int
    views_ok: str = ""
    rss_mb: float = 0.0


def parse_ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run_wrk(url: str, seconds: float, script: str | None = None, headers: dict | None = None) -> Result:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        command += ["-s", str(LUA / script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url, "--", uuid.uuid4().hex[:8]], capture_output=True, text=True,
                         check=True).stdout
    if "Latency Distribution" not in out:
        raise RuntimeError(f"wrk gave no latency figures for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = parse_ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = parse_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(x) for x in errors.groups()) if errors else 0
    return Result("", rps, p50, p99, requests, bad)


def peak_rss_mb(server) -> float:
    peaks = []
    for pid in server.worker_pids():
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks, default=0.0)


def view_count(app) -> int:
    with app.app_context():
        db.session.expire_all()
        return db.session.execute(db.select(Article.view_count).filter_by(slug=ARTICLE)).scalar_one()


def make_app(uri: str, scale: bool = False):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": uri})
    build(app, scale=scale)
    return app


def ensure_postgres_database() -> bool:
    try:
        import psycopg
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True, connect_timeout=3) as c:
            if not c.execute("SELECT 1 FROM pg_database WHERE datname = 'blog_bench'").fetchone():
                c.execute("CREATE DATABASE blog_bench")
        return True
    except Exception as exc:  # noqa: BLE001 - any failure means: no PostgreSQL here
        print(f"PostgreSQL not available, skipping its case: {exc}", file=sys.stderr)
        return False


def copy_sqlite(source: Path, target: Path) -> str:
    """A consistent copy of a SQLite database (the backup API); its URI."""
    with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
        original.backup(copy)
    return f"sqlite:///{target}"


def signed_in_cookie(server, app) -> str:
    """A moderator's session cookie, signed with the bench servers' key. Made here rather than by
    signing in through a worker: a password check (scrypt, 32 MB) would distort that worker's peak
    memory, which the bench reports. The cookie is checked to open the queue."""
    signer = SecureCookieSessionInterface().get_signing_serializer(
        create_app({"TESTING": True, "SECRET_KEY": SERVER_SECRET, "SQLALCHEMY_DATABASE_URI": "sqlite://"}))
    with app.app_context():
        moderator = db.session.execute(db.select(Moderator).filter_by(email=MODERATOR[0])).scalar_one()
        session_id = moderator.get_id()
    cookie = "session=" + signer.dumps({"_user_id": session_id, "_fresh": True})
    reply = server.request("GET", "/moderation/", headers={"Cookie": cookie})
    assert reply.status == 200, f"the minted session does not open the queue ({reply.status})"
    listed = reply.body.count('class="queue-item"')
    assert listed == 25, f"the queue case should show the 25 pending comments, it shows {listed}"
    return cookie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a second or two per case, one round, no targets")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--only", metavar="WORDS", default="",
                        help="only the cases whose names contain one of these comma-separated words (the ceiling always runs)")
    args = parser.parse_args()
    seconds, warmup, rounds = (2, 1, 1) if args.quick else (10, 3, 2)  # wrk takes whole seconds
    workers = os.cpu_count() or 2
    env = {"FLASK_WTF_CSRF_ENABLED": "false", "GUNICORN_WORKERS": str(workers), "GUNICORN_PRELOAD": "1"}
    tmp = Path(tempfile.mkdtemp(prefix="blog-bench-"))
    results: dict[str, list[Result]] = {}

    wanted = [w.strip() for w in args.only.split(",") if w.strip()]

    def measure(name, server, path, script=None, headers=None, app=None):
        if wanted and name != CEILING and not any(w in name for w in wanted):
            return
        run_wrk(server.base_url + path, warmup, script, headers)
        time.sleep(SETTLE)  # let requests still in flight when wrk stopped finish
        before = view_count(app) if app else None
        result = run_wrk(server.base_url + path, seconds, script, headers)
        result.case, result.rss_mb = name, peak_rss_mb(server)
        if app is not None:
            time.sleep(SETTLE)
            counted = view_count(app) - before
            good = result.requests - result.bad
            # wrk stops with up to one request in flight per connection: the server answers and
            # counts those, wrk never reads them. Fewer views than 200s would be a lost view.
            extra = counted - good
            result.views_ok = f"ok+{extra}" if 0 <= extra <= CONNECTIONS else f"BAD {counted}/{good}"
        results.setdefault(name, []).append(result)

    print(f"Setting up in {tmp} ...", file=sys.stderr)
    base_app = make_app(f"sqlite:///{tmp / 'bench.sqlite'}")
    # The POST case writes to its own copy: the queue case must find the 25 pending comments the
    # issue names, not the thousands of comments the POST case adds.
    post_uri = copy_sqlite(tmp / "bench.sqlite", tmp / "post.sqlite")
    scale_app = None if args.skip_scale else make_app(f"sqlite:///{tmp / 'scale.sqlite'}", scale=True)
    pg_app = make_app(PG_BENCH) if not args.skip_postgres and ensure_postgres_database() else None

    with contextlib.ExitStack() as stack:
        ceiling = stack.enter_context(gunicorn("sqlite://", tmp, workers=workers, env=env, app_module="bench.ceiling:app"))
        app_server = stack.enter_context(gunicorn(base_app.config["SQLALCHEMY_DATABASE_URI"], tmp, workers=workers, env=env))
        post_server = stack.enter_context(gunicorn(post_uri, tmp, workers=workers, env=env))
        scale_server = scale_app and stack.enter_context(
            gunicorn(scale_app.config["SQLALCHEMY_DATABASE_URI"], tmp, workers=workers, env=env))
        pg_server = pg_app and stack.enter_context(gunicorn(PG_BENCH, tmp, workers=workers, env=env))
        cookie = signed_in_cookie(app_server, base_app)
        for round_number in range(rounds):
            print(f"Round {round_number + 1} of {rounds} ...", file=sys.stderr)
            measure(CEILING, ceiling, "/")
            measure("article (view recorded)", app_server, f"/post/{ARTICLE}", "views.lua", app=base_app)
            measure("index", app_server, "/")
            measure("comment POST", post_server, f"/post/{ARTICLE}/comments", "comment.lua")
            measure("moderation queue", app_server, "/moderation/", headers={"Cookie": cookie})
            if pg_server:
                measure("article on PostgreSQL", pg_server, f"/post/{ARTICLE}", "views.lua", app=pg_app)
            if scale_server:
                measure("article, 100x data", scale_server, f"/post/{ARTICLE}", "views.lua", app=scale_app)
                measure("index, 100x data", scale_server, "/")
    if pg_app:
        with pg_app.app_context():
            db.drop_all()
    report(results, quick=args.quick, workers=workers)
    shutil.rmtree(tmp, ignore_errors=True)
    mismatches = [r for rs in results.values() for r in rs if r.views_ok.startswith("BAD") or r.bad]
    return 1 if mismatches else 0


def best(rs: list[Result]) -> Result:
    return max(rs, key=lambda r: r.rps)


def report(results: dict[str, list[Result]], quick: bool, workers: int) -> None:
    ceiling = best(results[CEILING]).rps
    print(f"\nbench/run{' --quick' if quick else ''} on {dt.date.today()}, {platform.node()}, "
          f"{os.cpu_count()} cores, gunicorn {workers} sync workers, wrk 2 threads x 32 connections")
    header = f"{'case':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>7} {'of ceiling':>10} {'views':>6} {'RSS MB':>7} {'bad':>4}"
    print(header)
    print("-" * len(header))
    for name, rs in results.items():
        for r in rs:
            ratio = r.rps / ceiling
            print(f"{name:28} {r.rps:8.0f} {r.p50_ms:8.2f} {r.p99_ms:8.2f} {r.p99_ms / max(r.p50_ms, 0.001):7.1f} "
                  f"{ratio:9.0%} {r.views_ok:>6} {r.rss_mb:7.1f} {r.bad:4d}")
    if quick:
        return
    print("\nTargets (best of the rounds):")
    for name, target in TARGETS.items():
        if name in results:
            share = best(results[name]).rps / ceiling
            print(f"  {name:28} {share:6.0%} of the ceiling, target {target:.0%}: {'met' if share >= target else 'NOT met'}")
    for name, base in (("article, 100x data", "article (view recorded)"), ("index, 100x data", "index")):
        if name in results:
            keep = best(results[name]).rps / best(results[base]).rps
            print(f"  {name:28} {keep:6.0%} of the small-data throughput, target 90%: {'met' if keep >= 0.9 else 'NOT met'}")
    tails = [r for rs in results.values() for r in rs if r.p99_ms > 4 * r.p50_ms]
    print(f"  p99 <= 4 x p50 in every run: {'met' if not tails else 'NOT met: ' + ', '.join(sorted({r.case for r in tails}))}")
    peak = max(r.rss_mb for rs in results.values() for r in rs)
    print(f"  peak RSS per worker {peak:.1f} MB, target < 80 MB: {'met' if peak < 80 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
