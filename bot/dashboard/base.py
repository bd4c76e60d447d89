"""What every dashboard response shares: the protective headers, the templates, error
pages, and the application's keys."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import jinja2
from aiohttp import web

from bot.adapters.slack_http import where_raised
from bot.runtime.services import Services
from bot.views.dashboard import sort_href

log = logging.getLogger("bot.dashboard")

COOKIE = "mobilise_dashboard"
MAX_BODY = 4096  # nothing here takes a body but the sign-in and sign-out buttons' forms
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
STATIC = {"dashboard.css": "text/css", "dashboard.js": "text/javascript"}

SERVICES = web.AppKey("services", Services)
KEY = web.AppKey("key", bytes)
STATE = web.AppKey("state", dict)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.dashboard", "templates"),
        autoescape=True,  # every template is HTML: user text is always escaped
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals["sort_href"] = sort_href
    return env


# --- every response -----------------------------------------------------------------------


async def protect(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in HEADERS.items():
        response.headers[name] = value
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"


@web.middleware
async def errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Errors as pages of ours: a 404 or 405 said plainly, a bug of ours logged in one line
    (where it failed, never what was asked)."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400:
            raise
        titles = {404: "Page not found", 405: "Not allowed", 408: "Too slow", 413: "Too large"}
        title = titles.get(error.status, "That did not work")
        lines = ["Check the address, or start again from the dashboard's first page."]
        return message(request, title, lines, error.status, home=True)
    except Exception as error:
        log.error("a dashboard page failed (%s)", where_raised(error))
        lines = ["Please try again in a moment."]
        return message(request, "Sorry, something went wrong", lines, 500, home=True)


def render(request: web.Request, template: str, status: int = 200, **values: Any) -> web.Response:
    state = request.app[STATE]
    services = request.app[SERVICES]
    values.setdefault("version", "")
    values.setdefault("menu", [])
    values.setdefault("signed_in", "")
    values.setdefault("until", "")
    values.setdefault("current", "")
    values.setdefault("back", "")
    html = (
        state["env"]
        .get_template(template)
        .render(campaign=services.campaign.candidate.name, **values)
    )
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def message(
    request: web.Request,
    title: str,
    lines: list[str] | tuple[str, ...],
    status: int,
    *,
    home: bool = False,
) -> web.Response:
    """A page that says one thing; `home`: with a link to the first page (error pages
    have no menu)."""
    return render(request, "message.html", status, title=title, lines=list(lines), home=home)
