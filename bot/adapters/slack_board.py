"""The live progress board on Slack: a Block Kit message, updated in place (`live_boards`)."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.adapters.live_boards import LiveBoards
from bot.adapters.slack_api import SlackParts
from bot.adapters.slack_blocks import PLATFORM, render
from bot.runtime.messages import Reply

GONE = {"message_not_found", "cant_update_message"}


class SlackBoard(LiveBoards):
    platform = PLATFORM

    def __init__(self, adapter: SlackParts):
        super().__init__(adapter.services, adapter.settings.refresh_seconds)
        self.adapter = adapter

    async def post(self, channel_id: str, reply: Reply) -> str:
        text, blocks = render(reply, self.adapter.names)
        async with self.adapter.limiter:
            posted = await self.adapter.client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, mrkdwn=False
            )
        return str(posted["ts"])

    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> bool:
        text, blocks = render(reply, self.adapter.names)
        try:
            async with self.adapter.limiter:
                await self.adapter.client.chat_update(
                    channel=channel_id, ts=message_id, text=text, blocks=blocks
                )
        except SlackApiError as error:
            if error.response.get("error") in GONE:
                return False
            raise
        return True
