"""The ballot: its facts in the campaign pack (`ballot.yaml`) and its records.

The ballot's dates are the timetable's (`ballot_open`, `ballot_close`). This file adds
what the timetable cannot say: how to vote, when papers should arrive, how long the post
takes, and what to do about a paper that has not come. Values the campaign has still to
confirm with the union are listed under `placeholders`; organisers see the list in
/ballot. Facts that carry a `question` are also answered as FAQ entries (`ballot-<key>`).

The records are what volunteers report: that they have voted, and how many colleagues
they have asked to vote (their pledge), counted by branch and region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.campaign.dates import day_name

FILE = "ballot.yaml"
# Days a reminder rule may be anchored to, beyond the timetable's events.
ANCHORS = ("papers_arrive", "last_posting_day")
# Facts that may be placeholders: the working values, and who issues a replacement paper.
PlaceholderKey = Literal["papers_arrive_days", "posting_days", "replacement"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fact(_Model):
    """Something supporters are told; with a `question` it is also an FAQ entry."""

    text: str = Field(min_length=1)
    question: str | None = None
    alternates: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


class MissingPaper(Fact):
    # Who issues a replacement paper and until when, as a sentence; null until known.
    replacement: str | None = None


class Placeholder(_Model):
    key: PlaceholderKey
    why: str = Field(min_length=1)


class BallotFile(_Model):
    papers_arrive_days: int = Field(ge=0, le=60)
    posting_days: int = Field(ge=0, le=30)
    how_to_vote: Fact
    papers_arrive: Fact
    last_post: Fact
    missing_paper: MissingPaper
    helping: Fact
    placeholders: list[Placeholder] = Field(default_factory=list)

    @model_validator(mode="after")
    def _marked(self) -> BallotFile:
        listed = [p.key for p in self.placeholders]
        if len(set(listed)) != len(listed):
            raise ValueError("a placeholder is listed twice")
        if self.missing_paper.replacement is None and "replacement" not in listed:
            raise ValueError("missing_paper.replacement is empty: list it under placeholders")
        if self.missing_paper.replacement is not None and "replacement" in listed:
            raise ValueError("missing_paper.replacement is filled in: take it off placeholders")
        return self

    def facts(self) -> dict[str, Fact]:
        return {
            "how-to-vote": self.how_to_vote,
            "papers-arrive": self.papers_arrive,
            "last-post": self.last_post,
            "missing-paper": self.missing_paper,
            "helping": self.helping,
        }

    def missing_paper_text(self) -> str:
        """What to do about a paper that has not come (a template of pack fields)."""
        paper = self.missing_paper
        return " ".join(t for t in (paper.replacement, paper.text) if t)


# --- what the campaign pack asks of this file -------------------------------------------


class BallotPack(Protocol):
    """The loaded pack (`bot.campaign.pack.Campaign`), as far as the ballot needs it: the
    pack is built from this file, so this file names it by this shape only."""

    @property
    def ballot(self) -> BallotFile | None: ...

    @property
    def ballot_open(self) -> datetime: ...

    @property
    def ballot_close(self) -> datetime: ...


def papers_arrive(campaign: BallotPack) -> date:
    ballot = campaign.ballot
    days = ballot.papers_arrive_days if ballot else 0
    return campaign.ballot_open.date() + timedelta(days=days)


def last_posting_day(campaign: BallotPack) -> date:
    """The last day a paper posted should still arrive before the ballot closes."""
    ballot = campaign.ballot
    days = ballot.posting_days if ballot else 0
    return campaign.ballot_close.date() - timedelta(days=days)


def ballot_days(campaign: BallotPack) -> dict[str, date]:
    """Anchors for reminder rules, when the pack has a ballot file."""
    if campaign.ballot is None:
        return {}
    return {
        "papers_arrive": papers_arrive(campaign),
        "last_posting_day": last_posting_day(campaign),
    }


def ballot_fields(campaign: BallotPack) -> dict[str, str]:
    """Fields pack text may use, when the pack has a ballot file."""
    if campaign.ballot is None:
        return {}
    return {
        "papers_arrive": day_name(papers_arrive(campaign)),
        "last_posting_day": day_name(last_posting_day(campaign)),
        "posting_days": str(campaign.ballot.posting_days),
    }


def ballot_faq(ballot: BallotFile | None) -> list[dict[str, Any]]:
    """The facts that carry a question, in the shape of FAQ entries."""
    if ballot is None:
        return []
    entries = []
    for key, fact in ballot.facts().items():
        if fact.question is None:
            continue
        answer = ballot.missing_paper_text() if key == "missing-paper" else fact.text
        entries.append(
            {
                "id": f"ballot-{key}",
                "question": fact.question,
                "alternates": fact.alternates,
                "answer": answer,
                "keywords": fact.keywords,
            }
        )
    return entries


# --- records ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BallotStatus:
    """One volunteer's ballot record, and their branch's totals."""

    branch_code: str
    voted_at: datetime | None
    pledged: int
    branch_voted: int = 0
    branch_pledged: int = 0
    already: bool = False  # the change asked for was already recorded

    @property
    def voted(self) -> bool:
        return self.voted_at is not None


@dataclass(frozen=True, slots=True)
class BranchTurnout:
    """Per branch with volunteers: how many have voted, and colleagues they asked."""

    code: str
    name: str
    region: str
    volunteers: int
    voted: int
    pledged: int


@dataclass(frozen=True, slots=True)
class RegionTurnout:
    region: str
    branches: int
    volunteers: int
    voted: int
    pledged: int


def by_region(branches: list[BranchTurnout]) -> list[RegionTurnout]:
    """Branch figures added up by region, regions in name order ("" last, as no region)."""
    totals: dict[str, list[int]] = {}
    for b in branches:
        row = totals.setdefault(b.region, [0, 0, 0, 0])
        for i, value in enumerate((1, b.volunteers, b.voted, b.pledged)):
            row[i] += value
    order = sorted(totals, key=lambda r: (r == "", r))
    return [RegionTurnout(r, *totals[r]) for r in order]


def ballot_period(campaign: BallotPack, now: datetime) -> Literal["before", "open", "closed"]:
    if now < campaign.ballot_open:
        return "before"
    return "open" if now < campaign.ballot_close else "closed"


def placeholders_text(ballot: BallotFile | None) -> Mapping[str, str]:
    return {p.key: p.why for p in ballot.placeholders} if ballot else {}
