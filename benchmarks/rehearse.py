"""A whole campaign rehearsed at scale: `mobilise rehearse --supporters 10000 --faults
--json` as a real process, timed. Prints JSON: the wall time, the rehearsal's own
figures (hours, commands, messages, faults) and the number of violations.

    python benchmarks/rehearse.py [--supporters 10000] [--seed 1] [--no-faults]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = f"sqlite+aiosqlite:///{Path(folder) / 'rehearse.db'}"
        command = [sys.executable, "-m", "bot.cli", "--db", db, "rehearse", "--json"]
        command += ["--supporters", str(args.supporters), "--seed", str(args.seed)]
        if not args.no_faults:
            command.append("--faults")
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        wall = time.perf_counter() - started
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        print(json.dumps({"error": done.stderr[-2000:], "returncode": done.returncode}))
        return 1
    report = {
        "supporters": result["supporters"],
        "faults": result.get("faults"),
        "wall_seconds": round(wall, 1),
        "rehearsal_seconds": result["seconds"],
        "hours": result["hours"],
        "swept_hours": result.get("swept_hours"),
        "commands": result["commands"],
        "messages": result["messages"],
        "violation_count": len(result["violations"]),
        "violations": result["violations"][:5],  # the first few
        "threshold_reached_on": result["threshold_reached_on"],
    }
    print(json.dumps(report))
    return 0 if not result["violations"] else 1


if __name__ == "__main__":
    sys.exit(main())
