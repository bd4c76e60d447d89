"""Live progress boards, for any platform: one message per channel that asked for it
(/board-here), edited in place as reports arrive.

The message id is kept in the store, so after a restart the next change edits the same
message. Changes are debounced (`Settings.refresh_seconds`) and a board that would look
the same is not edited, which keeps well inside the platforms' per-channel limits. A
board message someone deleted is posted again. A platform supplies `post` and `edit`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod

from bot.adapters.base import AdapterServices
from bot.runtime.changes import Change, Debounced
from bot.runtime.messages import Reply
from bot.store.boards import Board

log = logging.getLogger(__name__)


class LiveBoards(ABC):
    platform: str

    def __init__(self, services: AdapterServices, delay: float):
        self.services = services
        self.refresh = Debounced(self.update, delay, f"{self.platform}-board-refresh")
        self._shown: dict[str, str] = {}  # channel id -> what its board shows now

    @abstractmethod
    async def post(self, channel_id: str, reply: Reply) -> str:
        """Post the board in a channel; the new message's id."""

    @abstractmethod
    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> bool:
        """Edit the board's message; False if the message is gone."""

    def changed(self, change: Change) -> None:
        self.refresh.poke()

    async def update(self) -> None:
        """Bring every board up to date: edit its message, or post it the first time."""
        boards = await self.services.boards(self.platform)
        if not boards:
            return
        reply = await self.services.board()
        shown = f"{reply.title}\n{reply.text}"
        for board in boards:
            if self._shown.get(board.channel_id) == shown and board.message_id:
                continue
            try:
                await self._show(board, reply)
            except Exception as error:  # one channel's trouble does not stop the others
                log.warning("could not update a board: %s", error)
                continue
            self._shown[board.channel_id] = shown

    async def _show(self, board: Board, reply: Reply) -> None:
        if board.message_id is not None:
            if await self.edit(board.channel_id, board.message_id, reply):
                return
            log.info("a board's message was deleted: posting it again")
        posted = await self.post(board.channel_id, reply)
        await self.services.board_posted(self.platform, board.channel_id, posted)

    async def close(self) -> None:
        await self.refresh.close()
