"""Reading a file of supporters gathered before the bot, whose consent was recorded
elsewhere (`mobilise import-volunteers`). Every row is checked; one bad row refuses the
whole file, named by its line."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.campaign.branches import BranchDirectory
from bot.campaign.domain import ImportedVolunteer, User
from bot.campaign.packfiles import RowProblem, numbered_rows

PLATFORMS = ("slack", "discord", "console")
COLUMNS = ("platform", "user_id", "name", "branch", "consented_at")


def read_volunteers(
    text: str, branches: BranchDirectory, zone: ZoneInfo, now: datetime
) -> tuple[list[ImportedVolunteer], list[RowProblem]]:
    """The volunteers a CSV lists, and a problem for each row that will not do."""
    rows = numbered_rows(text)
    if not rows:
        return [], [RowProblem(1, "the file is empty; it needs the header " + ",".join(COLUMNS))]
    header = [cell.strip().lower() for cell in rows[0][1]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        return [], [RowProblem(1, f"the header lacks {', '.join(missing)}")]
    index = {name: header.index(name) for name in COLUMNS}
    found: list[ImportedVolunteer] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        problem = _problem(cells, branches)
        consented = _moment(cells["consented_at"], zone)
        if problem is None and consented is None:
            problem = f"consented_at {cells['consented_at'][:30]!r} is not a date and time"
        if problem is None and consented is not None and consented > now:
            problem = "consented_at is in the future"
        key = (cells["platform"].lower(), cells["user_id"])
        if problem is None and key in seen:
            problem = f"{key[0]} user {key[1]} is already on line {seen[key]}"
        if problem is not None or consented is None:
            problems.append(RowProblem(number, problem or "unreadable"))
            continue
        seen[key] = number
        branch = branches.get(cells["branch"])
        assert branch is not None
        user = User(key[0], key[1], cells["name"][:80])
        found.append(ImportedVolunteer(user, branch.code, consented))
    return found, problems


def _problem(cells: dict[str, str], branches: BranchDirectory) -> str | None:
    if cells["platform"].lower() not in PLATFORMS:
        shown = cells["platform"][:20] or "nothing"
        return f"platform is {shown!r}; it must be {', '.join(PLATFORMS)}"
    if not cells["user_id"] or len(cells["user_id"]) > 64:
        return "user_id is missing or too long"
    if not cells["name"]:
        return "name is missing"
    if not cells["consented_at"]:
        return "no consent: consented_at is empty, so this supporter cannot be imported"
    if branches.get(cells["branch"]) is None:
        return f"unknown branch {cells['branch'][:60]!r}: use the branch's code or exact name"
    return None


def _moment(text: str, zone: ZoneInfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)
