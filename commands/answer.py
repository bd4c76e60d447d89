"""/answer: an organiser answers a queued question; the bot uses the answer from then on."""

from __future__ import annotations

from bot.campaign.dates import plural
from bot.errors import UserError
from bot.knowledge.replies import MAX_ANSWER, LearnedAnswer
from bot.runtime.messages import Invocation, Reply, Target
from bot.runtime.services import Services
from bot.text import shorten
from commands.spec import Option, OptionType, Permission, command

MAX_TEXT = MAX_ANSWER - 100


@command(
    "answer",
    "Answer a question from /questions: the people who asked get it, and the bot answers "
    "it and similar ones from then on.",
    Option(
        "id",
        "The question's number from /questions",
        OptionType.INTEGER,
        required=True,
        min_value=1,
        max_value=2**31 - 1,  # the store's largest id
    ),
    Option("text", "Your answer", required=True, max_length=MAX_TEXT),
    Option("question", "The question as it should be shown (default: as it was asked)"),
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
    store = services.store.questions
    saved = await store.add_answer(
        number, text, invocation.user, invocation.now, invocation.text("question")
    )
    if saved is None:
        raise UserError(f"Question #{number} has already been answered.")
    services.answers.learn(LearnedAnswer(saved.id, saved.question, saved.answer))
    sent = unreached = 0
    for asker in await store.askers(number):
        told = Reply(
            text=f"You asked: \u201c{shorten(queued.text, 150)}\u201d\n{saved.answer}",
            source={"id": f"faq-q{saved.id}", "title": f"Organisers: {saved.question}"},
            ephemeral=False,
        )
        target = Target(asker.platform, "user", asker.id)
        outcome = await services.outbox.send(target, told, f"answer-{number}-{asker.key}")
        if outcome is not None and outcome.status == "sent":
            sent += 1
        else:
            unreached += 1
    told_them = f" Sent to {plural(sent, 'person', 'people')} who asked." if sent else ""
    if unreached:
        told_them += (
            f" {plural(unreached, 'person', 'people')} could not be reached from here; "
            "they will get it if they ask again."
        )
    return Reply(
        text=(
            f"Thanks! Saved.{told_them} From now on I'll answer "
            f"{shorten(saved.question, 80)!r} and questions like it with your answer."
        ),
        ephemeral=True,
    )
