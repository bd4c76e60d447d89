"""The organisers' web dashboard: an aiohttp application, HTML rendered on the server.

Read only. An organiser signs in with a one-time link from `/dashboard` in chat; the
link opens a session cookie for a working day. Every response carries a strict
Content-Security-Policy and the other protective headers; pages load one stylesheet and
one script from this server, and nothing else. Names and questions are escaped by the
templates (autoescape), so markup, script or a mention in them is shown as typed.
"""

from __future__ import annotations

import json
import logging
import time
from importlib import resources
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.campaign.dates import clock_time, short_day
from bot.dashboard.base import (
    KEY,
    MAX_BODY,
    SERVICES,
    STATE,
    STATIC,
    environment,
    errors,
    protect,
    render,
)
from bot.dashboard.signing import (
    now_of,
    requires_session,
    session_of,
    sign_in,
    sign_in_page,
    sign_out,
)
from bot.runtime.changes import Change
from bot.runtime.services import Services
from bot.views import dashboard as views
from bot.views import dashboard_lists as lists
from bot.views.exports import table_csv

log = logging.getLogger(__name__)


def _static_files() -> dict[str, bytes]:
    folder = resources.files("bot.dashboard") / "static"
    return {name: (folder / name).read_bytes() for name in STATIC}


def make_app(services: Services, key: bytes, *, secure_cookie: bool = False) -> web.Application:
    """The dashboard for `services`; `key` signs links and sessions (`signin.signing_key`).
    `secure_cookie`: the session cookie is Secure even where the request came over plain
    HTTP (served behind a proxy that ends TLS)."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[errors])
    app[SERVICES] = services
    app[KEY] = key
    state: dict[str, Any] = {
        "env": environment(),
        "static": _static_files(),
        "changes": 0,
        "started": str(int(time.time())),
        "secure": secure_cookie,
        "chart": (None, b""),
    }
    app[STATE] = state

    def changed(_change: Change) -> None:
        state["changes"] += 1

    async def subscribe(_app: web.Application) -> None:
        services.changes.subscribe(changed)

    async def unsubscribe(_app: web.Application) -> None:
        services.changes.unsubscribe(changed)

    app.on_startup.append(subscribe)
    app.on_cleanup.append(unsubscribe)
    app.on_response_prepare.append(protect)
    app.router.add_get("/", _home)
    app.router.add_get("/signin", sign_in_page)
    app.router.add_post("/signin", sign_in)
    app.router.add_post("/signout", sign_out)
    app.router.add_get("/version.json", _version_json)
    app.router.add_get("/chart.png", _chart)
    app.router.add_get("/static/{name}", _static)
    for slug in views.PAGES:
        app.router.add_get(f"/{slug}", _page)
        app.router.add_get(f"/{slug}/{{table}}.csv", _page_csv)
    app.router.add_get("/branches/{code}/{table}.csv", _branch_csv)
    app.router.add_get("/branches/{code}", _branch)
    return app


# --- pages --------------------------------------------------------------------------------


def _version(request: web.Request) -> str:
    state = request.app[STATE]
    return f"{state['started']}-{state['changes']}"


@requires_session
async def _home(request: web.Request) -> web.StreamResponse:
    first = views.page_order(request.app[SERVICES], now_of(request))[0]
    raise web.HTTPSeeOther(f"/{first}")


async def _build(request: web.Request, slug: str) -> views.Page:
    services = request.app[SERVICES]
    now = now_of(request)
    if slug == "tally":
        return await views.tally_page(services, now)
    if slug == "branches":
        return await views.branches_page(services, now, request.query)
    if slug == "questions":
        return await lists.questions_page(services, now)
    if slug == "turnout":
        return await lists.turnout_page(services, now)
    if slug == "reminders":
        return await lists.reminders_page(services, now)
    raise web.HTTPNotFound


def _show(
    request: web.Request, page: views.Page, csv_base: str, current: str, back: str = ""
) -> web.Response:
    services = request.app[SERVICES]
    signed = session_of(request)
    assert signed is not None
    zone = services.settings.zone
    until = signed.expires.astimezone(zone)
    order = views.page_order(services, now_of(request))
    query = "?" + urlencode(page.query) if page.query else ""
    return render(
        request,
        "page.html",
        page=page,
        title=page.title,
        version=_version(request),
        menu=[(slug, views.PAGES[slug]) for slug in order],
        current=current,
        signed_in=signed.user.display_name or signed.user.id,
        until=f"{clock_time(until)} {short_day(until.date())}",
        csv_base=csv_base,
        csv_query=query,
        back=back,
    )


@requires_session
async def _page(request: web.Request) -> web.StreamResponse:
    slug = request.path.strip("/")
    page = await _build(request, slug)
    return _show(request, page, f"/{slug}", slug)


async def _branch_or_404(request: web.Request, code: str) -> views.Page:
    page = await views.branch_page(request.app[SERVICES], now_of(request), code)
    if page is None:
        raise web.HTTPNotFound
    return page


@requires_session
async def _branch(request: web.Request) -> web.StreamResponse:
    code = request.match_info["code"]
    page = await _branch_or_404(request, code)
    return _show(request, page, views.branch_href(code), "branches", back="/branches")


def _csv(request: web.Request, page: views.Page, table_id: str, name: str) -> web.Response:
    table = page.table(table_id)
    if table is None:
        raise web.HTTPNotFound
    columns, rows = views.csv_rows(table)
    text = table_csv(columns, rows, request.app[SERVICES].campaign)
    today = now_of(request).date().isoformat()
    return web.Response(
        text=text,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-{today}.csv"'},
    )


@requires_session
async def _page_csv(request: web.Request) -> web.StreamResponse:
    slug = request.path.strip("/").split("/")[0]
    table_id = request.match_info["table"]
    page = await _build(request, slug)
    return _csv(request, page, table_id, f"{slug}-{table_id}")


@requires_session
async def _branch_csv(request: web.Request) -> web.StreamResponse:
    code = request.match_info["code"]
    page = await _branch_or_404(request, code)
    safe = "".join(ch for ch in code if ch.isalnum() or ch in "-_")[:40] or "branch"
    return _csv(request, page, request.match_info["table"], f"{safe}-{request.match_info['table']}")


@requires_session
async def _version_json(request: web.Request) -> web.StreamResponse:
    return web.Response(
        text=json.dumps({"version": _version(request)}), content_type="application/json"
    )


@requires_session
async def _chart(request: web.Request) -> web.StreamResponse:
    """The tally chart, made again only after a change or on a new day (matplotlib takes
    a moment)."""
    state = request.app[STATE]
    now = now_of(request)
    version = f"{_version(request)}-{now.date()}"
    made_for, png = state["chart"]
    if made_for != version:
        png = await views.chart_png(request.app[SERVICES], now)
        state["chart"] = (version, png)
    return web.Response(body=png, content_type="image/png")


async def _static(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    body = request.app[STATE]["static"].get(name)
    if body is None:
        raise web.HTTPNotFound
    return web.Response(
        body=body,
        content_type=STATIC[name],
        charset="utf-8",
        headers={"Cache-Control": "no-cache"},
    )
