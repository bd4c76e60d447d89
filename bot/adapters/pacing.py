"""Pacing sends below a platform's rate limit, and fencing them (the platform adapters
use both).

A sender's fence is entered after the limiter's wait, right before the call; while the
call is under way the fence is asked again at the last moment before each attempt's
bytes are written (an aiohttp trace hook, run with no wait between it and the write),
so that a process paused anywhere before then (waiting for a connection, or for a 429's
Retry-After) sends nothing once it wakes without its lease."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter

from bot.adapters.base import Fence

_FENCE: ContextVar[Fence | None] = ContextVar("mobilise_fence", default=None)


def paced(per_second: float) -> AsyncLimiter:
    """A limiter for `per_second` sends: over each quarter second, never a bigger burst.

    A short window keeps bursts small (a platform's own bucket allows a second's worth),
    and a window longer than one send absorbs timer jitter that would otherwise cost a
    tenth of the rate.
    """
    window = 0.25
    return AsyncLimiter(max(1.0, per_second * window), window)


@contextlib.contextmanager
def fenced(fence: Fence | None) -> Iterator[None]:
    """While open, platform calls made by this task are fenced by `fence`."""
    token = _FENCE.set(fence)
    try:
        yield
    finally:
        _FENCE.reset(token)


def still_held() -> bool:
    """Whether the call under way may be made (again): no fence, or one that holds."""
    fence = _FENCE.get()
    return fence is None or fence.holds()


class Fenced(Exception):
    """A platform call stopped before it was made: its fence no longer holds."""


async def _check_fence(*_: Any) -> None:
    if not still_held():
        raise Fenced


def fenced_requests() -> aiohttp.TraceConfig:
    """Trace hooks for an HTTP client session: a fenced call whose fence no longer holds
    is stopped as the attempt starts, and again just before its first bytes are written."""
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_check_fence)
    trace.on_request_chunk_sent.append(_check_fence)
    return trace
