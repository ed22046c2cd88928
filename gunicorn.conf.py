"""gunicorn settings for `gunicorn app:app`; each can be overridden from the environment."""
import multiprocessing
import os

# Listen where the environment says (GUNICORN_BIND or PORT), else on loopback for a reverse proxy.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# One sync worker per core: requests are short and CPU-bound (bench/run measured it). gthread
# (GUNICORN_WORKER_CLASS=gthread GUNICORN_THREADS=n) measured worse here: 1,030 to 1,660 req/s
# against 1,790 for the article page with 2 or 4 threads, on 2026-11-24's machine.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count())
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so a slow leak can never grow without bound; rarely, because a
# new worker starts with empty page caches (at 5,000 the benchmark saw p99 spikes from restarts).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "100000"))
max_requests_jitter = max_requests // 10
# Logs go to standard error. The app itself logs one line per request (request id, method,
# path, status, time; no address, no query string), so gunicorn's access log is off unless
# GUNICORN_ACCESS_LOG names a file ("-" for stderr); its format leaves out the address too.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
access_log_format = '%(t)s rid=%({x-request-id}o)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus'
# The app is imported once in the master, so workers share its memory.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn would take SCRIPT_NAME and PATH_INFO request headers from those addresses; the app's URL
# prefix comes from its SITE_URL instead (blog/core/security.py), so no request header may set them.
forwarder_headers = ""


def post_fork(server, worker):
    """Each worker opens its own database connections (none may be shared across the fork) and starts
    its background threads: WAL checkpoints, daily housekeeping, the mail sender."""
    app = server.app.wsgi()
    if "sqlalchemy" in getattr(app, "extensions", {}):
        from blog.extensions import db
        from blog.operations.housekeeping import start_daily_housekeeping
        from blog.operations.sqlite_maintenance import start_checkpointer

        with app.app_context():
            db.engine.dispose(close=False)
        start_checkpointer(app)
        start_daily_housekeeping(app)
        from blog.mail.sender import background_sender

        sender = background_sender(app)  # the outbox: due mail and retries, from every worker (each mail once)
        if sender is not None:
            sender.ensure_running(persistent=True)
