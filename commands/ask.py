"""/ask: a question about the manifesto or the election, answered from the campaign pack."""

from __future__ import annotations

from bot.campaign.phases import steps_for_phase
from bot.knowledge.junk import DIDNT_CATCH, is_junk
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, command

MAX_QUESTION = 500


@command(
    "ask",
    "Ask a question about the manifesto or the election.",
    Option("question", "Your question", required=True, max_length=MAX_QUESTION),
)
async def ask(invocation: Invocation, services: Services) -> Reply:
    question = invocation.text("question") or ""
    if is_junk(question, services.campaign.root):  # mash, emoji, a stray number: not queued
        return Reply(text=DIDNT_CATCH, ephemeral=True)
    answer = services.answers.answer(question, invocation.now)
    text = answer.text
    if answer.answered and answer.source_id == "what-you-can-do":
        # The pack's steps are about getting nominations: outside that phase, the
        # phase's own advice instead.
        text = steps_for_phase(services.campaign, invocation.now) or text
    if not answer.answered and answer.kind in ("none", "not-stated"):
        queued = await services.store.questions.record_unanswered(
            question, services.answers.normalise(question), invocation.user, invocation.now
        )
        if queued.refused in NOT_KEPT:
            text = NOT_KEPT[queued.refused].format(email=services.campaign.info.contact.email)
    return Reply(text=text, source=answer.source, ephemeral=True)


NOT_KEPT = {
    "asker": (
        "I don't know: the campaign material doesn't cover that. You already have 20 "
        "questions waiting for the organisers, so I haven't kept this one; please ask again "
        "once they have answered, or email {email}."
    ),
    "queue": (
        "I don't know: the campaign material doesn't cover that. The organisers' queue of "
        "questions is full just now, so I haven't kept this one; please ask again later, "
        "or email {email}."
    ),
}
