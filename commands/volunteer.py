"""/volunteer: sign up to help your branch nominate, after agreeing to what is stored."""

from __future__ import annotations

from bot.campaign.branches import refuse_retired
from bot.campaign.dates import day_name
from bot.campaign.domain import Branch
from bot.campaign.phases import Phase, phase_of
from bot.runtime.messages import Button, Invocation, Reply
from bot.runtime.retention import purge_due
from bot.runtime.services import Services
from commands.spec import Option, OptionType, command

CONSENT = (
    "To sign you up I'll store your {platform} user id, your display name, your branch "
    "({branch}) and when you agreed. {campaign} uses them only to remind you about your "
    "branch's nomination meeting and about voting in the ballot, and to count reports, "
    "votes and pledges by branch. Union membership and support for a "
    "candidate are sensitive personal data: /mydata shows what is held, /forgetme erases it "
    "at once, and it is all deleted after {purge}. Do you agree?"
)


def consent_text(services: Services, platform: str, branch: Branch) -> str:
    campaign = services.campaign
    return CONSENT.format(
        platform=platform.capitalize(),
        branch=branch.name,
        campaign=campaign.info.data_controller[:1].upper() + campaign.info.data_controller[1:],
        purge=day_name(campaign.purge_after.date()),
    )


AFTER_PURGE = (
    "The campaign is over: everyone's details were deleted after {purge}, so I'm not "
    "signing anyone up now. Thanks for wanting to help!"
)

# What a new volunteer is promised, by the campaign's phase.
SIGNED_UP: dict[Phase, str] = {
    "before": "I'll remind you about your branch's nomination meeting. "
    "/optout stops reminders; /forgetme erases you.",
    "nominations": "I'll remind you about your branch's nomination meeting. "
    "/optout stops reminders; /forgetme erases you.",
    "between": "Nominations have closed; I'll remind you to vote when the ballot opens. "
    "/optout stops reminders; /forgetme erases you.",
    "ballot": "I'll remind you to vote while the ballot is open: voted already? Say /voted. "
    "/optout stops reminders; /forgetme erases you.",
    "after": "The ballot has closed, so there is nothing more to remind you about. "
    "Thank you! /forgetme erases you.",
}


@command(
    "volunteer",
    "Sign up to help your branch nominate.",
    Option("branch", "Your branch (name or code)", OptionType.BRANCH, required=True),
    Option("consent", "Do you agree to what is stored?", OptionType.CHOICE, choices=("yes", "no")),
    form=True,
)
async def volunteer(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    assert branch is not None
    if purge_due(services, invocation.now):
        return Reply.error(AFTER_PURGE.format(purge=day_name(services.campaign.purge_after.date())))
    refuse_retired(services.branches, branch)
    consent = invocation.text("consent")
    wording = consent_text(services, invocation.user.platform, branch)
    if consent == "no":
        return Reply(text="No problem: nothing has been saved.", ephemeral=True)
    if consent != "yes":
        return Reply(
            text=wording,
            title=f"Volunteer for {branch.name}",
            buttons=(
                Button(
                    "I agree",
                    "volunteer",
                    {"branch": branch.code, "consent": "yes"},
                    "primary",
                    words=("yes",),
                ),
                Button(
                    "No thanks",
                    "volunteer",
                    {"branch": branch.code, "consent": "no"},
                    words=("no",),
                ),
            ),
            prompt=True,
            ephemeral=True,
        )
    result = await services.store.people.sign_up(
        invocation.user, branch.code, wording, invocation.now
    )
    name = invocation.user.display_name
    if result.already:
        text = f"You're already signed up for {branch.name}, {name}. Thanks for your help!"
    else:
        moved = ""
        if result.previous_branch:
            old = services.branches.get(result.previous_branch)
            moved = f" (moved from {old.name if old else result.previous_branch})"
        text = (
            f"Thanks, {name}! You're signed up for {branch.name}{moved}. "
            f"{SIGNED_UP[phase_of(services.campaign, invocation.now)]}"
        )
    return Reply(text=text, ephemeral=True)
