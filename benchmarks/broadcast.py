"""A personal reminder to many volunteers, through real `mobilise send-due` processes and
a local fake platform API that enforces a rate limit. Prints JSON.

    python benchmarks/broadcast.py [--recipients 10000] [--rate 100] [--senders 1]
                                   [--kill-at F] [--platform discord|slack]
                                   [--latency S] [--no-nonce]

N volunteers are imported (`mobilise import-volunteers`), each then due one reminder.
`--senders` starts that many `send-due` processes at once; they share the reminders
lease, so one sends and the others wait or give way. With `--kill-at F` every sender is
killed with SIGKILL once F of the messages have arrived, and one is started again to
finish. Discord's fake answers message creates over the rate with 429 and Retry-After
and honours nonces (unless --no-nonce); both fakes keep the messages posted, with
their metadata (Slack) or buttons (Discord), which is how a send cut short is found
again. Reports what arrived, the
duplicates and losses, the rate achieved against the limit, and whether every
record's status agrees with what the platform received.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.discord_api import FakeDiscord, fake_discord  # noqa: E402
from tests.fakes.slack_api import FakeSlack, fake_slack  # noqa: E402
from tests.fleet import DISCORD_MESSAGES, Fleet, finish, kill, tally  # noqa: E402

# The senders' clock, a few minutes after the import's: every reminder is due, however
# long the import took on its own clock.
SEND_DUE = ("--now", "2019-09-20T10:05", "send-due")


@asynccontextmanager
async def platform(args: argparse.Namespace) -> AsyncIterator[FakeSlack | FakeDiscord]:
    if args.platform == "slack":
        async with fake_slack(latency=args.latency) as slack:
            yield slack
    else:
        async with fake_discord(
            honour_nonce=not args.no_nonce, message_limit=args.rate, latency=args.latency
        ) as discord:
            yield discord


def arrivals(fake: FakeSlack | FakeDiscord) -> list[float]:
    if isinstance(fake, FakeSlack):
        return [c.at for c in fake.calls_to("chat.postMessage")]
    return [c.at for c in fake.calls_to(DISCORD_MESSAGES)]


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/broadcast.db"
        async with platform(args) as fake:
            fleet = Fleet(url, args.platform, fake, Path(folder), rate=args.rate * args.pace)
            await fleet.import_volunteers(args.recipients)
            started = time.monotonic()
            senders = [await fleet.start(*SEND_DUE) for _ in range(args.senders)]
            killed = False
            in_flight = 0
            if args.kill_at:
                await fleet.until_arrived(int(args.recipients * args.kill_at), within=3600)
                for sender in senders:
                    await kill(sender)
                killed = True
                statuses = await fleet.statuses()
                in_flight = sum(
                    1 for key in fleet.received() if statuses.get(key) == "sending"
                )  # sent, not yet recorded as sent: what a restart must not send twice
                senders = [await fleet.start(*SEND_DUE)]
            exits = [await finish(sender, within=3600) for sender in senders]
            seconds = time.monotonic() - started
            result = tally(fleet.received(), await fleet.statuses(), args.recipients)
            shown = arrivals(fake)
            span = (shown[-1] - shown[0]) if len(shown) > 1 else 0.0
            achieved = (len(shown) - 1) / span if span else 0.0
            http_429s = fake.http_429s if isinstance(fake, FakeDiscord) else 0
            return {
                "platform": args.platform,
                "recipients": args.recipients,
                "senders": args.senders,
                **result,
                "latency_s": args.latency,
                "seconds": round(seconds, 2),
                "limit_per_s": args.rate,
                "achieved_per_s": round(achieved, 1),
                "ratio_to_limit": round(achieved / args.rate, 3),
                "http_429s": http_429s,
                "share_429": round(http_429s / (len(shown) + http_429s), 4) if shown else 0.0,
                "killed": killed,
                "in_flight_at_kill": in_flight,
                "nonce_honoured": args.platform == "discord" and not args.no_nonce,
                "deduplicated_by_nonce": (
                    len(fake.calls_to(f"{DISCORD_MESSAGES}#deduplicated"))
                    if isinstance(fake, FakeDiscord)
                    else 0
                ),
                "sender_exit_codes": sorted(code for code, _ in exits),
                "sender_warnings": [
                    line[:300]
                    for _, err in exits
                    for line in err.splitlines()
                    if "WARNING" in line or "ERROR" in line
                ][-5:],
            }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="the platform's limit per second")
    parser.add_argument(
        "--pace", type=float, default=0.98, help="the sender's rate as a share of the limit"
    )
    parser.add_argument("--senders", type=int, default=1, help="send-due processes at once")
    parser.add_argument("--kill-at", type=float, default=None, help="kill them all at this share")
    parser.add_argument("--platform", choices=("discord", "slack"), default="discord")
    parser.add_argument("--no-nonce", action="store_true")
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds the fake takes to answer a send"
    )
    parser.add_argument("--json", action="store_true", help="JSON only (the default output)")
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
