"""The question sets stay evaluation data: none of their questions is written into the
code or the tests (including their data), where it could be tuned for or memorised."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = ROOT / "campaign" / "eval"
SKIP = {".git", ".venv", "node_modules", "var", "__pycache__", ".mypy_cache", ".ruff_cache"}
TEXT = {".py", ".md", ".yaml", ".yml", ".txt", ".json", ".jsonl", ".toml", ".cfg", ".csv"}
TESTS = ROOT / "tests"
SHORTEST = 4  # words: shorter questions ("twitter?") are ordinary phrases


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower().replace("'", "").replace("’", "")))


def _questions() -> set[str]:
    found = set()
    for path in SETS.glob("*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                question = _plain(json.loads(line)["q"])
                if len(question.split()) >= SHORTEST:
                    found.add(question)
    return found


def _files() -> list[Path]:
    out = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP or any(p.endswith(".egg-info") for p in parts):
            continue
        code = path.suffix == ".py" or (TESTS in path.parents and path.suffix in TEXT)
        if path.is_file() and code and SETS not in path.parents:
            out.append(path)
    return out


# Files that held set questions when this check was added, and how many: the numbers may
# only fall. The answer engine's code and its learned-ranker tests hold none; these are
# the lexical ranker's older tests and everyday questions about the timetable
# in the platform tests and benchmarks.
KNOWN = {
    "tests/test_answers.py": 71,
    "tests/test_slack.py": 5,
    "tests/test_discord.py": 3,
    "tests/test_campaign_moments.py": 1,
    "tests/test_cli.py": 1,
    "tests/test_commands_console.py": 1,
    "tests/test_conversation.py": 1,
    "tests/test_http_hostile.py": 1,
    "tests/test_run.py": 1,
    "tests/test_store.py": 1,
    "benchmarks/commands.py": 5,
    "benchmarks/slow_clients.py": 1,
    "bot/rehearse/crowd.py": 3,
}


def test_no_question_of_any_set_appears_outside_the_sets() -> None:
    questions = _questions()
    assert len(questions) > 1000  # the sets are there and read
    over = []
    for path in _files():
        text = f" {_plain(path.read_text(encoding='utf-8', errors='ignore'))} "
        leaks = sorted(q for q in questions if f" {q} " in text)
        name = path.relative_to(ROOT).as_posix()
        if len(leaks) > KNOWN.get(name, 0):
            over.append(f"{name}: {leaks}")
    assert not over, "\n".join(over)


def test_the_check_finds_a_question_written_into_code() -> None:
    question = sorted(_questions())[0]
    text = f" {_plain(f'answer = engine.answer({question!r})')} "
    assert f" {question} " in text
