"""A minute of slow-client attack on `mobilise run --slack-http`, measured from outside.

The bot runs as a real process (started with the soft descriptor limit of 1024 that many
systems give) against the local fake Slack Web API. The attack keeps `--connections`
slow, half-sent and silent connections open, opening a new one whenever the server drops
one, for `--seconds`. Meanwhile a signed /ask is sent every `--every` seconds and the
time to its acknowledgement is recorded; at the end, every malformed signed body from the
tests is sent once more. Prints JSON: acknowledgement times, connections the server
closed, statuses, and the size of the bot's log over the run.

    .venv/bin/python benchmarks/slow_clients.py [--connections 1100] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import slack_harness as slack  # noqa: E402
from tests.fakes.slack_api import fake_slack  # noqa: E402
from tests.slack_process import (  # noqa: E402
    MALFORMED,
    SlowClients,
    allow_descriptors,
    post_signed,
    slack_http_bot,
)


async def attack(connections: int, seconds: float, every: float) -> dict[str, object]:
    if not allow_descriptors(connections + 400):
        raise SystemExit(f"this benchmark needs {connections + 400} file descriptors")
    with tempfile.TemporaryDirectory() as folder:
        async with fake_slack() as fake, slack_http_bot(fake, Path(folder)) as bot:
            clients = SlowClients("127.0.0.1", bot.port)
            acks: list[float] = []
            statuses: list[int] = []
            answered = 0
            try:
                opened_at = time.monotonic()
                await clients.open(connections, keep_up=True)
                opening = time.monotonic() - opened_at
                log_before = bot.log.stat().st_size
                started = time.monotonic()
                async with aiohttp.ClientSession() as session:
                    number = 0
                    while time.monotonic() - started < seconds:
                        number += 1
                        tag = f"ask{number}"
                        body = slack.command_body(
                            "ask", "when do nominations close?", response_url=fake.response_url(tag)
                        )
                        sent = time.monotonic()
                        statuses.append(await post_signed(session, bot.url, body))
                        acks.append(time.monotonic() - sent)
                        try:
                            await fake.wait_for(f"response_url:{tag}", within=10)
                            answered += 1
                        except TimeoutError:
                            pass
                        await asyncio.sleep(max(0.0, every - (time.monotonic() - sent)))
                    malformed = {
                        name: await post_signed(session, bot.url, body, content_type)
                        for name, (body, content_type) in MALFORMED.items()
                    }
                open_at_end = clients.open_now()
                elapsed = time.monotonic() - started
            finally:
                await clients.close()
            log_during = bot.log.stat().st_size - log_before
            log = bot.log_text()
    ordered = sorted(acks)
    return {
        "slow_connections": connections,
        "seconds": round(elapsed, 1),
        "opening_them_took_s": round(opening, 2),
        "slow_connections_opened": clients.opened,
        "slow_connections_closed_by_server": clients.closed_by_server,
        "slow_connections_open_at_end": open_at_end,
        "asks_sent": len(acks),
        "asks_acknowledged_200": statuses.count(200),
        "asks_answered": answered,
        "ack_ms_p50": round(statistics.median(ordered) * 1000, 1),
        "ack_ms_max": round(ordered[-1] * 1000, 1),
        "acks_under_1s": sum(1 for a in acks if a < 1.0),
        "malformed_bodies_given_400": sum(1 for s in malformed.values() if s == 400),
        "malformed_bodies_sent": len(malformed),
        "log_bytes_during_attack": log_during,
        "log_bytes_whole_run": len(log.encode()),
        "tracebacks_in_log": log.count("Traceback"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=1100)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between signed /asks")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(attack(args.connections, args.seconds, args.every)), indent=2))


if __name__ == "__main__":
    main()
