"""/broadcast: a one-off message from the organisers to a segment of the volunteers.

`/broadcast text:"..." region:Wales stage:no-meeting` shows a preview first: how many
people it reaches (opted-out, unreachable and never-signed-up people left out and
counted apart), one person's copy, when it goes (now, or when quiet hours end) and how
long sending takes at each platform's rate. Nothing is sent until Confirm is pressed;
the reminder sweep then sends each person's copy exactly once (`schedules.broadcasts`).
Until the sweep starts sending it, Cancel (or `/broadcast cancel:<number>`) stops it.
Creating, confirming and cancelling go in the audit log; the text is not copied there.
"""

from __future__ import annotations

import math
from datetime import datetime

from bot.campaign.dates import clock_time, day_name, plural
from bot.errors import UserError
from bot.runtime.messages import Button, Invocation, Reply
from bot.runtime.services import Services
from bot.store.broadcasts import BroadcastRecord
from bot.views.segment import BALLOT, STAGES, Reach, Segment, fill, reach
from commands.spec import Option, OptionType, Permission, command
from schedules.plans import quiet_hours

PLATFORMS = ("slack", "discord", "console")
TEXT_MOST = 1000
NUMBER_MOST = 999_999  # a broadcast's number, as platforms need a bound
FILLED = "{name} and {branch} are filled in for each person"


@command(
    "broadcast",
    "Message a segment of the volunteers once: a preview first, sent when you confirm.",
    Option("text", f"The message ({FILLED})", max_length=TEXT_MOST),
    Option("region", "Only volunteers in this region", max_length=80),
    Option("group", "Only volunteers in this group", max_length=80),
    Option("stage", "Only where the branch is at this stage", OptionType.CHOICE, choices=STAGES),
    Option(
        "ballot", "Only volunteers who did this in the ballot", OptionType.CHOICE, choices=BALLOT
    ),
    Option("platform", "Only volunteers on this platform", OptionType.CHOICE, choices=PLATFORMS),
    Option(
        "confirm",
        "Send the broadcast with this number",
        OptionType.INTEGER,
        min_value=1,
        max_value=NUMBER_MOST,
    ),
    Option(
        "cancel",
        "Cancel the broadcast with this number",
        OptionType.INTEGER,
        min_value=1,
        max_value=NUMBER_MOST,
    ),
    permission=Permission.ORGANISER,
    audited=False,  # written to the audit log here: created, confirmed, cancelled
)
async def broadcast(invocation: Invocation, services: Services) -> Reply:
    confirm, cancel = invocation.integer("confirm"), invocation.integer("cancel")
    if confirm is not None and cancel is not None:
        raise UserError("Give confirm: or cancel:, not both. Nothing has changed.")
    if confirm is not None:
        return await _confirm(invocation, services, confirm)
    if cancel is not None:
        return await _cancel(invocation, services, cancel)
    text = invocation.text("text")
    segment = Segment.checked(
        {
            name: invocation.text(name)
            for name in ("region", "group", "stage", "ballot", "platform")
        },
        services.branches,
    )
    if text is None:
        return await _waiting(services)
    found = await reach(segment, services.store, services.campaign, invocation.now)
    if not found.people:
        who = segment.describe().removeprefix("all ")
        raise UserError(
            f"Nobody can be sent that: no {who} can be messaged"
            f"{_left_out(found, ' (left out: ', ')')}. Nothing has been saved."
        )
    number = await services.store.broadcasts.create(
        invocation.user, text, segment.to_json(), invocation.now
    )
    await services.store.audit.record(
        invocation.user,
        "broadcast-create",
        f"#{number} {segment.options()} reach:{len(found.people)}",
        invocation.now,
    )
    sample = found.people[0]
    go_at = _go_at(services, invocation.now)
    lines = [
        f"Broadcast #{number}, to {segment.describe()}: {plural(len(found.people), 'person', 'people')}.",
        _left_out(found, "Left out: ", ".") or "Nobody in it is left out.",
        f"When: {_when(go_at, invocation.now, services)}.",
        f"How long: {_duration(found, services)}.",
        f"{sample.name} in {sample.branch_name} will get:",
        fill(text, sample),
    ]
    return Reply(
        text="\n".join(lines),
        buttons=_buttons(number, confirm=True),
        prompt=True,
        ephemeral=True,
    )


def _buttons(number: int, confirm: bool) -> tuple[Button, ...]:
    cancel = Button(
        "Cancel", "broadcast", {"cancel": str(number)}, "danger", words=("no", "cancel")
    )
    if not confirm:
        return (cancel,)
    send = Button(
        "Confirm", "broadcast", {"confirm": str(number)}, "primary", words=("yes", "confirm")
    )
    return (send, cancel)


def _left_out(found: Reach, before: str, after: str) -> str:
    parts = []
    if found.opted_out:
        parts.append(f"{found.opted_out} opted out")
    if found.undeliverable:
        parts.append(f"{found.undeliverable} can't be reached")
    if found.no_consent:
        parts.append(f"{found.no_consent} never signed up, so gave no consent")
    return f"{before}{', '.join(parts)}{after}" if parts else ""


