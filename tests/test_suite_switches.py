"""The test suite's own switches reach the tests: `MOBILISE_TEST_POSTGRES=off` makes the
PostgreSQL cases skip with their reason even where a server answers, as on a machine
without one (the autouse fixture clears the bot's settings, not these)."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

CASE = "tests/test_store.py::test_migrations_from_empty_match_the_schema"


def run_case(**switches: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOBILISE_")}
    env.update(switches)
    return subprocess.run(
        [sys.executable, "-m", "pytest", CASE, "-q", "-rs", "-p", "no:cacheprovider"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_postgresql_opt_out_is_honoured() -> None:
    result = run_case(MOBILISE_TEST_POSTGRES="off")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED [1]" in result.stdout and "PostgreSQL is not available" in result.stdout
    assert "PostgreSQL cases run: 0 (server: not available)" in result.stdout
