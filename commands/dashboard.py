"""/dashboard: a one-time link to the organisers' web dashboard (organisers)."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.runtime.signin import LINK_LIFETIME, base_url, new_link, signing_key
from commands.spec import Permission, command


@command(
    "dashboard",
    "Get a one-time link to the organisers' dashboard in your browser.",
    permission=Permission.ORGANISER,
)
async def dashboard(invocation: Invocation, services: Services) -> Reply:
    base = base_url(services.settings)
    if base is None:
        return Reply.error(
            "The dashboard is off. Set MOBILISE_DASHBOARD_PORT and restart the bot to turn it on."
        )
    key = await signing_key(services.settings, services.store)
    token = new_link(key, invocation.user, invocation.now)
    minutes = int(LINK_LIFETIME.total_seconds() // 60)
    return Reply(
        text=(
            f"Your dashboard link, for you only: it works once, in the next {minutes} "
            f"minutes, and keeps you signed in for the working day.\n{base}/signin?token={token}"
        ),
        ephemeral=True,
    )
