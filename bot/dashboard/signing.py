"""Signing in to the dashboard: the one-time link, the session cookie, signing out, and
the check that every page makes."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from bot.dashboard.base import COOKIE, KEY, SERVICES, STATE, Handler, message
from bot.runtime.signin import (
    SESSION_LIFETIME,
    Refusal,
    Signed,
    TokenRefused,
    new_session,
    read,
    use_link,
)

log = logging.getLogger("bot.dashboard")

NOT_SIGNED_IN = (
    "You're not signed in, or your session has ended.",
    "Run /dashboard in chat (organisers only) for a sign-in link, then open it here.",
)
REFUSED = {
    Refusal.EXPIRED: (
        "This link has expired",
        "Sign-in links last 10 minutes. Run /dashboard in chat for a new one.",
    ),
    Refusal.USED: (
        "This link has been used already",
        "Each sign-in link works once. Run /dashboard in chat for a new one.",
    ),
    Refusal.FORGED: (
        "This link is not valid",
        "It may have been cut short when it was copied. Run /dashboard in chat for a new one.",
    ),
}


def now_of(request: web.Request) -> datetime:
    return request.app[SERVICES].clock.now()


def session_of(request: web.Request) -> Signed | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return read(request.app[KEY], "session", token, now_of(request))
    except TokenRefused:
        return None


def _secure(request: web.Request) -> bool:
    return request.secure or bool(request.app[STATE]["secure"])


async def sign_in(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    now = now_of(request)
    token = request.query.get("token", "")
    try:
        signed = await use_link(request.app[KEY], services.store, token, now)
    except TokenRefused as refused:
        if refused.signed is not None:  # our link, but expired or used: worth a record
            await services.store.audit.record(
                refused.signed.user, "refused", f"dashboard link {refused.why.value}", now
            )
        else:
            log.info("refused a dashboard sign-in: not a link of ours")
        title, line = REFUSED[refused.why]
        return message(request, title, [line], 403)
    user = signed.user
    session, _ = new_session(request.app[KEY], user, now)
    await services.store.audit.record(user, "dashboard sign-in", None, now)
    log.info("dashboard sign-in on %s", user.platform)
    response = web.HTTPSeeOther("/")  # raised below, with the cookie
    response.set_cookie(
        COOKIE,
        session,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        secure=_secure(request),
        samesite="Strict",
    )
    raise response


async def sign_out(request: web.Request) -> web.StreamResponse:
    # Nothing is expected: more than MAX_BODY is refused (413), a slow body cut off (408).
    try:
        async with asyncio.timeout(request.app[SERVICES].settings.http_body_timeout):
            await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout from None
    response = message(request, "Signed out", ["Run /dashboard in chat to sign in again."], 200)
    response.del_cookie(COOKIE, path="/")
    return response


def requires_session(handler: Handler) -> Handler:
    """No page, table or chart without a session: a page says how to sign in."""

    async def checked(request: web.Request) -> web.StreamResponse:
        if session_of(request) is None:
            if request.path.endswith((".json", ".csv", ".png")):
                return web.json_response({"error": "not signed in"}, status=401)
            return message(request, "Please sign in", NOT_SIGNED_IN, 401)
        return await handler(request)

    return checked
