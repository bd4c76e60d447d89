"""Questions the bot has asked and is waiting to hear back on, one per person.

A reply that asks something (which branch? do you agree?) offers its answers as
buttons; a person can also type the answer: its number, its name, or yes or no. Until
they do, or move on, what they type is read as an answer first, so "2" or "yes" is
never taken for a question for the organisers.
"""

from __future__ import annotations

import re
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from bot.campaign.branches import Ambiguous
from bot.runtime.messages import Button, Reply
from bot.text import clean_text

KEPT_SECONDS = 15 * 60  # an unanswered question is forgotten after this
MOST = 10_000  # people with a question pending, at most
YES = frozenset({"yes", "y", "yeah", "yep", "yup", "ok", "okay", "sure", "agree", "i agree"})
NO = frozenset({"no", "n", "nope", "no thanks", "cancel", "stop", "neither", "none"})
_LOOKS_LIKE_A_QUESTION = re.compile(r"\?\s*$")


@dataclass(frozen=True, slots=True)
class Retry:
    """Run `command` again with what was typed as `option`: another try at a branch."""

    command: str
    raw: Mapping[str, str]
    option: str


@dataclass(frozen=True, slots=True)
class Prompt:
    buttons: tuple[Button, ...]
    retry: Retry | None
    at: float


def _plain(text: str) -> str:
    return " ".join(clean_text(text).casefold().replace("-", " ").split()).strip(".!")


def choose_branch(ambiguous: Ambiguous, command: str, raw: Mapping[str, object]) -> Reply:
    """The choices for a branch that could be several: one button each (or Yes and No)."""
    base = {k: str(v) for k, v in raw.items()}
    buttons = [
        Button(
            branch.name,
            command,
            {**base, ambiguous.option: branch.code},
            words=(branch.name, branch.code),
        )
        for branch in ambiguous.choices
    ]
    if len(buttons) == 1:
        only = ambiguous.choices[0]
        buttons = [
            Button("Yes", command, buttons[0].options, "primary", words=("yes", only.code)),
            Button("No", "cancel", words=("no",)),
        ]
        text = f"Did you mean {only.name}? Nothing has been saved yet."
    else:
        text = "Which branch did you mean? Nothing has been saved yet."
        if ambiguous.more:
            text += f"\nAnd {ambiguous.more} more: type more of the name to narrow it down."
    return Reply(text=text, buttons=tuple(buttons), prompt=True)


class Prompts:
    """The question each person was last asked, while it is fresh."""

    def __init__(self) -> None:
        self._pending: OrderedDict[str, Prompt] = OrderedDict()

    def asked(self, who: str, reply: Reply, retry: Retry | None = None) -> None:
        if reply.prompt and reply.buttons:
            self._pending[who] = Prompt(reply.buttons, retry, time.monotonic())
            self._pending.move_to_end(who)
            while len(self._pending) > MOST:
                self._pending.popitem(last=False)

    def forget(self, who: str) -> None:
        self._pending.pop(who, None)

    def pending(self, who: str) -> Prompt | None:
        prompt = self._pending.get(who)
        if prompt is not None and time.monotonic() - prompt.at > KEPT_SECONDS:
            del self._pending[who]
            return None
        return prompt

    @staticmethod
    def match(prompt: Prompt, typed: str) -> Button | None:
        """The choice a typed answer picks, if it picks one."""
        said = _plain(typed)
        if said.isdigit():
            number = int(said)
            return prompt.buttons[number - 1] if 1 <= number <= len(prompt.buttons) else None
        for button in prompt.buttons:
            names = {_plain(button.label), *(_plain(w) for w in button.words)}
            if said in names:
                return button
        for words, wanted in ((YES, "yes"), (NO, "no")):
            if said in words:
                return next((b for b in prompt.buttons if wanted in b.words), None)
        return None

    @staticmethod
    def is_new_question(typed: str) -> bool:
        """Whether something typed at a prompt reads as a new question, not an answer."""
        return bool(_LOOKS_LIKE_A_QUESTION.search(typed)) or len(typed.split()) >= 5

    @staticmethod
    def repeat(prompt: Prompt) -> Reply:
        listed = "  ".join(f"{n}) {b.label}" for n, b in enumerate(prompt.buttons, 1))
        return Reply(
            text=f"Please pick one of these, by number or name: {listed}",
            buttons=prompt.buttons,
            prompt=True,
        )
