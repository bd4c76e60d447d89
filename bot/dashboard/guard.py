"""The dashboard's connection guard: the Slack endpoint's limits, for aiohttp's server.

Every connection passes through `Guarded` on its way to aiohttp's own protocol. It holds
connections open at once to `MOBILISE_HTTP_MAX_CONNECTIONS` (past it, a new one is told
503 and closed, costing nothing to keep), and gives a new connection
`MOBILISE_HTTP_HEADER_TIMEOUT` seconds to send its first request's headers, so that slow
or half-sent requests cannot hold slots. Later requests on a kept-alive connection have
the same deadline through aiohttp's keep-alive timeout. Nothing here reads what is sent
beyond looking for the end of the headers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("bot.dashboard")

BUSY = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
END_OF_HEADERS = b"\r\n\r\n"


@dataclass
class Guard:
    """The limits, and the connections open now."""

    max_connections: int
    header_timeout: float
    open: int = 0
    refused: int = 0
    timed_out: int = 0
    _warned: set[str] = field(default_factory=set)

    def protocol(self, inner: Callable[[], asyncio.BaseProtocol]) -> Callable[[], Guarded]:
        """A protocol factory for `loop.create_server`, wrapping aiohttp's."""
        return lambda: Guarded(self, inner())

    def warn(self, kind: str, message: str) -> None:
        """One line per kind of trouble (an attack would otherwise write the log for us)."""
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning(message)


class Guarded(asyncio.Protocol):
    """One connection: counted, given a deadline for its headers, then aiohttp's."""

    def __init__(self, guard: Guard, inner: asyncio.BaseProtocol):
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.tail = b""
        self.counted = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        guard = self.guard
        if guard.open >= guard.max_connections:
            guard.refused += 1
            guard.warn(
                "busy",
                f"the dashboard is refusing connections: {guard.max_connections} are open "
                "(MOBILISE_HTTP_MAX_CONNECTIONS)",
            )
            transport.write(BUSY)
            transport.close()
            return
        guard.open += 1
        self.counted = True
        self.transport = transport
        loop = asyncio.get_running_loop()
        self.deadline = loop.call_later(guard.header_timeout, self._too_slow)
        self.inner.connection_made(transport)

    def _too_slow(self) -> None:
        self.deadline = None
        self.guard.timed_out += 1
        self.guard.warn(
            "slow",
            "the dashboard closed a connection that did not send its headers within "
            f"{self.guard.header_timeout}s (MOBILISE_HTTP_HEADER_TIMEOUT)",
        )
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if not self.counted:
            return
        if self.deadline is not None:
            seen = self.tail + data
            if END_OF_HEADERS in seen:
                self.deadline.cancel()
                self.deadline = None
            else:
                self.tail = seen[-(len(END_OF_HEADERS) - 1) :]
        assert isinstance(self.inner, asyncio.Protocol)
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        if not self.counted:
            return None
        assert isinstance(self.inner, asyncio.Protocol)
        return self.inner.eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.counted:
            return
        self.counted = False
        self.guard.open -= 1
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self.counted:
            self.inner.pause_writing()

    def resume_writing(self) -> None:
        if self.counted:
            self.inner.resume_writing()
