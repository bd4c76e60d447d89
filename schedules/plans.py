"""What the planner reads and gives: the campaign's state as a snapshot of the store
(volunteers, subscribed channels, organisers), quiet hours, and one planned message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.campaign.pack import Campaign
from bot.campaign.records import PlanVolunteer
from bot.campaign.rules import HOLDOUT, Rule
from bot.runtime.settings import Settings

# A volunteer, their branch's state and whether they can be sent to: read by the store.
VolunteerState = PlanVolunteer


@dataclass(frozen=True, slots=True)
class ChannelState:
    platform: str
    channel_id: str
    subscribed_at: datetime

    @property
    def key(self) -> str:
        return f"channel:{self.platform}:{self.channel_id}"


@dataclass(frozen=True, slots=True)
class OrganiserState:
    platform: str
    user_id: str

    @property
    def key(self) -> str:
        return f"organiser:{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class PlanState:
    volunteers: Sequence[VolunteerState] = ()
    channels: Sequence[ChannelState] = ()
    organisers: Sequence[OrganiserState] = ()


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time = time(8, 0)
    end: time = time(21, 0)

    def next_allowed(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """`moment` if personal messages may go then, else the next time they may."""
        local = moment.astimezone(zone)
        if self.start <= local.time() < self.end:
            return local
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=zone)


def quiet_hours(settings: Settings, campaign: Campaign) -> QuietHours:
    """The pack's quiet hours, narrowed further if the settings say so."""
    pack = campaign.quiet_hours
    return QuietHours(max(settings.quiet_start, pack.start), min(settings.quiet_end, pack.end))


@dataclass(frozen=True, slots=True)
class Planned:
    """One message to one recipient at one moment."""

    at: datetime
    rule: Rule
    recipient: str  # the delivery key: person:<id>, channel:<platform>:<id>, organiser:...
    platform: str
    target: str  # the platform's user or channel id
    occurrence: str  # stable within (rule, recipient): a date, or "signup"
    branch: str | None = None
    volunteer: VolunteerState | None = field(default=None, compare=False)
    # A wording experiment's group: the variant to send, or HOLDOUT (nothing is sent; the
    # record says the person was in the holdout). None for rules without variants.
    variant: str | None = None

    @property
    def audience(self) -> str:
        return self.rule.audience

    @property
    def withheld(self) -> bool:
        """In the rule's holdout: recorded, never sent."""
        return self.variant == HOLDOUT

    @property
    def shown_recipient(self) -> str:
        return f"{self.platform}:{self.target}"

    def as_json(self) -> dict[str, str | None]:
        return {
            "at": self.at.isoformat(),
            "rule": self.rule.id,
            "audience": self.audience,
            "recipient": self.shown_recipient,
            "branch": self.branch,
            "phase": self.rule.phase,
            "occurrence": self.occurrence,
            "variant": self.variant,
        }
