"""/verify: an organiser confirms a branch's reported nomination."""

from __future__ import annotations

from bot.campaign.dates import short_day
from bot.campaign.domain import Outcome
from bot.errors import UserError
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.views.pipeline import compliance, to_come, will_it_count
from commands.spec import Option, OptionType, Permission, command


@command(
    "verify",
    "Mark a branch's reported nomination as verified.",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
    permission=Permission.ORGANISER,
)
async def verify(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    assert branch is not None
    current = await services.store.nominations.current(branch.code)
    if current is None:
        raise UserError(
            f"Nothing has been reported for {branch.name} yet, so there's nothing to verify."
        )
    if current.verified_at is not None:
        by = f" by {current.verified_by}" if current.verified_by else ""
        return Reply(
            text=f"{branch.name} was already verified{by} on {short_day(current.verified_at.date())}.",
            ephemeral=True,
        )
    rows = await services.store.branches.facts(branch.code)
    meeting = to_come(rows[0], services.campaign, invocation.now) if rows else None
    if meeting is not None:
        raise UserError(
            f"{branch.name}'s result is for its meeting on {short_day(meeting)}, which has not "
            "happened yet: verify it once the meeting has been held. Nothing has been changed."
        )
    verified = await services.store.nominations.verify(branch.code, invocation.user, invocation.now)
    if verified is None:
        raise UserError(
            f"Nothing has been reported for {branch.name} yet, so there's nothing to verify."
        )
    lines = [f"Verified: {branch.name} ({verified.outcome})."]
    if rows and rows[0].outcome == Outcome.NOMINATED:
        problems = compliance(rows[0], services.campaign, invocation.now)
        verdict = will_it_count(problems, True, services.campaign)
        if verdict and not verdict.startswith("Yes"):
            lines.append(f"Warning: it does not count towards the threshold. {verdict}")
    return Reply(text="\n".join(lines), ephemeral=True)
