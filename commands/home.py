"""/home: the campaign at a glance, as on the Slack Home tab (organisers see the overview)."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.views.home import build_home
from commands.spec import command


@command("home", "See your branch, your reminders and the campaign at a glance.")
async def home(invocation: Invocation, services: Services) -> Reply:
    view = await build_home(services, invocation.user, invocation.is_organiser, invocation.now)
    return view.as_reply()
