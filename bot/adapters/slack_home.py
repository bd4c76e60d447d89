"""The Slack App Home tab: the neutral Home view published for each person who opens it,
and published again, debounced, when something they see changes.

Organisers see the campaign overview, so any change refreshes theirs; a supporter's is
refreshed after their own actions and after reports about their branch.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.adapters.slack_api import SlackParts
from bot.adapters.slack_blocks import (
    ACTION_PREFIX,
    PLATFORM,
    CommandNames,
    _chunks,
    _plain,
    button_element,
    form_view,
)
from bot.campaign.domain import User
from bot.runtime.changes import Change, Debounced
from bot.runtime.messages import Button, Channel
from bot.views.home import HomeView

log = logging.getLogger(__name__)

HOME_BLOCKS = 100  # Slack's limit for a Home view
BUTTONS_PER_ROW = 5


def home_blocks(view: HomeView, names: CommandNames | None = None) -> dict[str, Any]:
    """A neutral Home view as a Slack Home tab view, everything shown as plain text
    (`names`: the commands as Slack knows them, named so in the text)."""
    shown = names.in_text if names else str
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(view.title, 150)}]
    for number, section in enumerate(view.sections):
        blocks.append({"type": "divider"})
        blocks.append({"type": "header", "text": _plain(section.title, 150)})
        if section.lines:
            for part in _chunks(shown("\n".join(section.lines))):
                blocks.append({"type": "section", "text": _plain(part)})
        buttons = list(section.buttons)
        for row in range(0, len(buttons), BUTTONS_PER_ROW):
            elements = [
                button_element(button, f"{ACTION_PREFIX}home-{number}-{row + offset}")
                for offset, button in enumerate(buttons[row : row + BUTTONS_PER_ROW])
            ]
            blocks.append({"type": "actions", "elements": elements})
    return {"type": "home", "blocks": blocks[:HOME_BLOCKS]}


@dataclass
class _Viewer:
    user: User
    organiser: bool = False
    branch_code: str | None = None


class SlackHome:
    """Who has opened the Home tab, and publishing it for them."""

    def __init__(self, adapter: SlackParts):
        self.adapter = adapter
        self.viewers: dict[str, _Viewer] = {}
        self._due: set[str] = set()
        self.refresh = Debounced(
            self._publish_due, adapter.settings.refresh_seconds, "slack-home-refresh"
        )

    async def opened(self, user: User) -> None:
        """Someone opened the Home tab: publish theirs now."""
        viewer = self.viewers.setdefault(user.id, _Viewer(user))
        await self.publish(viewer)

    async def on_opened(self, event: dict[str, Any]) -> None:
        """Bolt listener for app_home_opened (the Messages tab opening is not ours)."""
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        user_id = str(event["user"])
        await self.opened(User(PLATFORM, user_id, user_id))

    async def pressed(self, body: dict[str, Any], user: User, button: Button) -> bool:
        """A press on the Home tab, which has nowhere to answer: a button whose command
        still needs options opens its form; any other is answered in the person's DM
        (and their Home refreshes, as after any change). False: not a Home press."""
        command = self.adapter.services.commands.get(button.command)
        if command is None or (body.get("view") or {}).get("type") != "home":
            return False
        self.viewers.setdefault(user.id, _Viewer(user))
        client = self.adapter.client
        opened = await client.conversations_open(users=user.id)
        dm = str(opened["channel"]["id"])
        missing = [o for o in command.required if o.name not in button.options]
        if missing and body.get("trigger_id"):
            labels = {}
            code = button.options.get("branch")
            if code:
                found = self.adapter.services.search_branches(code, 1)
                labels = {"branch": found[0].name} if found else {}
            view = form_view(command, dm, button.options, labels, self.adapter.names)
            await client.views_open(trigger_id=body["trigger_id"], view=view)
            return True
        organiser = await self.adapter.is_organiser(user.id)
        reply = await self.adapter.services.press(button, user, Channel(dm, True), organiser)
        await self.adapter.deliver(reply, user, dm)
        return True

    async def publish(self, viewer: _Viewer) -> None:
        viewer.organiser = await self.adapter.is_organiser(viewer.user.id)
        view = await self.adapter.services.home(viewer.user, viewer.organiser)
        viewer.branch_code = view.branch_code
        try:
            await self.adapter.client.views_publish(
                user_id=viewer.user.id, view=home_blocks(view, self.adapter.names)
            )
        except SlackApiError as error:
            log.warning("could not publish a Home tab: %s", error.response.get("error"))

    def changed(self, change: Change) -> None:
        """A command may have changed what some viewers see: refresh theirs, soon."""
        for user_id, viewer in self.viewers.items():
            own = change.user.platform == PLATFORM and change.user.id == user_id
            branch = change.branch_code is not None and change.branch_code == viewer.branch_code
            if viewer.organiser or own or branch:
                self._due.add(user_id)
        if self._due:
            self.refresh.poke()

    async def _publish_due(self) -> None:
        due, self._due = self._due, set()
        for user_id in sorted(due):
            viewer = self.viewers.get(user_id)
            if viewer is not None:
                await self.publish(viewer)

    async def close(self) -> None:
        await self.refresh.close()
