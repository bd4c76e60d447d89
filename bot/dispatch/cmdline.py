"""Reading `/name opt:value opt:"two words"` lines, as typed in the console or in Slack.

Option markers are the command's own option names followed by a colon, outside double
quotes. Text after a marker runs to the next marker, so `text:Thanks, it's at 5pm` needs
no quotes; quotes are only needed when a value itself contains `name:`. Text before the
first marker belongs to the command's only required option (`/ask when is the ballot`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.errors import UserError
from commands.spec import Command

_QUOTE_PAIRS = {'"': '"', "“": "”", "”": "”"}
_MARKER = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):")
MAX_LINE = 4000


@dataclass
class ParsedLine:
    name: str
    options: dict[str, str] = field(default_factory=dict)


def split_command(line: str) -> tuple[str, str]:
    """`/Nominate  branch:x` -> (`nominate`, `branch:x`)."""
    stripped = line.strip()
    if not stripped.startswith("/"):
        raise ValueError("not a command")
    head, _, rest = stripped[1:].partition(" ")
    return head.strip().lower(), rest.strip()


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] in _QUOTE_PAIRS and value[-1] == _QUOTE_PAIRS[value[0]]:
        return value[1:-1].strip()
    return value


def _markers(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of every `name:` outside double quotes, at a word start."""
    found = []
    in_quote: str | None = None
    i = 0
    while i < len(text):
        ch = text[i]
        if in_quote:
            if ch == in_quote:
                in_quote = None
            i += 1
            continue
        if ch in _QUOTE_PAIRS and (i == 0 or text[i - 1] in " :"):
            in_quote = _QUOTE_PAIRS[ch]
            i += 1
            continue
        if i == 0 or text[i - 1].isspace():
            match = _MARKER.match(text, i)
            if match:
                found.append((match.start(), match.end(), match.group(1).lower()))
                i = match.end()
                continue
        i += 1
    return found


def parse_options(command: Command, text: str) -> dict[str, str]:
    """Split the text after a command name into raw option values."""
    if len(text) > MAX_LINE:
        raise UserError(f"That is too long: please keep commands under {MAX_LINE} characters.")
    known = {option.name for option in command.options}
    markers = []
    current: str | None = None
    for start, end, name in _markers(text):
        if name in known:
            markers.append((start, end, name))
            current = name
            continue
        # An unknown `name:` inside free text is just text ("Note: ..."); anywhere else
        # it is a mistyped option.
        holder = command.option(current) if current else None
        if holder is None and current is None:
            target = _positional_target(command, {})
            holder = command.option(target) if target else None
        if holder is None or not holder.is_free_text:
            listed = ", ".join(o.name for o in command.options) or "none"
            raise UserError(f"/{command.name} has no option {name!r}. Its options are: {listed}.")
    options: dict[str, str] = {}
    leading = text[: markers[0][0]] if markers else text
    for index, (_, end, name) in enumerate(markers):
        stop = markers[index + 1][0] if index + 1 < len(markers) else len(text)
        if name in options:
            raise UserError(f"You gave {name}: twice. Give each option once.")
        options[name] = _unquote(text[end:stop])
    leading = leading.strip()
    if leading:
        target = _positional_target(command, options)
        if target is None:
            usage = command.usage()
            raise UserError(
                f"I didn't understand {leading[:40]!r}. Name each option, like this: {usage}"
            )
        options[target] = _unquote(leading)
    return options


def _positional_target(command: Command, given: dict[str, str]) -> str | None:
    """Where text with no option name goes: the only required option, if not given."""
    required = command.required
    if len(required) == 1 and required[0].name not in given:
        return required[0].name
    if not required and len(command.options) == 1 and command.options[0].name not in given:
        return command.options[0].name
    return None
