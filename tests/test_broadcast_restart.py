"""Killing the sender mid-broadcast and starting it again: once each, whether or not the
platform honours nonces, as the messages in flight at the kill are found in the DM
channels' history (by the key in a button's custom id) and not sent again. Runs the
broadcast benchmark, which drives real `mobilise send-due` processes against a fake
Discord API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Real `send-due` processes killed half-way: the slow tier (make test-all, CI).
pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


def broadcast(*options: str) -> dict[str, object]:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "broadcast.py"),
            "--recipients",
            "200",
            "--rate",
            "100",
            "--kill-at",
            "0.5",
            "--latency",
            "0.1",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=True,
        cwd=ROOT,
    )
    report: dict[str, object] = json.loads(result.stdout)
    return report


@pytest.mark.timeout(300)
def test_exactly_once_where_the_platform_honours_nonces() -> None:
    report = broadcast()
    assert report["killed"] is True
    assert report["lost"] == 0
    assert report["duplicates"] == 0
    assert report["delivered"] == 200
    assert isinstance(report["in_flight_at_kill"], int) and report["in_flight_at_kill"] > 0
    assert report["deduplicated_by_nonce"] == 0  # found first: nothing sent twice
    assert report["sent_not_recorded"] == report["recorded_not_sent"] == 0


@pytest.mark.timeout(300)
def test_exactly_once_where_the_platform_ignores_nonces() -> None:
    report = broadcast("--no-nonce")
    assert report["killed"] is True
    assert report["lost"] == 0
    assert report["duplicates"] == 0
    assert report["delivered"] == 200
    assert isinstance(report["in_flight_at_kill"], int) and report["in_flight_at_kill"] > 0
    assert report["sent_not_recorded"] == report["recorded_not_sent"] == 0
