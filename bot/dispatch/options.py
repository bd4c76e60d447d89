"""Turning raw option values into typed ones, with a specific message for each mistake."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from bot.campaign.branches import Ambiguous, BranchDirectory
from bot.campaign.dates import day_name, parse_date, short_day
from bot.campaign.pack import Campaign
from bot.errors import UserError
from bot.text import clean_text
from commands.spec import Command, Option, OptionType

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def convert(
    command: Command,
    raw: Mapping[str, Any],
    branches: BranchDirectory,
    campaign: Campaign,
) -> dict[str, Any]:
    """Check and convert every option; raise UserError on the first problem."""
    unknown = [name for name in raw if command.option(name) is None]
    if unknown:
        listed = ", ".join(o.name for o in command.options) or "none"
        raise UserError(f"/{command.name} has no option {unknown[0]!r}. Its options are: {listed}.")
    values: dict[str, Any] = {}
    for option in command.options:
        value = raw.get(option.name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if option.required:
                raise UserError(
                    f"/{command.name} needs {option.name}: ({option.description.rstrip('.')}). "
                    f"Usage: {command.usage()}"
                )
            continue
        try:
            values[option.name] = convert_one(option, value, branches, campaign)
        except Ambiguous as ambiguous:
            ambiguous.option = option.name
            raise
    return values


def convert_one(option: Option, value: Any, branches: BranchDirectory, campaign: Campaign) -> Any:
    """One option's value, typed; UserError with a specific message if it will not do."""
    if option.type is OptionType.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise UserError(f"{option.name}: should be true or false, not {str(value)[:30]!r}.")
    if option.type is OptionType.INTEGER:
        try:
            number = int(str(value).strip().lstrip("#"))
        except ValueError:
            raise UserError(
                f"{option.name}: should be a number, not {str(value)[:30]!r}."
            ) from None
        if option.min_value is not None and number < option.min_value:
            raise UserError(f"{option.name}: should be at least {option.min_value}.")
        if option.max_value is not None and number > option.max_value:
            raise UserError(f"{option.name}: should be at most {option.max_value}.")
        return number
    text = clean_text(str(value))
    if not text:
        raise UserError(f"{option.name}: is empty once control characters are removed.")
    if option.type is OptionType.BRANCH:
        return branches.resolve(text)
    if option.type is OptionType.DATE:
        parsed: date = parse_date(text, campaign.nominations_close.year)
        check_in_campaign(campaign, parsed, option.name)
        return parsed
    if option.type is OptionType.CHOICE:
        word = text.lower()
        if word in option.choices:
            return word
        shown = text[:30]
        raise UserError(f"{option.name}: must be {_join(list(option.choices))}, not {shown!r}.")
    if len(text) > option.max_length:
        raise UserError(
            f"{option.name}: is too long ({len(text)} characters); "
            f"please keep it to {option.max_length}."
        )
    return text


WINDOW_DAYS = 90


def check_in_campaign(campaign: Campaign, day: date, label: str = "date") -> None:
    """Reject dates nowhere near the election: almost certainly a typo."""
    opens = campaign.nominations_open.date()
    closes = campaign.nominations_close.date()
    if not opens - timedelta(days=WINDOW_DAYS) <= day <= closes + timedelta(days=WINDOW_DAYS):
        raise UserError(
            f"{label}: {day_name(day)} is nowhere near this election (nominations run "
            f"{short_day(opens)} to {short_day(closes)}). Nothing has been saved."
        )
