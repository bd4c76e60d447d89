"""Stopping on Ctrl-C or SIGTERM: the work in hand is cancelled at once (what is in flight
is finished by the contexts it runs in), so every mode stops within a few seconds."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Coroutine
from typing import Any


def stop_signals() -> asyncio.Event:
    """An event set by Ctrl-C (SIGINT) or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


async def until_stopped(work: Coroutine[Any, Any, None]) -> None:
    """Run `work` until it ends or the process is told to stop."""
    stop = stop_signals()
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stopped):
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
