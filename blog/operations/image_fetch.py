"""Fetching an imported post's images into static/images/imported/, so no page asks the old host.

Raster images only (JPEG, PNG, GIF, WebP), recognised by their first bytes, never by the name or
the Content-Type; SVG and everything else is refused (SVG can carry script). A size cap, a
timeout and a limit on redirects. Files are named by a hash of their bytes, so an image used
twice is stored once and importing again writes nothing new."""
from __future__ import annotations

import hashlib
import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from blog.core.images import IMPORTED_FOLDER, kind_of

MAX_IMAGE_BYTES = 10 * 1024 * 1024
TIMEOUT_SECONDS = 15
MAX_REDIRECTS = 3


class ImageError(ValueError):
    """The image cannot be imported; the message says why."""


@dataclass(frozen=True)
class FetchedImage:
    relative_path: str  # under static/: images/imported/3f2a....jpg
    created: bool       # False when the same bytes were there already


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise ImageError(f"redirected to {newurl!r}, which is not http(s)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, max_bytes: int | None = None, timeout: float | None = None) -> bytes:
    """The bytes at an http(s) URL, within the limits (by default MAX_IMAGE_BYTES, TIMEOUT_SECONDS), or ImageError."""
    max_bytes = max_bytes or MAX_IMAGE_BYTES
    timeout = timeout or TIMEOUT_SECONDS
    if urlsplit(url).scheme not in ("http", "https"):
        raise ImageError(f"{url!r} is not an http(s) URL")
    opener = urllib.request.build_opener(_LimitedRedirects)
    request = urllib.request.Request(url, headers={"User-Agent": "clinic-blog import-feed"})
    deadline = time.monotonic() + timeout  # for the whole download, not each read: a trickle is too slow too
    try:
        with opener.open(request, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            chunks, size = [], 0
            while size <= max_bytes:
                chunk = response.read1(min(65536, max_bytes + 1 - size))  # what has arrived, not a full block
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if time.monotonic() > deadline:
                    raise TimeoutError("timed out")
    except urllib.error.HTTPError as exc:
        raise ImageError(f"{url} answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise ImageError(f"{url} could not be fetched ({'too slow' if 'timed out' in str(reason) else reason})") from None
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise ImageError(f"{url} is larger than {_size(max_bytes)}")
    if expected and expected.isdigit() and int(expected) != len(data):
        raise ImageError(f"{url} came incomplete ({len(data):,} of {int(expected):,} bytes)")
    return data


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit:,} bytes"


def store(data: bytes, static_folder: Path, source: str) -> FetchedImage:
    """Keep a downloaded image under static/images/imported/, named by its bytes."""
    kind = kind_of(data)
    if kind is None:
        raise ImageError(f"{source} is not a JPEG, PNG, GIF or WebP image (SVG and other files are refused)")
    relative = IMPORTED_FOLDER / f"{hashlib.sha256(data).hexdigest()[:20]}.{kind}"
    target = static_folder / relative
    if target.is_file():
        return FetchedImage(relative.as_posix(), created=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(target)
    return FetchedImage(relative.as_posix(), created=True)
