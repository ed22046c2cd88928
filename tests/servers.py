"""Real servers for tests: gunicorn on a free loopback port, and a small HTTP client for it."""
from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SERVER_SECRET = "server-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict
    body: str


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None,
                timeout: float = 10, raw: bytes | None = None) -> Reply:
        """One HTTP request on a fresh connection; redirects are not followed."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        body = urlencode(form, doseq=True) if form is not None else raw
        all_headers = {"User-Agent": "Mozilla/5.0 (test)", **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace"))
        finally:
            connection.close()

    def worker_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextlib.contextmanager
def gunicorn(database_uri: str, tmp_path: Path, workers: int = 2, env: dict | None = None,
             app_module: str = "app:app"):
    """Run `gunicorn app:app` from the repo with the committed gunicorn.conf.py; stop it afterwards."""
    port = free_port()
    log_path = tmp_path / f"gunicorn-{port}.log"
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FLASK_")},
        "FLASK_SECRET_KEY": SERVER_SECRET,
        "FLASK_SQLALCHEMY_DATABASE_URI": database_uri,
        "FLASK_RATELIMIT_ENABLED": "false",
        "BLOG_INSTANCE_PATH": str(tmp_path),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        **(env or {}),
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", app_module], cwd=ROOT, env=environment,
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(port, process, log_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{server.log()}")
            try:
                if server.request("GET", "/healthz" if app_module == "app:app" else "/", timeout=2).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in 30 s:\n{server.log()}")
            time.sleep(0.1)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


class Visitor:
    """A cookie-keeping client for one person: fetches pages, reads form tokens, posts forms."""

    def __init__(self, server: Server, agent: str = "Mozilla/5.0 (visitor)"):
        self.server, self.agent, self.cookies = server, agent, {}

    def _headers(self) -> dict:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"User-Agent": self.agent, **({"Cookie": cookie} if cookie else {})}

    def _keep_cookies(self, reply: Reply) -> Reply:
        for name, value in reply.headers.items():
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                self.cookies[key.strip()] = val.strip()
        return reply

    def get(self, path: str) -> Reply:
        return self._keep_cookies(self.server.request("GET", path, headers=self._headers()))

    def post(self, path: str, form: dict | None = None, raw: bytes | None = None) -> Reply:
        return self._keep_cookies(self.server.request("POST", path, form=form, raw=raw, headers=self._headers()))

    def token(self, path: str) -> str:
        match = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).body)
        assert match, f"no form token on {path}"
        return match.group(1)
