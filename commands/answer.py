"""/answer: an organiser answers a queued question; the bot uses the answer from then on."""

from __future__ import annotations

from bot.errors import UserError
from bot.knowledge import MAX_ANSWER, LearnedAnswer
from bot.messages import Invocation, Reply
from bot.services import Services
from bot.text import shorten
from commands.spec import Option, OptionType, Permission, command

MAX_TEXT = MAX_ANSWER - 100


@command(
    "answer",
    "Answer a question from /questions; the bot answers it and similar ones from then on.",
    Option(
        "id",
        "The question's number from /questions",
        OptionType.INTEGER,
        required=True,
        min_value=1,
    ),
    Option("text", "Your answer", required=True, max_length=MAX_TEXT),
    permission=Permission.ORGANISER,
)
async def answer(invocation: Invocation, services: Services) -> Reply:
    number = invocation.integer("id")
    text = invocation.text("text")
    assert number is not None and text is not None
    queued = await services.store.questions.get(number)
    if queued is None:
        raise UserError(f"There is no question #{number}. /questions lists them.")
    if queued.answered_at is not None:
        raise UserError(f"Question #{number} has already been answered.")
    saved = await services.store.questions.add_answer(number, text, invocation.user, invocation.now)
    if saved is None:
        raise UserError(f"Question #{number} has already been answered.")
    services.answers.learn(LearnedAnswer(saved.id, saved.question, saved.answer))
    return Reply(
        text=(
            f"Thanks! Saved. From now on I'll answer {shorten(saved.question, 80)!r} "
            "and questions like it with your answer."
        ),
        ephemeral=True,
    )
