"""The log's filters: a flood is a line a minute, payloads never reach the log, and the
store's SQL parameters are hidden even when SQLAlchemy's own logging is switched on."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.runtime.logs import PrivacyFilter, RateLimit, RedactingFormatter
from bot.store.engine import create_engine
from tests.conftest import sqlite_url


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO, Clock]]:
    """A logger whose records pass through the same filters as the bot's handler."""
    out = io.StringIO()
    clock = Clock()
    handler = logging.StreamHandler(out)
    handler.setFormatter(RedactingFormatter([], "%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PrivacyFilter())
    handler.addFilter(RateLimit(clock=clock))
    logger = logging.getLogger("asyncio")
    previous = (logger.level, logger.propagate)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield logger, out, clock
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous[0])
        logger.propagate = previous[1]


def _accept_error() -> BaseException:
    try:
        raise OSError(24, "Too many open files")
    except OSError as error:
        return error


def test_a_flood_of_accept_errors_is_a_line_a_minute(
    written: tuple[logging.Logger, io.StringIO, Clock],
) -> None:
    logger, out, clock = written
    error = _accept_error()
    for second in range(120):
        clock.now = float(second)
        for _ in range(1000):  # a thousand failed accepts a second, as asyncio logs them
            logger.error(
                "socket.accept() out of system resource\nsocket: %s",
                "<socket fd=7>",
                exc_info=(type(error), error, error.__traceback__),
            )
    lines = out.getvalue().splitlines()
    assert len(lines) == 2, lines
    assert "Traceback" not in out.getvalue()
    assert lines[0].startswith("ERROR asyncio: socket.accept() out of system resource")
    assert re.search(r"socket: <socket fd=7> \(OSError at test_logs\.py:\d+\)$", lines[0])
    assert "(and 59999 more like it)" in lines[1]


def test_other_kinds_of_message_are_not_held_back(
    written: tuple[logging.Logger, io.StringIO, Clock],
) -> None:
    logger, out, _ = written
    logger.warning("one thing")
    logger.warning("another thing")
    logger.debug("debug records are never rate-limited")
    logger.debug("debug records are never rate-limited")
    assert len(out.getvalue().splitlines()) == 4


def _record(name: str, message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(name, logging.DEBUG, __file__, 1, message, args or None, None)


@pytest.mark.parametrize(
    ("name", "message", "args"),
    [
        (
            "slack_sdk.web.async_base_client",
            "Sending a request - url: POST https://slack.com/api/chat.postMessage, params: {}, "
            "files: {}, data: {}, json: {'channel': 'U7Q', 'text': 'Hello Zanzibar'}, headers: {}",
            (),
        ),
        (
            "slack_sdk.web.async_base_client",
            "Received the following response - status: 200, headers: {}, body: {'user': 'U7Q', "
            "'real_name': 'Zanzibar'}",
            (),
        ),
        (
            "slack_sdk.webhook.async_client",
            'Sending a request - url: https://hooks/response, body: {"text": "Hi Zanzibar"}',
            (),
        ),
        ("mobilise.slack", "Unhandled request ({'user_name': 'Zanzibar'})", ()),
        ("mobilise.slack", 'Responding with status: 200 body: "Zanzibar" (3 millis)', ()),
        ("slack_bolt.AsyncApp", "Failed to run listener function (error: 'Zanzibar')", ()),
        (
            "discord.http",
            "%s %s with %s has returned %s",
            (
                "POST",
                "https://discord.com/api/v10/channels/1/messages",
                '{"content":"Zanzibar"}',
                200,
            ),
        ),
        ("discord.http", "%s %s has received %s", ("GET", "https://x/users/1", {"u": "Zanzibar"})),
        (
            "discord.gateway",
            "For Shard ID %s: WebSocket Event: %s",
            (None, {"t": "INTERACTION_CREATE", "d": {"member": {"nick": "Zanzibar"}}}),
        ),
        (
            "discord.state",
            "GUILD_MEMBER_UPDATE referencing an unknown member ID: %s. Discarding.",
            ("Zanzibar",),
        ),
    ],
)
def test_library_payloads_are_cut_out(name: str, message: str, args: tuple[object, ...]) -> None:
    record = _record(name, message, *args)
    assert PrivacyFilter().filter(record)
    shown = record.getMessage()
    assert "Zanzibar" not in shown, shown
    assert "…" in shown


def test_aiosqlite_calls_are_dropped_but_its_errors_kept() -> None:
    call = _record("aiosqlite", "executing %s", "partial(execute, 'INSERT ...', ('Zanzibar',))")
    assert not PrivacyFilter().filter(call)
    error = _record("aiosqlite", "returning exception %s", "boom")
    error.levelno = logging.ERROR
    assert PrivacyFilter().filter(error)


async def test_the_engine_never_shows_sql_parameters(tmp_path: Path) -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.addHandler(handler)
    engine_log.setLevel(logging.DEBUG)  # as if an operator switched SQL logging on
    engine = create_engine(sqlite_url(tmp_path / "p.db"))
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (name TEXT UNIQUE)"))
            await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": "Zanzibar"})
        with pytest.raises(IntegrityError) as raised:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": "Zanzibar"})
    finally:
        await engine.dispose()
        engine_log.removeHandler(handler)
        engine_log.setLevel(logging.NOTSET)
    assert "INSERT INTO t" in out.getvalue()
    assert "Zanzibar" not in out.getvalue()
    assert "Zanzibar" not in str(raised.value)
