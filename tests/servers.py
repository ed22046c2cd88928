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


class OldSite:
    """The blog a clinic moves away from, on a free loopback port: files by path (bytes and a
    Content-Type), a 404 for anything else, and paths that answer only after a delay."""

    def __init__(self):
        import http.server
        import threading

        self.files: dict[str, tuple[bytes, str]] = {}
        self.delays: dict[str, float] = {}
        self.requests: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the http.server interface)
                site.requests.append(self.path)
                if self.path in site.delays:
                    time.sleep(site.delays[self.path])
                found = site.files.get(self.path)
                if found is None:
                    self.send_error(404)
                    return
                body, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, path: str, body: bytes, content_type: str = "application/octet-stream") -> str:
        self.files[path] = (body, content_type)
        return self.base_url + path

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def png_bytes(red: int, green: int, blue: int, size: int = 2) -> bytes:
    """A real PNG of one colour (browsers show it), made here so the tests carry no binary files."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((red, green, blue)) * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
