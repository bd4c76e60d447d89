"""Compose: the words of each planned message, filled from the pack and the tally.

The organisers' digest is a pack template too (`digest:` in reminders.yaml); its chart is
drawn here, once per sweep that has a digest to send.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.campaign.branches import BranchDirectory
from bot.campaign.dates import day_name, plural, short_day
from bot.campaign.domain import Tally
from bot.campaign.pack import Campaign
from bot.campaign.records import DigestFacts
from bot.runtime.messages import Attachment, Button, Reply
from bot.store import Store
from bot.views.pipeline import counting
from schedules.plans import Planned
from schedules.progress_posts import TITLE, progress_lines

SNOOZE_DAYS = 2
LISTED = 10  # names listed in a digest line before "and N more"


@dataclass(frozen=True, slots=True)
class Facts:
    """What a sweep's messages are filled from, read once per sweep."""

    tally: Tally
    digest: DigestFacts | None = None
    chart: bytes | None = None
    turnout: tuple[int, int, int] | None = None  # in the ballot: voted, volunteers, pledged
    progress: tuple[str, ...] = ()  # for progress posts: where the campaign stands
    reported: bool = False  # any report yet (a progress post's chart has something to show)
    # Nominations that count by the rules (bot.views.pipeline), as at the sweep; what the
    # messages' {nominated} and {verified} say.
    counted: int = 0
    counted_verified: int = 0


def ballot_buttons() -> tuple[Button, ...]:
    """On vote reminders: I've voted, I've asked colleagues, my paper has not come."""
    return (
        Button("Voted", "voted", {}, "primary"),
        Button("Pledge", "pledge"),
        Button("Not arrived", "notarrived"),
    )


def progress_buttons(organisers: bool = False) -> tuple[Button, ...]:
    """On the organisers' digest and the channels' progress posts: the next step, the full
    picture (every message the bot starts offers one, and carries its delivery key in it
    on Discord, where it is found again after a send cut short)."""
    if organisers:
        return (Button("Progress", "progress"), Button("Questions", "questions"))
    return (Button("Progress", "progress"),)


def reminder_buttons(branch_code: str) -> tuple[Button, ...]:
    return (
        Button("Done", "done", {"branch": branch_code}, "primary"),
        Button(f"Snooze {SNOOZE_DAYS} days", "snooze"),
        Button("Need help", "needhelp", {"branch": branch_code}),
    )


