"""The documents say what the bot does: the README's tour, settings and commands are
checked against the real thing, so they cannot drift from it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

from bot.runtime.settings import Settings, env_name
from commands import registry
from tests.conftest import CAMPAIGN, mobilise_command, sqlite_url

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")


def section(title: str) -> str:
    """The README's section under `## title`, up to the next one."""
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else len(README)]


def tour() -> tuple[list[str], list[str], str]:
    """The tour's lines typed, the `mobilise` arguments, and the output the README shows."""
    block = section("A short tour").split("```sh\n", 1)[1].split("```", 1)[0]
    lines = block.splitlines()
    last = next(i for i, line in enumerate(lines) if "| .venv/bin/mobilise" in line)
    command = " ".join(line.rstrip("\\").strip() for line in lines[: last + 1])
    words = shlex.split(command.removeprefix("$ "))
    bar = words.index("|")
    assert words[:2] == ["printf", "%s\\n"], words
    typed, arguments = words[2:bar], words[bar + 2 :]
    assert words[bar + 1] == ".venv/bin/mobilise"
    return typed, arguments, "\n".join(lines[last + 1 :]).strip() + "\n"


def test_the_readme_tour_is_what_the_bot_says_every_time(tmp_path: Path) -> None:
    """The campaign is over, so the tour runs at the pack's demonstration moment, on a
    store apart from the real one: run twice in the same place, it says the same."""
    typed, arguments, shown = tour()
    assert len(typed) >= 5 and "console" in arguments and "--now" not in arguments
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOBILISE_")}
    for _ in range(2):
        result = subprocess.run(
            [*mobilise_command(), "--campaign", str(CAMPAIGN), *arguments],
            input="".join(f"{line}\n" for line in typed),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=environment,
            cwd=tmp_path,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() + "\n" == shown
        (line,) = result.stderr.splitlines()
        assert "demonstration from Fri 20 Sep 2019 at 10am" in line
        assert "var/demo.db" in line and "--now" in line
    assert (tmp_path / "var" / "demo.db").exists()
    assert not (tmp_path / "var" / "mobilise.db").exists()  # the real store is untouched


def test_every_setting_is_in_env_example_and_the_readme() -> None:
    names = [env_name(field) for field in Settings.model_fields]
    assert "MOBILISE_COMMAND_PREFIX" in names and "SLACK_BOT_TOKEN" in names
    in_example = set(re.findall(r"(?m)^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE))
    assert [n for n in names if n not in in_example] == []
    assert [n for n in names if f"`{n}" not in README and f" {n}`" not in README] == []


def readme_commands() -> set[str]:
    """The commands named in the first column of the README's command table."""
    named: set[str] = set()
    for row in section("Commands").splitlines():
        if row.startswith("| `/"):
            first = re.split(r"(?<!\\)\|", row)[1]
            named.update(re.findall(r"`/([a-z][a-z-]*)", first))
    return named


def test_every_command_is_in_the_readme_table() -> None:
    listed = readme_commands()
    typed = set(registry().names())
    assert typed - listed == set()
    assert listed - typed == set()  # nor a command that is gone


def test_mydata_audit_and_inquorate_are_documented_and_hinted(tmp_path: Path) -> None:
    for word in ("`/mydata`", "`/audit", "inquorate"):
        assert word in section("Commands"), word
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOBILISE_")}

    def help_for(*identity: str) -> str:
        result = subprocess.run(
            [
                *mobilise_command(),
                "--db",
                sqlite_url(tmp_path / "help.db"),
                "--campaign",
                str(CAMPAIGN),
                "console",
                *identity,
            ],
            input="/help\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env=environment,
        )
        return result.stdout

    supporter = help_for("--as", "alice")
    assert "/mydata" in supporter and "inquorate" in supporter
    assert "/audit" not in supporter
    organiser = help_for("--as", "olive", "--organiser")
    assert "/audit" in organiser and "/mydata" in organiser
