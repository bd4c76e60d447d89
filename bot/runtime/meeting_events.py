"""Meetings as events on a platform's own calendar (Discord's scheduled events), where a
server opts in (`Settings.discord_events`).

The platform's adapter hosts them (`EventHost`). After each command that may change a
branch's meeting, the branch's latest report is brought across: a meeting called makes
an event, a change edits it (or makes a new one if someone deleted it), a cancellation
deletes it. The event's id and the meeting's sequence it shows are kept in the store's
state values, per server and meeting UID, so each change is brought across once.

All of it is best effort, after the command's reply: a refusal or an outage never fails
a command. If the platform refuses for want of a permission, the platform's organisers
(`MOBILISE_ORGANISERS`) are told once, plainly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.campaign.branches import BranchDirectory
from bot.campaign.domain import Meeting
from bot.campaign.pack import Campaign
from bot.runtime.changes import Change, Changes
from bot.runtime.clock import Clock
from bot.runtime.messages import Reply, SendOutcome, Target
from bot.runtime.settings import Settings
from bot.store import Store

log = logging.getLogger(__name__)

# Commands that may call, move or cancel a branch's meeting.
MEETING_COMMANDS = frozenset({"meeting", "cancelmeeting", "reschedule"})
ASK_SECONDS = 2.0  # how long a reply waits for the platform's interested count
COUNT_SECONDS = 30.0  # how long an interested count is reused
TOLD = "events-refused-told:{platform}"
MISSING_PERMISSION = (
    "I couldn't add branch meetings to this server's Events, because I don't have the "
    "Create Events permission. To turn it on, give my role Create Events (or Manage "
    "Events) in Server Settings. Meetings, invitations and reminders carry on as before. "
    "I'll only say this once."
)


class EventsRefused(Exception):
    """The platform refused to make or change an event: a permission is missing."""


@dataclass(frozen=True, slots=True)
class EventSpec:
    """What an event shows: an external event, with its place, start and end."""

    name: str
    start: datetime
    end: datetime
    place: str
    description: str


class EventHost:
    """A platform's calendar of events (`bot.adapters.discord_events`). `places` are its
    servers that have events; ids are the platform's own."""

    platform: str
    label: str  # "on Discord"

    def places(self) -> Sequence[str]:
        raise NotImplementedError

    async def create(self, where: str, spec: EventSpec) -> str:
        """The new event's id; EventsRefused if the permission is missing."""
        raise NotImplementedError

    async def edit(self, where: str, event_id: str, spec: EventSpec) -> bool:
        """False if the event is gone; EventsRefused if the permission is missing."""
        raise NotImplementedError

    async def delete(self, where: str, event_id: str) -> None:
        """Gone already is fine; EventsRefused if the permission is missing."""
        raise NotImplementedError

    async def interested(self, where: str, event_id: str) -> int | None:
        """How many people marked the event as interested, None if it is gone."""
        raise NotImplementedError

    async def send(self, target: Target, reply: Reply, key: str) -> SendOutcome:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class _Kept:
    event_id: str | None  # None: none made (or it was deleted)
    sequence: int  # the meeting's sequence the event shows


def _key(platform: str, where: str, uid: str) -> str:
    return f"{platform}-event:{where}:{uid}"


def _read(saved: str | None) -> _Kept | None:
    if not saved:
        return None
    event_id, _, sequence = saved.partition(" ")
    try:
        return _Kept(None if event_id == "-" else event_id, int(sequence))
    except ValueError:
        return None


