"""/questions: the questions the bot could not answer, most asked first (organisers)."""

from __future__ import annotations

from bot.campaign.dates import plural, short_day
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.text import shorten
from commands.spec import Permission, command


@command(
    "questions",
    "List the questions the bot could not answer.",
    permission=Permission.ORGANISER,
    audited=False,
)
async def questions(invocation: Invocation, services: Services) -> Reply:
    queue = await services.store.questions.unanswered(limit=20)
    if not queue:
        return Reply(text="No unanswered questions. Nice!", ephemeral=True)
    zone = services.clock.zone
    lines = [f"Unanswered questions, most asked first ({len(queue)} shown):"]
    for item in queue:
        first = short_day(item.first_asked_at.astimezone(zone).date())
        last = short_day(item.last_asked_at.astimezone(zone).date())
        when = f"on {first}" if first == last else f"{first} to {last}"
        people = plural(item.askers, "person", "people")
        lines.append(
            f"#{item.id} (asked {plural(item.asked_count, 'time')} by {people}, {when}): "
            f"{shorten(item.text, 200)}"
        )
    lines.append("Answer one with /answer id:<number> text:<your answer>.")
    return Reply(text="\n".join(lines), ephemeral=True)
