"""Signed tokens for the organisers' dashboard: one-time sign-in links and sessions.

A token is `payload.signature`, both URL-safe base64: the payload is JSON naming the
person, the kind of token (`link` or `session`), when it expires and, for a link, a
random nonce; the signature is HMAC-SHA256 over the kind and payload with the key from
the settings (`MOBILISE_DASHBOARD_SECRET`), or one made once and kept in the store. A
link is refused once expired, or once its nonce has been used (`store.signins`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Literal

from bot.campaign.domain import User
from bot.runtime.settings import Settings
from bot.store import Store

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=10)  # a working day
SECRET_STATE = "dashboard_secret"  # noqa: S105 (the state key of the generated key)
MAX_TOKEN = 2048

Kind = Literal["link", "session"]


class Refusal(StrEnum):
    """Why a token was not accepted."""

    FORGED = "forged"  # not signed with our key, or not a token at all
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True, slots=True)
class Signed:
    """What a valid token says."""

    user: User
    expires: datetime
    nonce: str = ""


class TokenRefused(Exception):
    def __init__(self, why: Refusal, signed: Signed | None = None):
        super().__init__(why.value)
        self.why = why
        self.signed = signed  # set when the signature was good (expired, used)


async def signing_key(settings: Settings, store: Store) -> bytes:
    """The key from the settings, or the one kept in the store (made the first time)."""
    if settings.dashboard_secret is not None and settings.dashboard_secret.get_secret_value():
        return settings.dashboard_secret.get_secret_value().encode("utf-8")
    kept = await store.deliveries.state_value(SECRET_STATE)
    if kept is None:
        await store.deliveries.set_state_value(SECRET_STATE, secrets.token_urlsafe(32))
        kept = await store.deliveries.state_value(SECRET_STATE)
        assert kept is not None
    return kept.encode("ascii")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(key: bytes, kind: Kind, payload: str) -> bytes:
    return hmac.new(key, f"{kind}.{payload}".encode("ascii"), hashlib.sha256).digest()


def sign(key: bytes, kind: Kind, user: User, expires: datetime, nonce: str = "") -> str:
    body = {
        "p": user.platform,
        "i": user.id,
        "n": user.display_name[:80],
        "e": int(expires.timestamp()),
        "k": nonce,
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode("utf-8"))
    return f"{payload}.{_b64(_mac(key, kind, payload))}"


def new_link(key: bytes, user: User, now: datetime) -> str:
    """A sign-in link's token, good for `LINK_LIFETIME` and one use."""
    return sign(key, "link", user, now + LINK_LIFETIME, secrets.token_urlsafe(18))


def new_session(key: bytes, user: User, now: datetime) -> tuple[str, datetime]:
    """A session's token, good for `SESSION_LIFETIME`; its nonce is recorded when it signs
    out, so a copy of the cookie stops working then too."""
    expires = now + SESSION_LIFETIME
    return sign(key, "session", user, expires, secrets.token_urlsafe(18)), expires


def read(key: bytes, kind: Kind, token: str, now: datetime) -> Signed:
    """What a token says, if it is ours, of this kind, and not expired."""
    payload, dot, signature = token.partition(".")
    if not dot or len(token) > MAX_TOKEN or not payload.isascii() or not signature.isascii():
        raise TokenRefused(Refusal.FORGED)
    try:
        given = _unb64(signature)
        if not hmac.compare_digest(given, _mac(key, kind, payload)):
            raise TokenRefused(Refusal.FORGED)
        body = json.loads(_unb64(payload))
        user = User(str(body["p"]), str(body["i"]), str(body["n"]))
        expires = datetime.fromtimestamp(int(body["e"]), UTC)
        nonce = str(body["k"])
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise TokenRefused(Refusal.FORGED) from None
    signed = Signed(user, expires, nonce)
    if now >= expires:
        raise TokenRefused(Refusal.EXPIRED, signed)
    return signed


async def check_link(key: bytes, store: Store, token: str, now: datetime) -> Signed:
    """What a sign-in link says, if it could be used now, without using it."""
    signed = read(key, "link", token, now)
    if not signed.nonce or await store.signins.used(signed.nonce):
        raise TokenRefused(Refusal.USED, signed)
    return signed


async def use_link(key: bytes, store: Store, token: str, now: datetime) -> Signed:
    """Accept a sign-in link once: its signature, its expiry, then its nonce."""
    signed = read(key, "link", token, now)
    if not signed.nonce or not await store.signins.use(signed.nonce, signed.expires, now):
        raise TokenRefused(Refusal.USED, signed)
    return signed


def base_url(settings: Settings) -> str | None:
    """The dashboard's address for links, or None when it is off."""
    if settings.dashboard_url:
        return settings.dashboard_url
    if settings.dashboard_port is None:
        return None
    host = settings.dashboard_host
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0", "::", "::1", "") else host  # noqa: S104
    return f"http://{shown}:{settings.dashboard_port}"