def _go_at(services: Services, now: datetime) -> datetime:
    return quiet_hours(services.settings, services.campaign).next_allowed(
        now, services.settings.zone
    )


def _when(go_at: datetime, now: datetime, services: Services) -> str:
    if go_at <= now:
        seconds = math.ceil(services.settings.sweep_seconds)
        within = "a minute" if seconds <= 60 else plural(seconds, "second")
        return f"now, within {within} of confirming"
    local = go_at.astimezone(services.settings.zone)
    return f"at {clock_time(local)} on {day_name(local.date())}, when quiet hours end"


def _duration(found: Reach, services: Services) -> str:
    """How long at each platform's rate (the platforms send side by side)."""
    settings = services.settings
    rates = {"slack": settings.slack_send_rate, "discord": settings.discord_send_rate}
    parts = []
    for platform, count in sorted(found.by_platform().items()):
        rate = rates.get(platform)
        if rate is None:
            parts.append(f"{platform.capitalize()}, {plural(count, 'message')} at once")
            continue
        seconds = math.ceil(count / rate)
        took = (
            plural(seconds, "second")
            if seconds < 120
            else plural(math.ceil(seconds / 60), "minute")
        )
        parts.append(
            f"{platform.capitalize()}, {plural(count, 'message')} at {rate:g} a second: about {took}"
        )
    return "; ".join(parts)


async def _get(services: Services, number: int) -> BroadcastRecord:
    found = await services.store.broadcasts.get(number)
    if found is None:
        raise UserError(f"There is no broadcast #{number}. /broadcast lists those waiting.")
    return found


def _settled(record: BroadcastRecord) -> str | None:
    """Why `record` can no longer be confirmed or cancelled, or None if it can."""
    number = record.id
    if record.status == "cancelled":
        return f"Broadcast #{number} was cancelled: nothing of it has been or will be sent."
    if record.status in ("sending", "sent"):
        return f"Broadcast #{number} has gone out already, so it can't be changed."
    return None


async def _confirm(invocation: Invocation, services: Services, number: int) -> Reply:
    record = await _get(services, number)
    settled = _settled(record)
    if settled is not None:
        raise UserError(settled)
    if record.status == "confirmed":
        assert record.go_at is not None
        when = _when(record.go_at, invocation.now, services)
        return Reply(
            text=f"Broadcast #{number} is already confirmed. When: {when}.",
            buttons=_buttons(number, confirm=False),
            ephemeral=True,
        )
    go_at = _go_at(services, invocation.now)
    moved, now_is = await services.store.broadcasts.confirm(number, invocation.now, go_at)
    if not moved:  # cancelled (or confirmed) by someone else in the meantime
        why = _settled(now_is) if now_is else None
        return Reply(text=why or f"Broadcast #{number} is already confirmed.", ephemeral=True)
    await services.store.audit.record(
        invocation.user, "broadcast-confirm", f"#{number}", invocation.now
    )
    when = _when(go_at, invocation.now, services).replace(" of confirming", "")
    return Reply(
        text=(
            f"Confirmed: broadcast #{number} goes {when}. Until it has gone you can still "
            f"cancel it (/broadcast cancel:{number})."
        ),
        buttons=_buttons(number, confirm=False),
        ephemeral=True,
    )


async def _cancel(invocation: Invocation, services: Services, number: int) -> Reply:
    record = await _get(services, number)
    settled = _settled(record)
    if settled is not None:
        raise UserError(settled)
    moved, now_is = await services.store.broadcasts.cancel(number, invocation.now)
    if not moved:  # the sweep started sending it in the meantime
        why = _settled(now_is) if now_is else None
        return Reply(text=why or f"Broadcast #{number} can't be cancelled now.", ephemeral=True)
    await services.store.audit.record(
        invocation.user, "broadcast-cancel", f"#{number}", invocation.now
    )
    return Reply(text=f"Cancelled: broadcast #{number} will not be sent.", ephemeral=True)


async def _waiting(services: Services) -> Reply:
    waiting = await services.store.broadcasts.waiting()
    lines = [
        'Write the message with text:"...", and choose who gets it with region:, group:, '
        f"stage:, ballot: and platform: ({FILLED}). You see a preview before anything is sent."
    ]
    for record in waiting:
        segment = Segment.from_json(record.segment).describe()
        if record.status == "draft":
            state = f"waiting for confirmation (/broadcast confirm:{record.id})"
        elif record.status == "confirmed":
            assert record.go_at is not None
            local = record.go_at.astimezone(services.settings.zone)
            state = f"confirmed, goes at {clock_time(local)} on {day_name(local.date())}"
        else:
            state = "being sent"
        lines.append(f"#{record.id} to {segment}: {state}.")
    return Reply(text="\n".join(lines), ephemeral=True)
