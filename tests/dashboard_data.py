"""A campaign to show on the dashboard: volunteers (one with a hostile name), a meeting,
a nomination, an unanswered question with markup in it; and signing in from the console."""

from __future__ import annotations

import re

from bot.adapters.console import Console
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.services import Services
from tests.conftest import SEPT_20

# Markup, script and mentions: all must show as typed, and do nothing.
HOSTILE_NAME = '<img src=x onerror="document.title=1">@everyone <!channel>'
HOSTILE_QUESTION = "<script>document.title='owned'</script> is @here <@U012AB> right?"
LINK = re.compile(r"(https?://\S+/signin\?token=\S+)")


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def seed(services: Services, dispatcher: Dispatcher) -> None:
    alice = Console(dispatcher, "alice")
    hostile = Console(dispatcher, HOSTILE_NAME)
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(hostile, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(Console(dispatcher, "bob"), "/volunteer branch:HMRC-CARD consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await services.store.questions.record_unanswered(
        HOSTILE_QUESTION, "hostile question", alice.user, SEPT_20
    )


async def link_from_console(organiser: Console) -> str:
    """The sign-in link an organiser gets from /dashboard in the console."""
    reply = await say(organiser, "/dashboard")
    found = LINK.search(reply)
    assert found is not None, reply
    return found.group(1)
