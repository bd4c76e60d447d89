"""Personal reminders to many volunteers through a rate-limited fake Discord API.

    python benchmarks/broadcast.py [--recipients 10000] [--rate 100] [--kill-at 0.5]
                                   [--no-nonce] [--json]

N volunteers on Discord are each due one reminder. The sender is a real
`mobilise send-due` process (the bot's delivery path: the store's delivery log, the
Discord sender with discord.py's HTTP client). The fake answers message creates over R
per second with 429 and Retry-After. With --kill-at F the sender is killed (SIGKILL)
once F of the messages have arrived, and started again. The fake honours message nonces
unless --no-nonce. Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.campaign import load_campaign  # noqa: E402
from bot.messages import User  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.fakes.discord_api import FakeDiscord, fake_discord  # noqa: E402

LONDON = ZoneInfo("Europe/London")
SIGNED_UP = datetime(2019, 9, 20, 10, 0, tzinfo=LONDON)
MESSAGES = "POST /channels/{id}/messages"


def user_id(n: int) -> str:
    return str(500_000_000_000_000_000 + n)


async def seed(url: str, recipients: int) -> None:
    store = await Store.open(url)
    branches = load_campaign(ROOT / "campaign").branches
    await store.branches.sync(branches, SIGNED_UP)
    for start in range(0, recipients, 500):
        await asyncio.gather(
            *(
                store.people.sign_up(
                    User("discord", user_id(n), f"Volunteer {n}"),
                    branches[n % len(branches)].code,
                    "consent",
                    SIGNED_UP,
                )
                for n in range(start, min(recipients, start + 500))
            )
        )
    await store.close()


async def run_sender(env: dict[str, str], fake: FakeDiscord, kill_after: int | None) -> bool:
    """Run `mobilise send-due`; kill it once `kill_after` messages arrived. True if killed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "send-due",
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    if kill_after is not None:
        while process.returncode is None:
            if len(fake.calls_to(MESSAGES)) >= kill_after:
                process.send_signal(signal.SIGKILL)
                await process.wait()
                return True
            await asyncio.sleep(0.005)
    _, stderr = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"send-due failed: {stderr.decode()[-2000:]}")
    return False


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/broadcast.db"
        await seed(url, args.recipients)
        async with fake_discord(
            honour_nonce=not args.no_nonce, message_limit=args.rate, latency=args.latency
        ) as fake:
            env = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
            }
            env.update(
                DISCORD_TOKEN="benchmark-token",  # noqa: S106 - the fake accepts any token
                DISCORD_API_URL=fake.base_url,
                MOBILISE_DATABASE_URL=url,
                MOBILISE_CAMPAIGN=str(ROOT / "campaign"),
                MOBILISE_NOW=(SIGNED_UP + timedelta(seconds=30)).replace(tzinfo=None).isoformat(),
                MOBILISE_DISCORD_SEND_RATE=str(args.rate * args.pace),
                MOBILISE_LOG_LEVEL="ERROR",
            )
            started = time.monotonic()
            kill_after = int(args.recipients * args.kill_at) if args.kill_at else None
            killed = await run_sender(env, fake, kill_after)
            in_flight = 0
            if killed:
                store = await Store.open(url)
                pending = {r.nonce for r in await store.deliveries.all("pending")}
                await store.close()
                arrived = {
                    c.json.get("nonce") for c in fake.calls_to(MESSAGES) if isinstance(c.json, dict)
                }
                in_flight = len(pending & arrived)  # sent, but not yet recorded as sent
                await run_sender(env, fake, None)
            seconds = time.monotonic() - started
            shown = fake.calls_to(MESSAGES)
            channels = Counter(c.path.split("/")[-2] for c in shown)
            delivered = len(channels)
            duplicates = sum(n - 1 for n in channels.values())
            span = (shown[-1].at - shown[0].at) if len(shown) > 1 else 0.0
            achieved = (len(shown) - 1) / span if span else 0.0
            attempts = len(shown) + fake.http_429s
            return {
                "recipients": args.recipients,
                "delivered": delivered,
                "duplicates": duplicates,
                "latency_s": args.latency,
                "lost": args.recipients - delivered,
                "seconds": round(seconds, 2),
                "limit_per_s": args.rate,
                "achieved_per_s": round(achieved, 1),
                "ratio_to_limit": round(achieved / args.rate, 3),
                "http_429s": fake.http_429s,
                "share_429": round(fake.http_429s / attempts, 4) if attempts else 0.0,
                "killed": killed,
                "in_flight_at_kill": in_flight,
                "nonce_honoured": not args.no_nonce,
                "deduplicated_by_nonce": len(fake.calls_to(f"{MESSAGES}#deduplicated")),
            }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=100.0, help="the fake's limit per second")
    parser.add_argument(
        "--pace", type=float, default=0.98, help="the sender's rate as a share of the limit"
    )
    parser.add_argument("--kill-at", type=float, default=None)
    parser.add_argument("--no-nonce", action="store_true")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.0,
        help="seconds the fake takes to answer a message create",
    )
    parser.add_argument("--json", action="store_true", help="JSON only (the default output)")
    result = asyncio.run(main(parser.parse_args()))
    print(json.dumps(result, indent=None if result else 2))
