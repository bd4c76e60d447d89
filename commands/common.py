"""Checks and wording shared by the reporting commands."""

from __future__ import annotations

from datetime import date, timedelta

from bot.campaign.dates import day_name, plural
from bot.campaign.pack import Campaign


def meeting_warnings(
    campaign: Campaign, meeting: date, notice: date | None, today: date
) -> list[str]:
    """What could stop a nomination made at this meeting from counting."""
    warnings: list[str] = []
    need = campaign.rules.notice_days
    opens = campaign.nominations_open.date()
    closes = campaign.nominations_close.date()
    if meeting > closes:
        warnings.append(
            f"Warning: that is after nominations close ({day_name(closes)}), so the branch "
            "can't nominate at that meeting. Can it be brought forward?"
        )
    elif meeting < opens:
        warnings.append(
            f"Warning: that is before nominations open ({day_name(opens)}), so a nomination "
            "made then won't count."
        )
    if notice is not None:
        given = (meeting - notice).days
        if given < need:
            warnings.append(
                f"Warning: that is only {plural(given, 'day')}' notice; the rules need {need}, "
                "so a nomination made at it may not count."
            )
    elif meeting >= today and (meeting - today).days < need:
        warnings.append(
            f"Warning: members need {need} days' notice. Unless notice went out by "
            f"{day_name(meeting - timedelta(days=need))}, the meeting is too soon."
        )
    return warnings
