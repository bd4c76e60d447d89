"""Logging that never shows a secret or a person, whoever logs it (us or a library), and
that an attacker cannot flood.

Three filters stand in front of the one handler:

- `PrivacyFilter`: at every level, the records in which libraries repeat what they sent or
  received (SQL parameters, request and response bodies, gateway events) lose the payload
  and keep the rest, so a DEBUG log still says what happened but never who or what was
  typed. aiosqlite's per-call records, which are nothing but SQL and its parameters, go.
- `RateLimit`: the network-facing loggers (the asyncio accept loop, the HTTP server, the
  platform SDKs, the Slack endpoint) write each kind of message at most once a minute,
  as one line with how many more there were; a flood of errors is a line a minute, not
  megabytes of tracebacks.
- `RedactingFormatter`: tokens, signing secrets and database passwords are blanked out of
  every line, tracebacks included.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Callable, Iterable

from sqlalchemy.engine import make_url

from bot.runtime.settings import Settings

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
PAYLOAD = "…"
RATE_WINDOW = 60.0  # seconds

# Loggers that strangers on the network can make write: flooding them must not flood us.
NOISY = (
    "asyncio",
    "_granian",
    "granian",
    "aiohttp",
    "bot.adapters.slack_http",
    "mobilise.slack",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "websockets",
)


def secrets_of(settings: Settings) -> list[str]:
    found = [
        secret.get_secret_value()
        for secret in (
            settings.slack_bot_token,
            settings.slack_app_token,
            settings.slack_signing_secret,
            settings.discord_token,
        )
        if secret is not None and secret.get_secret_value()
    ]
    try:
        password = make_url(settings.database_url).password
    except Exception:  # a malformed URL is reported elsewhere
        password = None
    if password:
        found.append(str(password))
    return found


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then blanks out every secret, tracebacks included."""

    def __init__(self, secrets: Iterable[str], fmt: str = FORMAT):
        super().__init__(fmt)
        # Longest first, so a secret containing another is blanked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


# --- privacy --------------------------------------------------------------------------


