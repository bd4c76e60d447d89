"""Signing in to the dashboard: the one-time link, the session cookie, signing out, and
the check that every page makes."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from bot.dashboard.base import COOKIE, KEY, SERVICES, STATE, Handler, message, render
from bot.runtime.signin import (
    SESSION_LIFETIME,
    Refusal,
    Signed,
    TokenRefused,
    check_link,
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


async def _refused(request: web.Request, refused: TokenRefused) -> web.Response:
    services = request.app[SERVICES]
    if refused.signed is not None:  # our link, but expired or used: worth a record
        await services.store.audit.record(
            refused.signed.user, "refused", f"dashboard link {refused.why.value}", now_of(request)
        )
    else:
        log.info("refused a dashboard sign-in: not a link of ours")
    title, line = REFUSED[refused.why]
    return message(request, title, [line], 403)


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    """The link's page: a button that signs in. Opening the link uses nothing, so a chat
    app's link preview cannot spend it; and the button's request comes from this site, so
    the browser sends the SameSite=Strict cookie on the way to the first page, even when
    the link was clicked in chat in another site's tab."""
    token = request.query.get("token", "")
    try:
        signed = await check_link(
            request.app[KEY], request.app[SERVICES].store, token, now_of(request)
        )
    except TokenRefused as refused:
        return await _refused(request, refused)
    return render(
        request,
        "signin.html",
        title="Sign in to the dashboard",
        name=signed.user.display_name or signed.user.id,
        token=token,
    )


async def sign_in(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    now = now_of(request)
    try:
        async with asyncio.timeout(services.settings.http_body_timeout):
            form = await request.post()
    except TimeoutError:
        raise web.HTTPRequestTimeout from None
    token = form.get("token")
    try:
        signed = await use_link(
            request.app[KEY], services.store, token if isinstance(token, str) else "", now
        )
    except TokenRefused as refused:
        return await _refused(request, refused)
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
    services = request.app[SERVICES]
    try:
        async with asyncio.timeout(services.settings.http_body_timeout):
            await request.read()
    except TimeoutError:
        raise web.HTTPRequestTimeout from None
    signed = session_of(request)
    if signed is not None and signed.nonce:
        # The session ends on the server too: a copy of the cookie no longer signs in.
        await services.store.signins.use(signed.nonce, signed.expires, now_of(request))
    response = message(request, "Signed out", ["Run /dashboard in chat to sign in again."], 200)
    response.del_cookie(COOKIE, path="/")
    return response


async def _ended(request: web.Request, nonce: str) -> bool:
    """Whether the session signed out (its nonce recorded as used)."""
    return await request.app[SERVICES].store.signins.used(nonce)


def requires_session(handler: Handler) -> Handler:
    """No page, table or chart without a session: a page says how to sign in."""

    async def checked(request: web.Request) -> web.StreamResponse:
        signed = session_of(request)
        if signed is None or not signed.nonce or await _ended(request, signed.nonce):
            if request.path.endswith((".json", ".csv", ".png")):
                return web.json_response({"error": "not signed in"}, status=401)
            return message(request, "Please sign in", NOT_SIGNED_IN, 401)
        return await handler(request)

    return checked
