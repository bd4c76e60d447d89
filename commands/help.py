"""/help: the commands the caller may use."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command


@command("help", "List the commands you can use.")
async def help_command(invocation: Invocation, services: Services) -> Reply:
    candidate = services.campaign.candidate
    lines = [
        f"Ask me anything about {candidate.short_name}'s manifesto or the election: "
        "just type your question. Commands:"
    ]
    for declared in services.commands.visible_to(invocation.is_organiser):
        marker = " (organisers)" if declared.organiser_only else ""
        lines.append(f"{declared.usage()} - {declared.description}{marker}")
    return Reply(text="\n".join(lines), title="mobilise help", ephemeral=True)
