"""/forgetme: erase everything the bot holds about the caller, at once."""

from __future__ import annotations

from bot.campaign.dates import plural
from bot.runtime.messages import Invocation, Reply
from bot.runtime.retention import relearn
from bot.runtime.services import Services
from commands.spec import command


@command("forgetme", "Erase everything the bot holds about you, now.")
async def forgetme(invocation: Invocation, services: Services) -> Reply:
    erased = await services.store.privacy.forget(invocation.user)
    if erased.found:
        await relearn(services)  # answers the bot learnt may have named them
    if not erased.found:
        return Reply(
            text="I hold nothing about you, so there was nothing to erase.", ephemeral=True
        )
    parts = ["your name and user id"]
    if erased.volunteer_branch:
        branch = services.branches.get(erased.volunteer_branch)
        parts.append(
            f"your volunteer sign-up for {branch.name if branch else erased.volunteer_branch}"
        )
    reports = erased.reports + erased.meetings + erased.verifications
    if reports:
        parts.append(f"your name from {plural(reports, 'report')} (they stay as anonymous counts)")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
    return Reply(
        text=f"Done. I've erased {listed}. Nothing about you is stored now.", ephemeral=True
    )
