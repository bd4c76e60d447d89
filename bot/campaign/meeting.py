"""The branch general meeting in the campaign pack (`meeting.yaml`): what /meeting takes
when it is not told the time or place, how long the meeting lasts, and the notice the
Branch Secretary sends members, as plain text to paste into an email.

The notice's fields are the pack's own (`{post}`, `{notice_days}`, ...) and the
meeting's: `{branch}`, `{date}`, `{time}`, `{place}`, `{agenda}` and `{notice_by}`, the
last day notice can go out with the days the rules need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.campaign.dates import parse_clock
from bot.errors import UserError

if TYPE_CHECKING:
    from bot.campaign.domain import Meeting

FILE = "meeting.yaml"
# Fields the meeting's texts may use, beyond the pack's own.
MEETING_FIELDS = ("branch", "date", "time", "place", "agenda", "notice_by")


class MeetingFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The time of day a meeting starts unless /meeting gives one ("12:30").
    time: str = "12:30"
    duration_minutes: int = Field(default=60, ge=5, le=24 * 60)
    place: str = Field(default="to be confirmed", min_length=1, max_length=120)
    # The item members nominate under, on the agenda and in the invitation.
    agenda: str = Field(default="Nomination for {post}", min_length=1)
    # The calendar entry's title.
    title: str = Field(default="{branch} branch general meeting", min_length=1)
    # What the reply says about when the notice must go out.
    send_by: str = Field(
        default="Send this notice to every member by {notice_by}: the rules need "
        "{notice_days} days' notice.",
        min_length=1,
    )
    subject: str = Field(default="Notice of {branch} branch general meeting, {date}", min_length=1)
    notice: str = Field(
        default="A general meeting of {branch} branch will be held on {date} at {time}.\n"
        "\nPlace: {place}\n\nAgenda:\n1. {agenda}\n",
        min_length=1,
    )

    @field_validator("time", mode="before")
    @classmethod
    def _clock(cls, value: Any) -> str:
        # YAML reads 12:30 unquoted as a number (750): the time must be written as text.
        if not isinstance(value, str):
            raise ValueError('write the time in quotes, e.g. "12:30"')
        try:
            parse_clock(value)
        except UserError as error:
            raise ValueError(str(error)) from None
        return value

    @property
    def start(self) -> dt.time:
        return parse_clock(self.time)

    def start_of(self, meeting: Meeting) -> dt.time:
        """The meeting's start: its own time, or the pack's when none was given."""
        return meeting.meeting_time or self.start

    def place_of(self, meeting: Meeting) -> str:
        """The meeting's place: its own, or the pack's when none was given."""
        return meeting.place or self.place

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def ends(self, day: date, own_start: dt.time | None, zone: dt.tzinfo) -> dt.datetime:
        """When a meeting on `day` ends: from its own start, else the pack's, and the
        pack's length."""
        return dt.datetime.combine(day, own_start or self.start, tzinfo=zone) + self.duration

    def texts(self) -> dict[str, str]:
        """Every template in the file, by key, for the pack's checks."""
        return {
            "agenda": self.agenda,
            "title": self.title,
            "send_by": self.send_by,
            "subject": self.subject,
            "notice": self.notice,
        }


@dataclass(frozen=True, slots=True)
class MeetingNotice:
    """The notice, filled in: when it must go out, and what to send."""

    send_by: str
    subject: str
    body: str
    notice_by: date

    @property
    def text(self) -> str:
        """The subject line and the body, as plain text to paste into an email."""
        return f"Subject: {self.subject}\n\n{self.body.strip()}"
