"""A segment of the volunteers, for an organiser's one-off message (/broadcast).

Filters combine with AND: region and group (from the branch list), the branch's stage
(from its records, as /pipeline works it out), the volunteer's ballot status and their
platform. Everyone in the segment who can be messaged is reached; opted-out and
undeliverable volunteers are counted apart, and so are people the bot knows who never
signed up (so never agreed to be messaged). Everything comes from one read of every
volunteer with their branch's state (`DeliveryLog.plan_rows`) and one of the branches.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

from bot.campaign.branches import BranchDirectory
from bot.campaign.pack import Campaign
from bot.campaign.records import PlanVolunteer
from bot.errors import UserError
from bot.store import Store
from bot.views import pipeline as p

# A branch's stage, in the order branches go through them.
STAGES = ("no-meeting", "meeting-called", "result-reported", "counted")
BALLOT = ("pledged", "voted", "neither")
_STAGE_WORDS = {
    "no-meeting": "whose branch has no meeting yet",
    "meeting-called": "whose branch has called its meeting",
    "result-reported": "whose branch has reported a result that does not count (yet)",
    "counted": "whose branch's nomination counts",
}
_BALLOT_WORDS = {
    "pledged": "who asked colleagues to vote but have not said they voted",
    "voted": "who have said they voted",
    "neither": "who have neither voted nor asked colleagues",
}
_REPORTED = frozenset({p.NOMINATED, p.FORM_SENT, p.CONFIRMED})


def stage_name(standing: p.Standing) -> str:
    """The segment's name for where a branch stands."""
    if standing.stage in (p.NO_VOLUNTEER, p.VOLUNTEER):
        return "no-meeting"
    if standing.stage in (p.MEETING_CALLED, p.MEETING_HELD):
        return "meeting-called"
    if standing.stage in _REPORTED and not standing.problems:
        return "counted"
    return "result-reported"


def ballot_status(volunteer: PlanVolunteer) -> str:
    if volunteer.has_voted:
        return "voted"
    return "pledged" if volunteer.has_pledged else "neither"


def _one_of(label: str, typed: str | None, allowed: Sequence[str]) -> str | None:
    """`typed` as it is spelt in `allowed` (any case); UserError listing them if not."""
    if typed is None or not typed.strip():
        return None
    wanted = " ".join(typed.split()).casefold()
    for value in allowed:
        if value.casefold() == wanted:
            return value
    raise UserError(
        f"{label}: there is no {typed[:40]!r}. It can be: {', '.join(allowed)}. "
        "Nothing has been saved."
    )


@dataclass(frozen=True, slots=True)
class Segment:
    region: str | None = None
    group: str | None = None
    stage: str | None = None
    ballot: str | None = None
    platform: str | None = None

    @classmethod
    def checked(cls, options: Mapping[str, str | None], branches: BranchDirectory) -> Segment:
        """The filters typed, each checked against what it can be; UserError if not."""
        regions = sorted({b.region for b in branches.branches})
        groups = sorted({b.group for b in branches.branches})
        return cls(
            region=_one_of("region", options.get("region"), regions),
            group=_one_of("group", options.get("group"), groups),
            stage=_one_of("stage", options.get("stage"), STAGES),
            ballot=_one_of("ballot", options.get("ballot"), BALLOT),
            platform=options.get("platform") or None,
        )

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v is not None})

    @classmethod
    def from_json(cls, text: str) -> Segment:
        data = json.loads(text)
        return cls(**{k: data.get(k) for k in ("region", "group", "stage", "ballot", "platform")})

    def options(self) -> str:
        """`region:Wales stage:no-meeting`, as typed (for the audit log and listings)."""
        return " ".join(f"{k}:{v}" for k, v in asdict(self).items() if v is not None) or "all"

    def describe(self) -> str:
        """`volunteers in Wales on Slack whose branch has no meeting yet`."""
        words = ["volunteers"]
        if self.region:
            words.append(f"in {self.region}")
        if self.group:
            words.append(f"in {self.group}" if not self.region else f"at {self.group}")
        if self.platform:
            words.append(f"on {self.platform.capitalize()}")
        which = [_STAGE_WORDS[self.stage]] if self.stage else []
        which += [_BALLOT_WORDS[self.ballot]] if self.ballot else []
        if which:
            words.append(" and ".join(which))
        return "all volunteers" if len(words) == 1 else " ".join(words)

    @property
    def needs_a_branch(self) -> bool:
        """Whether only volunteers (who have a branch) can be in it."""
        return any((self.region, self.group, self.stage)) or self.ballot in ("pledged", "voted")

    def matches(self, volunteer: PlanVolunteer, standing: p.Standing | None) -> bool:
        if self.platform and volunteer.platform != self.platform:
            return False
        if self.ballot and ballot_status(volunteer) != self.ballot:
            return False
        if not (self.region or self.group or self.stage):
            return True
        if standing is None:  # a branch no longer in the list
            return False
        if self.region and standing.region != self.region:
            return False
        if self.group and standing.group != self.group:
            return False
        return not self.stage or stage_name(standing) == self.stage


@dataclass(slots=True)
class Reach:
    """Who a segment reaches now, and who in it is left out, by reason."""

    people: list[PlanVolunteer] = field(default_factory=list)
    opted_out: int = 0
    undeliverable: int = 0
    no_consent: int = 0

    @property
    def excluded(self) -> int:
        return self.opted_out + self.undeliverable + self.no_consent

    def by_platform(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for person in self.people:
            found[person.platform] = found.get(person.platform, 0) + 1
        return found


async def reach(
    segment: Segment, store: Store, campaign: Campaign, now: datetime, count_others: bool = True
) -> Reach:
    """Everyone in `segment` who can be messaged now; with `count_others`, people the
    bot knows who never signed up are counted too (as having given no consent)."""
    volunteers, _ = await store.deliveries.plan_rows()
    where = {s.code: s for s in p.standings(await store.branches.facts(), campaign, now)}
    found = Reach()
    for volunteer in volunteers:
        if not segment.matches(volunteer, where.get(volunteer.branch_code)):
            continue
        if volunteer.opted_out:
            found.opted_out += 1
        elif volunteer.undeliverable:
            found.undeliverable += 1
        else:
            found.people.append(volunteer)
    if count_others and not segment.needs_a_branch:
        found.no_consent = await store.people.not_signed_up(segment.platform)
    return found


def fill(text: str, volunteer: PlanVolunteer) -> str:
    """The organiser's text with {name} and {branch} filled for one person."""
    return text.replace("{name}", volunteer.name).replace("{branch}", volunteer.branch_name)
