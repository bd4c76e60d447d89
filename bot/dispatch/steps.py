"""The steps every command passes through before its handler, in order.

Like bolt-python's listener middleware: each step gets the call and the rest of the
chain, and may answer at once, or run the rest and look at what came back. A rule that
applies to every command (who may run it, what is audited) is one step here, not a
line in each handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.campaign.domain import User
from bot.dispatch.options import convert
from bot.runtime.messages import Channel, Invocation, Reply
from commands.spec import Command

if TYPE_CHECKING:
    from bot.runtime.services import Services

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Call:
    """One command on its way to its handler; the steps fill in what they learn."""

    command: Command
    raw: Mapping[str, Any]
    user: User
    channel: Channel
    is_organiser: bool
    now: datetime
    services: Services
    options: dict[str, Any] = field(default_factory=dict)


Next = Callable[[Call], Awaitable[Reply]]
Step = Callable[[Call, Next], Awaitable[Reply]]


def organiser_only_message(name: str) -> str:
    return f"Sorry, /{name} is for campaign organisers only."


async def organisers_only(call: Call, next_step: Next) -> Reply:
    """Organiser commands refuse everyone else, and the refusal is audited."""
    if call.command.organiser_only and not call.is_organiser:
        name = call.command.name
        log.info("refused /%s for a non-organiser on %s", name, call.user.platform)
        await call.services.store.audit.record(call.user, "refused", f"/{name}", call.now)
        return Reply.error(organiser_only_message(name))
    return await next_step(call)


async def parse_options(call: Call, next_step: Next) -> Reply:
    """Raw option values become typed ones, or a UserError names the first mistake."""
    services = call.services
    call.options = convert(call.command, call.raw, services.branches, services.campaign)
    return await next_step(call)


async def audit_organiser_actions(call: Call, next_step: Next) -> Reply:
    """Organiser actions that succeed go in the audit log, with the options as understood."""
    reply = await next_step(call)
    command = call.command
    if command.organiser_only and command.audited and not reply.is_error:
        await call.services.store.audit.record(
            call.user, command.name, _described(command, call.options), call.now
        )
    return reply


def _described(command: Command, options: Mapping[str, Any]) -> str:
    """Options as they were understood, for the audit log. Free text (an answer, say) is
    not kept: it may name anyone, and the audit log outlives the purge."""
    parts = []
    for key, value in options.items():
        option = command.option(key)
        if option is None or option.is_free_text:
            parts.append(f"{key}:-")
            continue
        text = str(getattr(value, "code", value))
        parts.append(f"{key}:{text if len(text) <= 40 else text[:39] + '…'}")
    return " ".join(parts)


async def handle(call: Call) -> Reply:
    invocation = Invocation(
        command=call.command.name,
        user=call.user,
        channel=call.channel,
        options=call.options,
        is_organiser=call.is_organiser,
        now=call.now,
    )
    return await call.command.handler(invocation, call.services)


STEPS: tuple[Step, ...] = (organisers_only, audit_organiser_actions, parse_options)


def chain(steps: Sequence[Step] = STEPS) -> Next:
    """`steps` in order, then the handler, as one function of the call (built once)."""
    run: Next = handle
    for step in reversed(steps):
        run = _then(step, run)
    return run


def _then(step: Step, rest: Next) -> Next:
    async def bound(call: Call) -> Reply:
        return await step(call, rest)

    return bound