class MeetingEvents:
    """Keeps the hosted events in step with the meetings, and reads their interest.

    Until a platform hosts events (`attach`), it does nothing and knows no counts."""

    def __init__(self) -> None:
        self.host: EventHost | None = None
        self._store: Store | None = None
        self._campaign: Campaign | None = None
        self._settings: Settings | None = None
        self._clock: Clock | None = None
        self._changes: Changes | None = None
        self._branches: BranchDirectory | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._counts: dict[str, tuple[float, int]] = {}

    def attach(
        self,
        host: EventHost,
        store: Store,
        campaign: Campaign,
        settings: Settings,
        clock: Clock,
        changes: Changes,
        branches: BranchDirectory,
    ) -> None:
        """`host` keeps the meetings' events from now on."""
        self.host, self._store, self._campaign = host, store, campaign
        self._settings, self._clock, self._changes = settings, clock, changes
        self._branches = branches
        changes.subscribe(self.changed)

    @property
    def label(self) -> str | None:
        """Where the counts come from ("on Discord"), None without a host."""
        return self.host.label if self.host is not None else None

    def changed(self, change: Change) -> None:
        if change.command not in MEETING_COMMANDS or change.branch_code is None:
            return
        task = asyncio.get_running_loop().create_task(
            self.sync(change.branch_code), name="meeting-event"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def settled(self) -> None:
        """Wait for the changes under way to be brought across."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        if self._changes is not None:
            self._changes.unsubscribe(self.changed)
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        self.host = None

    # --- bringing a meeting across ------------------------------------------------------

    def spec(self, meeting: Meeting) -> EventSpec:
        assert self._campaign is not None
        campaign = self._campaign
        pack = campaign.meeting
        start = datetime.combine(meeting.meeting_date, pack.start_of(meeting), campaign.zone)
        found = self._branches.get(meeting.branch_code) if self._branches else None
        branch = found.name if found is not None else meeting.branch_code
        return EventSpec(
            name=f"{branch}: branch meeting",
            start=start,
            end=start + pack.duration,
            place=pack.place_of(meeting),
            description=(
                f"{branch}'s branch meeting, to nominate {campaign.candidate.name} for "
                f"{campaign.candidate.post}. Mark yourself as interested to be reminded."
            ),
        )

    async def sync(self, branch_code: str) -> None:
        """Bring the branch's latest report across, in every place; never raises."""
        host, store = self.host, self._store
        if host is None or store is None:
            return
        async with self._lock:  # one change at a time: each reads what the last one kept
            try:
                meeting = await store.meetings.latest(branch_code)
                if meeting is None:
                    return
                for where in host.places():
                    await self._bring(host, store, where, meeting)
            except EventsRefused:
                log.warning("%s refused a meeting's event: a permission is missing", host.platform)
                await self._tell_once(host, store)
            except Exception as error:  # an outage: the next change tries again
                log.warning("could not update a meeting's event: %s", type(error).__name__)

    async def _bring(self, host: EventHost, store: Store, where: str, meeting: Meeting) -> None:
        key = _key(host.platform, where, meeting.uid)
        kept = _read(await store.deliveries.state_value(key))
        if kept is not None and kept.sequence >= meeting.sequence:
            return
        event_id = kept.event_id if kept is not None else None
        if meeting.cancelled:
            if event_id is not None:
                await host.delete(where, event_id)
            await store.deliveries.set_state_value(key, f"- {meeting.sequence}")
            self._counts.pop(meeting.uid, None)
            return
        spec = self.spec(meeting)
        assert self._clock is not None
        if spec.start <= self._clock.now():
            return  # a meeting already started gets no event
        if event_id is None or not await host.edit(where, event_id, spec):
            event_id = await host.create(where, spec)
        await store.deliveries.set_state_value(key, f"{event_id} {meeting.sequence}")

    async def _tell_once(self, host: EventHost, store: Store) -> None:
        told = TOLD.format(platform=host.platform)
        try:
            if await store.deliveries.state_value(told) is not None:
                return
            assert self._clock is not None and self._settings is not None
            await store.deliveries.set_state_value(told, self._clock.now().isoformat())
            prefix = f"{host.platform}:"
            organisers = [
                o[len(prefix) :] for o in self._settings.organisers if o.startswith(prefix)
            ]
            if not organisers:
                log.warning(
                    "no %s organisers are listed to tell of the missing permission", host.platform
                )
            for organiser in organisers:
                outcome = await host.send(
                    Target(host.platform, "user", organiser),
                    Reply(text=MISSING_PERMISSION, ephemeral=False),
                    f"{told}:{organiser}",
                )
                if outcome.status != "sent":
                    log.warning("could not tell an organiser of the missing permission")
        except Exception as error:
            log.warning(
                "could not tell organisers of the missing permission: %s", type(error).__name__
            )

    # --- interest -----------------------------------------------------------------------

    async def interested(self, meeting: Meeting) -> int | None:
        """How many people marked the meeting's event as interested, in every place;
        None when not known (no host, no event, or the platform slow or away)."""
        host, store = self.host, self._store
        if host is None or store is None or meeting.cancelled:
            return None
        cached = self._counts.get(meeting.uid)
        if cached is not None and time.monotonic() - cached[0] < COUNT_SECONDS:
            return cached[1]
        count: int | None = None
        try:
            async with asyncio.timeout(ASK_SECONDS):
                for where in host.places():
                    kept = _read(
                        await store.deliveries.state_value(_key(host.platform, where, meeting.uid))
                    )
                    if kept is None or kept.event_id is None:
                        continue
                    found = await host.interested(where, kept.event_id)
                    if found is not None:
                        count = (count or 0) + found
        except Exception as error:  # slow or away: the reply goes without the count
            log.info("could not read a meeting's interested count: %s", type(error).__name__)
            return None
        if count is not None:
            self._counts[meeting.uid] = (time.monotonic(), count)
        return count

    async def interest_line(self, meeting: Meeting) -> str | None:
        """ "12 interested on Discord", or None when not known."""
        count = await self.interested(meeting)
        if count is None or self.label is None:
            return None
        return f"{count} interested {self.label}"
