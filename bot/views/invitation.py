"""Meetings as calendar entries (RFC 5545), written with icalendar.

`invitation` is one meeting's invitation, as a platform sends it to a person: METHOD
REQUEST, or CANCEL once the meeting is cancelled, with the UID the branch's meeting keeps
through every change and the change's SEQUENCE. `calendar` is every current meeting in
one calendar (METHOD PUBLISH), for organisers to import or serve.

Start and end are local times in the campaign's zone (Europe/London), with the zone's
VTIMEZONE, so a meeting at 12:30 is at 12:30 on either side of a clock change.
icalendar folds lines at 75 octets and ends each with CRLF.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from bot.campaign.domain import Meeting
from bot.campaign.pack import Campaign

if TYPE_CHECKING:
    from icalendar import Event

# icalendar is imported where a calendar is written, not at start-up (it is slow to load).

MIME = "text/calendar"
PRODID = "-//mobilise//branch meetings//EN"
_SAFE = re.compile(r"[^A-Za-z0-9-]+")


@dataclass(frozen=True, slots=True)
class Invitation:
    """A calendar file, ready to attach: its name, bytes and MIME type."""

    filename: str
    content: bytes
    method: str

    @property
    def mime(self) -> str:
        return f"{MIME}; charset=utf-8; method={self.method}"


def _start(meeting: Meeting, campaign: Campaign) -> datetime:
    at = campaign.meeting.start_of(meeting)
    return datetime.combine(meeting.meeting_date, at, tzinfo=campaign.zone)


def _event(meeting: Meeting, branch: str, campaign: Campaign) -> Event:
    start = _start(meeting, campaign)
    place = campaign.meeting.place_of(meeting)
    values = campaign.meeting_fields(branch, meeting.meeting_date, start.time(), place)
    notice = campaign.meeting_notice(branch, meeting.meeting_date, start.time(), place)
    from icalendar import Event, vCalAddress, vText

    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", meeting.reported_at.astimezone(UTC))
    event.add("dtstart", start)
    event.add("dtend", start + campaign.meeting.duration)
    event.add("sequence", meeting.sequence)
    event.add("summary", campaign.fill(campaign.meeting.title, values))
    event.add("location", place)
    event.add("description", notice.body.strip())
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    email = campaign.info.contact.email
    if email:
        organizer = vCalAddress(f"mailto:{email}")
        organizer.params["cn"] = vText(campaign.info.name)
        event.add("organizer", organizer)
    website = campaign.info.contact.website
    if urlparse(website).scheme in ("http", "https"):
        event.add("url", website)
    return event


def _calendar(method: str, events: Iterable[Event], days: Sequence[date]) -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    for event in events:
        calendar.add_component(event)
    if days:
        # The zone's rules from the year before the first meeting to the year after the last.
        calendar.add_missing_timezones(
            first_date=date(min(days).year - 1, 1, 1), last_date=date(max(days).year + 2, 1, 1)
        )
    content: bytes = calendar.to_ical()
    return content


def invitation_name(meeting: Meeting) -> str:
    code = _SAFE.sub("-", meeting.branch_code).strip("-") or "branch"
    if meeting.cancelled:
        return f"meeting-{code}-cancelled.ics"
    if meeting.sequence:
        return f"meeting-{code}-update-{meeting.sequence}.ics"
    return f"meeting-{code}.ics"


def invitation(meeting: Meeting, branch: str, campaign: Campaign) -> Invitation:
    """The invitation to one meeting, or its cancellation if `meeting` cancels it."""
    method = "CANCEL" if meeting.cancelled else "REQUEST"
    content = _calendar(method, [_event(meeting, branch, campaign)], [meeting.meeting_date])
    return Invitation(invitation_name(meeting), content, method)


def calendar(meetings: Sequence[Meeting], campaign: Campaign) -> bytes:
    """Every meeting in `meetings` (current ones, read with their branch's name) in one
    calendar to import or publish."""
    current = [m for m in meetings if not m.cancelled]
    events = [_event(m, m.branch_name or m.branch_code, campaign) for m in current]
    return _calendar("PUBLISH", events, [m.meeting_date for m in current])
