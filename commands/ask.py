"""/ask: a question about the manifesto or the election, answered from the campaign pack."""

from __future__ import annotations

from bot.messages import Invocation, Reply
from bot.services import Services
from commands.spec import Option, command

MAX_QUESTION = 500


@command(
    "ask",
    "Ask a question about the manifesto or the election.",
    Option("question", "Your question", required=True, max_length=MAX_QUESTION),
)
async def ask(invocation: Invocation, services: Services) -> Reply:
    question = invocation.text("question") or ""
    answer = services.answers.answer(question, invocation.now)
    if not answer.answered and answer.kind == "none":
        await services.store.questions.record_unanswered(
            question, services.answers.normalise(question), invocation.now
        )
    return Reply(text=answer.text, source=answer.source, ephemeral=True)