def _under(name: str, prefixes: Iterable[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _cut(record: logging.LogRecord, markers: Iterable[str]) -> None:
    """Keep the message up to the first of `markers` (the payload starts there)."""
    message = record.getMessage()
    cut = min((i for m in markers if (i := message.find(m)) >= 0), default=-1)
    if cut >= 0:
        record.msg, record.args = message[:cut] + " " + PAYLOAD, None


def _blank_args(record: logging.LogRecord, positions: Iterable[int]) -> None:
    if isinstance(record.args, tuple):
        args = list(record.args)
        for position in positions:
            if position < len(args):
                args[position] = PAYLOAD
        record.args = tuple(args)


def _starts(text: str) -> Callable[[str], bool]:
    return lambda template: template.startswith(text)


def _has(text: str) -> Callable[[str], bool]:
    return lambda template: text in template


# (logger prefix, or "" for any noisy logger; which messages; what to do with them)
_Rule = tuple[str, Callable[[str], bool], Callable[[logging.LogRecord], None]]
_RULES: tuple[_Rule, ...] = (
    # slack_sdk's Web API client: "Sending a request - url: …, params: …, json: …" and
    # "Received the following response - status: …, headers: …, body: …"; Socket Mode.
    (
        "slack_sdk",
        _starts("Sending a request"),
        lambda r: _cut(r, (", params:", ", query_params:", ", body:")),
    ),
    ("slack_sdk", _starts("Received the following response"), lambda r: _cut(r, (", headers:",))),
    ("slack_sdk", _starts("Sending a message"), lambda r: _cut(r, (":",))),
    ("slack_sdk", _starts("Received message"), lambda r: _cut(r, (":",))),
    ("slack_sdk", _starts("on_message invoked"), lambda r: _cut(r, (":",))),
    # slack_bolt, under its own loggers and the app's logger (mobilise.slack).
    ("", _starts("Unhandled request ("), lambda r: _cut(r, (" (",))),
    ("", _starts("Responding with status:"), lambda r: _cut(r, (" body:",))),
    ("", _starts("Responding with listener middleware's"), lambda r: _cut(r, (", body:",))),
    ("", _starts("Failed to run listener function"), lambda r: _cut(r, (" (error:",))),
    ("", _starts("Failed to run an internal function"), lambda r: _cut(r, (" (",))),
    ("", _starts("Request body:"), lambda r: _cut(r, (":",))),
    ("", _starts("request body:"), lambda r: _cut(r, (":",))),
    # discord.py: REST bodies sent and received, gateway events, members it has not seen.
    # SQLAlchemy at DEBUG: statements carry no parameters (hide_parameters); rows do.
    ("sqlalchemy.engine", _starts("Row "), lambda r: _blank_args(r, range(8))),
    ("discord.http", _starts("%s %s with %s has returned %s"), lambda r: _blank_args(r, (2,))),
    ("discord.http", _starts("%s %s has received %s"), lambda r: _blank_args(r, (2,))),
    ("discord.gateway", _has("WebSocket Event: %s"), lambda r: _blank_args(r, (1,))),
    ("discord.state", _has("member ID"), lambda r: _blank_args(r, (0,))),
    # SQLAlchemy's pool closing a connection the database failed under (a full disk):
    # one line, not the driver's traceback.
    ("sqlalchemy.pool", lambda template: True, lambda r: _one_line(r)),
)


class PrivacyFilter(logging.Filter):
    """Strips request bodies, SQL parameters and gateway payloads from library records."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if _under(name, ("aiosqlite",)) and record.levelno < logging.WARNING:
            return False  # "executing <statement and its parameters>": nothing else in it
        if not _under(name, NOISY) and not _under(name, ("sqlalchemy",)):
            return True
        template = str(record.msg)
        for prefix, matches, action in _RULES:
            if (not prefix or _under(name, (prefix,))) and matches(template):
                action(record)
                break
        return True


# --- rate limits ----------------------------------------------------------------------


def _one_line(record: logging.LogRecord) -> None:
    """The record on one line, a traceback replaced by where it was raised (its message
    may hold a payload)."""
    message = " | ".join(line for line in record.getMessage().splitlines() if line.strip())
    if record.exc_info and record.exc_info[1] is not None:
        error = record.exc_info[1]
        frames = traceback.extract_tb(error.__traceback__)
        where = (
            f" at {frames[-1].filename.rsplit('/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
        )
        message = f"{message} ({type(error).__name__}{where})"
    record.msg, record.args = message, None
    record.exc_info = None
    record.exc_text = None
    record.stack_info = None


class RateLimit(logging.Filter):
    """Each kind of message from the noisy loggers at most once per `window` seconds.

    A kind is the logger, level and first line of the message template; the first record
    of a window is written (on one line) and the rest are counted, the count given with
    the next one.
    """

    def __init__(
        self,
        loggers: Iterable[str] = NOISY,
        window: float = RATE_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        level: int = logging.INFO,
    ):
        super().__init__()
        self.loggers = tuple(loggers)
        self.window = window
        self.clock = clock
        self.level = level
        self._seen: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < self.level or not _under(record.name, self.loggers):
            return True
        # The first line of the template: asyncio's handler, for one, puts varying
        # details (a socket, a task's address) on the lines after it.
        key = (record.name, record.levelno, str(record.msg).partition("\n")[0])
        now = self.clock()
        since, suppressed = self._seen.get(key, (float("-inf"), 0))
        if now - since < self.window:
            self._seen[key] = (since, suppressed + 1)
            return False
        if len(self._seen) > 10_000:  # kinds are few; a flood of new ones is not kept
            self._seen.clear()
        self._seen[key] = (now, 0)
        _one_line(record)
        if suppressed:
            record.msg = f"{record.getMessage()} (and {suppressed} more like it)"
            record.args = None
        return True


def configure_logging(settings: Settings, level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter(secrets_of(settings)))
    handler.addFilter(PrivacyFilter())
    handler.addFilter(RateLimit())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(getattr(logging, level.upper(), logging.WARNING))
    # Migrations say what they do only if something goes wrong: start-up stays quiet.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
    # SQLAlchemy keeps its loggers at WARNING unless asked: at DEBUG, show the SQL.
    if root.level <= logging.DEBUG:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.DEBUG)
