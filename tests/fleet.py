"""Real `mobilise` processes sending to many volunteers at once, for the exactly-once
tests and the broadcast benchmark: imported volunteers, senders started together,
killed with SIGKILL part way and started again, and what the fake platform received
compared with what the store recorded."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import signal
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.campaign.loading import load_campaign
from bot.store import Store
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "campaign"
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2019, 9, 20, 10, 0, tzinfo=LONDON)
DISCORD_MESSAGES = "POST /channels/{id}/messages"


def user_id(platform: str, n: int) -> str:
    return f"U{n:08d}" if platform == "slack" else str(500_000_000_000_000_000 + n)


def volunteers_csv(platform: str, recipients: int, branches: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["platform", "user_id", "name", "branch", "consented_at"])
    consented = (NOW - timedelta(days=10)).replace(tzinfo=None).isoformat()
    for n in range(recipients):
        code = branches[n % len(branches)]
        writer.writerow([platform, user_id(platform, n), f"Volunteer {n}", code, consented])
    return out.getvalue()


@dataclass
class Fleet:
    """Sender processes for one store and one fake platform."""

    url: str
    platform: str  # slack | discord
    fake: FakeSlack | FakeDiscord
    folder: Path
    rate: float = 400.0
    lease_seconds: float = 2.0

    def environment(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
        }
        env.update(
            MOBILISE_DATABASE_URL=self.url,
            MOBILISE_CAMPAIGN=str(CAMPAIGN),
            MOBILISE_NOW=NOW.replace(tzinfo=None).isoformat(),
            MOBILISE_LEASE_SECONDS=str(self.lease_seconds),
            MOBILISE_LEADER_POLL_SECONDS="0.5",
            MOBILISE_SWEEP_SECONDS="1",
            MOBILISE_LOG_LEVEL="WARNING",
        )
        if self.platform == "slack":
            assert isinstance(self.fake, FakeSlack)
            env.update(
                SLACK_BOT_TOKEN="xoxb-fleet",
                SLACK_API_URL=f"{self.fake.base_url}api/",
                MOBILISE_SLACK_SEND_RATE=str(self.rate),
            )
        else:
            assert isinstance(self.fake, FakeDiscord)
            env.update(
                DISCORD_TOKEN="fleet-token",
                DISCORD_API_URL=self.fake.base_url,
                MOBILISE_DISCORD_SEND_RATE=str(self.rate),
            )
        return env

    async def command(self, *args: str) -> tuple[int, str, str]:
        process = await self.start(*args)
        out, err = await process.communicate()
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def start(self, *args: str) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            *args,
            env=self.environment(),
            cwd=self.folder,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )

    async def import_volunteers(self, recipients: int) -> None:
        """Through `mobilise import-volunteers`, as an organiser would."""
        codes = [b.code for b in load_campaign(CAMPAIGN).branches]
        path = self.folder / "volunteers.csv"
        path.write_text(volunteers_csv(self.platform, recipients, codes), encoding="utf-8")
        code, out, err = await self.command("import-volunteers", str(path))
        assert code == 0, err + out

    # --- what arrived --------------------------------------------------------------

    def received(self) -> Counter[str]:
        """Each delivery key the platform shows, and how many times."""
        if isinstance(self.fake, FakeSlack):
            keys: list[str] = []
            for call in self.fake.calls_to("chat.postMessage"):
                metadata = call.body.get("metadata")
                if isinstance(metadata, dict):
                    keys.append(str((metadata.get("event_payload") or {}).get("key")))
            return Counter(keys)
        shown = self.fake.calls_to(DISCORD_MESSAGES)
        return Counter(str(c.json.get("nonce")) for c in shown if isinstance(c.json, dict))

    def arrived(self) -> int:
        return sum(self.received().values())

    async def statuses(self) -> dict[str, str]:
        store = await Store.open(self.url, migrate_schema=False)
        try:
            return {d.nonce: d.status for d in await store.deliveries.all()}
        finally:
            await store.close()

    async def until_arrived(self, count: int, within: float = 120.0) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while self.arrived() < count:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"only {self.arrived()} of {count} arrived")
            await asyncio.sleep(0.005)


async def kill(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await process.wait()


async def finish(process: asyncio.subprocess.Process, within: float = 180.0) -> tuple[int, str]:
    """Wait for a process that ends by itself (send-due); its exit code and stderr."""
    _, err = await asyncio.wait_for(process.communicate(), within)
    assert process.returncode is not None
    return process.returncode, err.decode()


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(process.communicate(), 30)
    return err.decode()


def tally(received: Counter[str], statuses: dict[str, str], recipients: int) -> dict[str, Any]:
    """Duplicates and losses at the platform, and rows whose status disagrees with it."""
    sent = {key for key, status in statuses.items() if status == "sent"}
    return {
        "delivered": len(received),
        "duplicates": sum(n - 1 for n in received.values()),
        "lost": recipients - len(received),
        "recorded_sent": len(sent),
        "sent_not_recorded": len(set(received) - sent),
        "recorded_not_sent": len(sent - set(received)),
    }
