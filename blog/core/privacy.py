"""Turning client addresses into keys that cannot be read back: the only place that touches request.remote_addr."""
import hashlib
import hmac

from flask import current_app, request


def keyed_hash(key: bytes, *parts: str) -> str:
    """HMAC-SHA256 of the parts under key, hex encoded."""
    message = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def client_address() -> str:
    """The client's address as the (possibly proxy-fixed) request reports it. Never store this."""
    return request.remote_addr or ""


def client_key() -> str:
    """A stable, non-reversible key for the current client, for rate limiting."""
    secret = (current_app.config.get("SECRET_KEY") or "").encode()
    return keyed_hash(secret, "client", client_address())[:32]
