"""Only for speed: itsdangerous serializers that build their signer and derive its keys once, not per call,
and Flask's cookie sessions on them.

Flask signs the session cookie and Flask-WTF the form token with URLSafeTimedSerializer, which
makes a new signer and derives its key again on every dumps() and loads(): about a third of
the cost of a fresh reader's cookie and token (bench/run). These subclasses cache both; the
bytes they produce and accept are itsdangerous's own (tests post comments with such tokens and
cookies, and read cookies made by Flask's stock interface)."""
from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


class KeyOnceSigner(TimestampSigner):
    """A timestamp signer that remembers each derived key."""

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        cache = self.__dict__.setdefault("_derived", {})
        key = cache.get(secret_key)
        if key is None:
            key = cache[secret_key] = super().derive_key(secret_key)
        return key


class OneSignerSerializer(URLSafeTimedSerializer):
    """URLSafeTimedSerializer with one signer for its own salt, made on first use."""

    default_signer = KeyOnceSigner

    @classmethod
    def like(cls, stock: URLSafeTimedSerializer) -> "OneSignerSerializer":
        """The same serializer as `stock` (the one Flask or Flask-WTF built: its keys in its order, salt,
        payload serializer and signer options), read through itsdangerous's public attributes."""
        return cls(stock.secret_keys, salt=stock.salt, serializer=stock.serializer,
                   signer_kwargs=stock.signer_kwargs)

    def make_signer(self, salt: str | bytes | None = None) -> TimestampSigner:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        signer = self.__dict__.get("_signer")
        if signer is None:
            signer = self.__dict__["_signer"] = super().make_signer()
        return signer


class CachedSignerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the serializer Flask builds (its keys, salt and order)
    wrapped once per app in one that keeps its signer and derived keys (blog.perf.signing), instead of
    a new serializer, signer and key derivation on every request."""

    def get_signing_serializer(self, app: Flask):
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or []))
        cached = app.extensions.get("session_signer")
        if cached is None or cached[0] != keys:
            stock = super().get_signing_serializer(app)
            if stock is None:
                return None
            cached = app.extensions["session_signer"] = (keys, OneSignerSerializer.like(stock))
        return cached[1]
