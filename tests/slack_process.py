"""`mobilise run --slack-http` as a real process against the fake Slack Web API, and the
hostile clients that test it: slow, half-sent and silent connections, and signed bodies
that no listener could read.

Used by tests/test_http_hostile.py and benchmarks/slow_clients.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import os
import resource
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from tests import slack_harness as slack
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "campaign"
FORM = "application/x-www-form-urlencoded"


def serve_slack_http(port: int) -> list[str]:
    """The command-line arguments that run the bot serving Slack's HTTP events on `port`."""
    return ["run", "--slack-http", "--host", "127.0.0.1", "--port", str(port)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def allow_descriptors(needed: int) -> bool:
    """Raise this process's soft descriptor limit to `needed`, if the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return True
    if hard != resource.RLIM_INFINITY and hard < needed:
        return False
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return True


def _soft_limit(soft: int) -> Callable[[], None]:
    """Start the child with a small soft descriptor limit, as many systems do (1024)."""

    def apply() -> None:
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))

    return apply


@dataclass
class RunningBot:
    process: asyncio.subprocess.Process
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@asynccontextmanager
async def slack_http_bot(
    fake: FakeSlack,
    folder: Path,
    env: dict[str, str] | None = None,
    soft_descriptors: int | None = 1024,
) -> AsyncIterator[RunningBot]:
    """`mobilise run --slack-http` on a free port, its log in `folder`/bot.log."""
    port = free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    environment.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=slack.SECRET,
        SLACK_API_URL=f"{fake.base_url}api/",
        MOBILISE_DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        MOBILISE_CAMPAIGN=str(CAMPAIGN),
        MOBILISE_NOW="2019-09-20T10:00",
        **(env or {}),
    )
    log = folder / "bot.log"
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *serve_slack_http(port),
            env=environment,
            cwd=folder,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_soft_limit(soft_descriptors) if soft_descriptors else None,
        )
    bot = RunningBot(process, port, log)
    try:
        await _wait_until_up(bot)
        yield bot
    finally:
        if process.returncode is None:
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _wait_until_up(bot: RunningBot, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            if bot.process.returncode is not None:
                raise RuntimeError(f"the bot stopped:\n{bot.log_text()[-2000:]}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{bot.port}/health") as ready:
                    if ready.status == 200:
                        return
            if time.monotonic() > deadline:
                raise TimeoutError(bot.log_text()[-2000:])
            await asyncio.sleep(0.1)


async def post_signed(
    session: aiohttp.ClientSession,
    url: str,
    body: str | bytes,
    content_type: str = FORM,
    signed: bool = True,
) -> int:
    """POST a body as Slack would, signed with the test signing secret; the status."""
    raw = body.encode() if isinstance(body, str) else body
    headers = {"content-type": content_type}
    if signed:  # over the bytes, so that a body that is not UTF-8 can be signed too
        stamp = str(int(time.time()))
        digest = hmac.new(slack.SECRET.encode(), b"v0:" + stamp.encode() + b":" + raw, "sha256")
        headers["x-slack-request-timestamp"] = stamp
        headers["x-slack-signature"] = "v0=" + digest.hexdigest()
    async with session.post(url, data=raw, headers=headers) as response:
        await response.read()
        return response.status


# --- slow clients ---------------------------------------------------------------------

HALF_HEADERS = b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applic"
HALF_BODY = (
    b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 900\r\n\r\ntoken=slo"
)
KINDS = ("silent", "half headers", "half body")


@dataclass
class SlowClients:
    """Connections that never finish a request: some send nothing, some half the headers,
    some the headers and a scrap of the body. Each waits for the server to close it; with
    `keep_up`, it then connects again, as an attacker would."""

    host: str
    port: int
    opened: int = 0
    closed_by_server: int = 0
    refused: int = 0
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _writers: set[asyncio.StreamWriter] = field(default_factory=set)

    async def open(self, count: int, keep_up: bool = False) -> None:
        """Open `count` connections (connecting again as they close, with `keep_up`)."""
        target = self.opened + count
        for number in range(count):
            kind = KINDS[number % len(KINDS)]
            self._tasks.append(asyncio.create_task(self._hold(kind, keep_up)))
            if number % 50 == 49:
                await asyncio.sleep(0)  # let the connections made so far be sent
        for _ in range(3000):  # a minute at most
            if self.opened + self.refused >= target:
                break
            await asyncio.sleep(0.02)

    async def _hold(self, kind: str, keep_up: bool) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.refused += 1
                if not keep_up:
                    return
                await asyncio.sleep(0.2)
                continue
            self.opened += 1
            self._writers.add(writer)
            try:
                if kind == "half headers":
                    writer.write(HALF_HEADERS)
                elif kind == "half body":
                    writer.write(HALF_BODY)
                with contextlib.suppress(OSError):
                    while await reader.read(4096):
                        pass  # the server's 408, if it sends one
                self.closed_by_server += 1
            finally:
                self._writers.discard(writer)
                writer.close()
            if not keep_up:
                return

    def open_now(self) -> int:
        return len(self._writers)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()


# --- signed bodies that no listener could read ----------------------------------------


def _view_submission(view: object) -> str:
    return urlencode(
        {
            "payload": json.dumps(
                {
                    "type": "view_submission",
                    "team": {"id": "T1"},
                    "user": {"id": "U1", "username": "alice"},
                    "api_app_id": "A1",
                    "trigger_id": "T-1",
                    "view": view,
                }
            )
        }
    )


def _form_view(private_metadata: str) -> dict[str, object]:
    return {
        "id": "V1",
        "callback_id": "mobilise-form:meeting",
        "private_metadata": private_metadata,
        "state": {"values": {}},
    }


NESTED = 50_000
# Signed bodies no listener could read: each must get 400 and leave no traceback.
MALFORMED: dict[str, tuple[bytes | str, str]] = {
    "form data that is not UTF-8": (
        b"token=legacy&team_id=T1&user_id=U1&command=%2Fask&text=\xff\xfe\xfa&trigger_id=T-1",
        FORM,
    ),
    "form data percent-encoding bytes that are not UTF-8": (
        "token=legacy&team_id=T1&user_id=U1&command=%2Fask&text=%FF%FE&trigger_id=T-1",
        FORM,
    ),
    "payload=[1,2,3]": ("payload=" + "[1,2,3]", FORM),
    "a payload that is not JSON": ("payload=%7Bnot+json", FORM),
    "deeply nested JSON": (
        '{"type":"event_callback","event":' + "[" * NESTED + "]" * NESTED + "}",
        "application/json",
    ),
    "deeply nested JSON in a payload": (
        urlencode({"payload": '{"type":"block_actions","x":' + "[" * NESTED + "]" * NESTED + "}"}),
        FORM,
    ),
    "a JSON body that is a list": ("[1, 2, 3]", "application/json"),
    "bad private_metadata in a view submission": (
        _view_submission(_form_view("{not json")),
        FORM,
    ),
    "private_metadata that is a JSON list": (_view_submission(_form_view("[1]")), FORM),
    "private_metadata naming a channel that is not text": (
        _view_submission(_form_view('{"channel": {"id": 5}}')),
        FORM,
    ),
    "a view that is a list": (_view_submission([]), FORM),
    "view state values that are not objects": (
        _view_submission({**_form_view('{"channel": "C1"}'), "state": {"values": [1]}}),
        FORM,
    ),
    "actions that are not a list of objects": (
        urlencode({"payload": json.dumps({"type": "block_actions", "actions": "press"})}),
        FORM,
    ),
    "an action id that is not text": (
        urlencode(
            {
                "payload": json.dumps(
                    {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": 7}]}
                )
            }
        ),
        FORM,
    ),
    "an event that is not an object": (
        json.dumps({"type": "event_callback", "event": "app_mention"}),
        "application/json",
    ),
    "an empty body": ("", FORM),
}
