"""/nominate: report what a branch meeting decided."""

from __future__ import annotations

from bot.campaign.dates import day_name, plural, short_day
from bot.campaign.domain import NominationReport, Outcome, Reason
from bot.errors import UserError
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.views.pipeline import counting, outside_window, to_come
from commands.spec import Option, OptionType, command

OUTCOMES = tuple(str(o) for o in Outcome)


@command(
    "nominate",
    "Report the result of your branch's nomination meeting.",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
    Option(
        "outcome",
        "nominated (our candidate), other (another candidate), none, or inquorate",
        OptionType.CHOICE,
        required=True,
        choices=OUTCOMES,
    ),
    Option("nominee", "Who the branch nominated, if another candidate", max_length=120),
    Option("date", "Date of the meeting", OptionType.DATE),
    form=True,
)
async def nominate(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    chosen = invocation.text("outcome")
    assert branch is not None and chosen is not None
    outcome = Outcome(chosen)
    campaign = services.campaign
    candidate = campaign.candidate.name
    nominee = invocation.text("nominee")
    if outcome == Outcome.NOMINATED:
        if nominee and not campaign.names_candidate(nominee):
            raise UserError(
                f"outcome:nominated means the branch nominated {candidate}. For another "
                f"candidate use outcome:other nominee:{nominee[:40]}. Nothing has been saved."
            )
        nominee = None
    elif outcome == Outcome.OTHER:
        if nominee and campaign.names_candidate(nominee):
            raise UserError(
                f"For a nomination of {candidate} use outcome:nominated. Nothing has been saved."
            )
    elif nominee:
        raise UserError(
            f"outcome:{outcome} means the branch made no nomination, so leave out nominee. "
            "Nothing has been saved."
        )
    meeting_date = invocation.date("date")
    result = await services.store.nominations.record(
        NominationReport(
            branch_code=branch.code,
            outcome=outcome,
            nominee=nominee,
            meeting_date=meeting_date,
            reporter=invocation.user,
            at=invocation.now,
        )
    )
    current = result.nomination
    when = f" at its meeting on {short_day(current.meeting_date)}" if current.meeting_date else ""
    if outcome == Outcome.NOMINATED:
        what = f"{branch.name} nominated {candidate}{when}"
    elif outcome == Outcome.OTHER:
        what = f"{branch.name} nominated {nominee or 'another candidate'}{when}"
    elif outcome == Outcome.INQUORATE:
        on = f" on {short_day(current.meeting_date)}" if current.meeting_date else ""
        what = f"{branch.name}'s meeting{on} was not quorate, so it could not nominate"
    else:
        what = f"{branch.name} made no nomination{when}"
    lines = [f"Thanks! Recorded: {what}."]
    previous = result.previous
    if previous is not None:
        by = f" by {previous.reported_by}" if previous.reported_by else ""
        lines.append(
            f"This updates the earlier report{by} on {short_day(previous.reported_at.date())} "
            "(kept in the history)."
        )
    outside = outside_window(current.meeting_date, campaign) if current.meeting_date else None
    if outside == Reason.MEETING_AFTER_CLOSE:
        lines.append(
            f"Warning: that meeting is after nominations closed "
            f"({day_name(campaign.nominations_close.date())}), so it can't count."
        )
    elif outside == Reason.MEETING_BEFORE_OPEN:
        lines.append(
            f"Warning: that meeting was before nominations opened "
            f"({day_name(campaign.nominations_open.date())}), so it can't count."
        )
    rows = await services.store.branches.facts()
    held = next((row for row in rows if row.code == branch.code), None)
    meeting = to_come(held, campaign, invocation.now) if held else None
    if meeting is not None and outside is not None:
        lines.append(f"It is held as pending until the meeting on {short_day(meeting)}.")
    elif meeting is not None:
        lines.append(
            f"I'll count this once the meeting on {short_day(meeting)} has happened; "
            f"/branch branch:{branch.code} shows what else it needs."
        )
    elif outcome == Outcome.NOMINATED:
        reported = counting(rows, campaign, invocation.now).reported
        lines.append(
            f"That makes {plural(reported, 'branch', 'branches')} reported for "
            f"{campaign.candidate.short_name} ({campaign.threshold} needed). An organiser will "
            f"verify it; /branch branch:{branch.code} shows what it needs to count."
        )
    return Reply(text="\n".join(lines), ephemeral=True)