class Composer:
    def __init__(
        self, campaign: Campaign, zone: ZoneInfo, branches: BranchDirectory, charts: bool = True
    ):
        self.campaign = campaign
        self.zone = zone
        self.branches = branches
        self.charts = charts  # attach the progress chart where a rule asks for it

    async def facts(self, store: Store, now: datetime, due: Sequence[Planned]) -> Facts:
        tally = await store.nominations.tally()
        rows = await store.branches.facts()
        count = counting(rows, self.campaign, now)
        organisers = any(p.audience == "organisers" for p in due)
        posts = any(p.rule.progress for p in due)
        if not organisers and not posts:
            return Facts(tally, counted=count.counted, counted_verified=count.counted_verified)
        from bot.views.chart import progress_png

        digest = None
        turnout = None
        if organisers:
            digest = await store.reports.digest(
                now - timedelta(days=1), now.astimezone(self.zone).date()
            )
            if self.campaign.ballot_open <= now <= self.campaign.ballot_close:
                branches = await store.ballot.turnout()
                turnout = (
                    sum(b.voted for b in branches),
                    sum(b.volunteers for b in branches),
                    sum(b.pledged for b in branches),
                )
        progress: tuple[str, ...] = ()
        if posts:
            progress = tuple(progress_lines(rows, self.campaign, now))
        timeline = await store.nominations.timeline()
        chart = None
        if self.charts and (organisers or any(p.rule.chart for p in due)):
            chart = progress_png(timeline, self.campaign, now, rows)
        return Facts(
            tally,
            digest,
            chart,
            turnout,
            progress,
            bool(timeline),
            counted=count.counted,
            counted_verified=count.counted_verified,
        )

    def render(self, item: Planned, facts: Facts) -> Reply:
        campaign = self.campaign
        at = item.at.astimezone(self.zone)
        threshold = campaign.rules.nomination_threshold
        fields = {
            "name": "",
            "branch": "",
            "branch_code": "",
            "meeting_date": "",
            "days_left": str(max(0, (campaign.nominations_close.date() - at.date()).days)),
            "notice_days_left": str(max(0, (campaign.notice_cutoff - at.date()).days)),
            "nominated": str(facts.counted),
            "verified": str(facts.counted_verified),
            "needed": str(max(0, threshold - facts.counted)),
            "digest": "",
            "ballot_days_left": str(max(0, (campaign.ballot_close.date() - at.date()).days)),
        }
        buttons: tuple[Button, ...] = ()
        volunteer = item.volunteer
        if volunteer is not None:
            fields.update(
                name=volunteer.name,
                branch=volunteer.branch_name,
                branch_code=volunteer.branch_code,
                meeting_date=day_name(volunteer.meeting_date) if volunteer.meeting_date else "",
            )
            buttons = (
                ballot_buttons()
                if item.rule.phase == "ballot"
                else reminder_buttons(volunteer.branch_code)
            )
        attachment = None
        if not buttons:
            buttons = progress_buttons(organisers=item.audience == "organisers")
        if item.audience == "organisers":
            fields["digest"] = self.digest(at.date(), facts, facts.digest or DigestFacts())
            if facts.chart:
                attachment = Attachment(f"progress-{at:%Y-%m-%d}.png", facts.chart, "image/png")
        text = campaign.fill(item.rule.wording(item.variant), fields)
        if item.audience != "organisers":
            text = " ".join(text.split())
        if item.rule.progress:
            if item.rule.chart and facts.chart and facts.reported:
                attachment = Attachment(f"progress-{at:%Y-%m-%d}.png", facts.chart, "image/png")
            return Reply(
                text="\n".join([text, *facts.progress]),
                title=TITLE,
                buttons=buttons,
                attachment=attachment,
                ephemeral=False,
                extra={"rule": item.rule.id},
            )
        extra = {"rule": item.rule.id}  # for logs and rehearsals; adapters ignore it
        if item.variant is not None:
            extra["variant"] = item.variant
        return Reply(
            text=text,
            buttons=buttons,
            attachment=attachment,
            ephemeral=False,
            extra=extra,
        )

    def digest(self, today: date, counts: Facts, facts: DigestFacts) -> str:
        """The organisers' digest, one line per thing to know, in the pack's words; in
        the ballot (`counts.turnout` given), its last line is the ballot's, not the
        tally's."""
        turnout = counts.turnout
        words = self.campaign.digest
        fill = self.campaign.fill
        lines = [fill(words.heading, {"today": short_day(today)})]
        if facts.reports:
            named = [f"{r.name} ({r.outcome})" for r in facts.reports]
            lines.append(fill(words.reports, self._listed(named)))
        else:
            lines.append(fill(words.no_reports))
        if facts.stuck:
            lines.append(fill(words.stuck, self._listed(facts.stuck)))
        if facts.undeliverable:
            lines.append(fill(words.undeliverable, {"count": str(facts.undeliverable)}))
        if facts.unanswered:
            lines.append(fill(words.unanswered, {"count": str(facts.unanswered)}))
        for ask in facts.help[:LISTED]:
            branch = self.branches.get(ask.branch_code or "")
            where = f" ({branch.name})" if branch else ""
            lines.append(
                fill(
                    words.help,
                    {"person": ask.display_name, "platform": ask.platform, "where": where},
                )
            )
        if turnout is not None and words.ballot:
            voted, volunteers, pledged = turnout
            days = max(0, (self.campaign.ballot_close.date() - today).days)
            ballot = {"voted": str(voted), "volunteers": str(volunteers), "pledged": str(pledged)}
            lines.append(fill(words.ballot, {**ballot, "days_left": plural(days, "day")}))
            return "\n".join(lines)
        days = max(0, (self.campaign.nominations_close.date() - today).days)
        lines.append(
            fill(
                words.progress,
                {
                    "nominated": str(counts.counted),
                    "verified": str(counts.counted_verified),
                    "days_left": plural(days, "day"),
                },
            )
        )
        return "\n".join(lines)

    def _listed(self, names: Sequence[str]) -> dict[str, str]:
        """`count` and `listed` fields: the first names, then "and N more" in pack words."""
        listed = ", ".join(names[:LISTED])
        if len(names) > LISTED:
            more = self.campaign.fill(
                self.campaign.digest.more, {"count": str(len(names) - LISTED)}
            )
            listed = f"{listed} {more}"
        return {"count": str(len(names)), "listed": listed}
