"""Loading the campaign pack.

A pack is a folder of YAML files and a branch list in CSV. `load_campaign` reads and
checks all of it at start-up; anything malformed raises PackError naming the file, the
line or key, and what is wrong, so an organiser editing a pack can fix it quickly.
"""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from bot.campaign.ballot import FILE, BallotFile, ballot_days, ballot_faq
from bot.campaign.meeting import FILE as MEETING_FILE
from bot.campaign.meeting import MEETING_FIELDS, MeetingFile
from bot.campaign.models import (
    REASON_FIELDS,
    BackgroundFile,
    CampaignFile,
    FaqEntry,
    FaqFile,
    LanguageFile,
    ManifestoFile,
    StepsFile,
)
from bot.campaign.pack import Campaign
from bot.campaign.packfiles import (
    check_templates,
    parse_branch_csv,
    read_model,
    read_optional,
    read_text,
)
from bot.campaign.rules import (
    DAY_ANCHORS,
    RemindersFile,
    check_reminders,
)
from bot.errors import PackError


def load_campaign(root: Path) -> Campaign:
    """Load and check the campaign pack in `root`."""
    if not root.is_dir():
        raise PackError(f"{root}: the campaign folder does not exist")
    campaign_path = root / "campaign.yaml"
    info = read_model(CampaignFile, campaign_path)
    manifesto = read_model(ManifestoFile, root / "manifesto.yaml")
    steps_path = root / "steps.yaml"
    steps = read_model(StepsFile, steps_path)
    faq_path = root / "faq.yaml"
    faq = read_optional(FaqFile, faq_path) or FaqFile()
    background = read_optional(BackgroundFile, root / "background.yaml")

    branches_path = root / info.branches.file
    branches, problems = parse_branch_csv(read_text(branches_path))
    if problems:
        raise PackError(
            "\n".join(f"{branches_path}, line {p.line}: {p.message}" for p in problems[:10])
        )
    if not branches:
        raise PackError(f"{branches_path}: the branch list is empty")

    reminders_path = root / "reminders.yaml"
    reminders = read_optional(RemindersFile, reminders_path) or RemindersFile()
    ballot = read_optional(BallotFile, root / "ballot.yaml")

    language = read_optional(LanguageFile, root / "language.yaml") or LanguageFile()
    meeting_path = root / MEETING_FILE
    meeting = read_optional(MeetingFile, meeting_path) or MeetingFile()

    campaign = Campaign(
        root=root,
        info=info,
        sections=tuple(manifesto.sections),
        steps=steps,
        faq=(*faq.entries, *map(FaqEntry.model_validate, ballot_faq(ballot))),
        background=background,
        branches=tuple(branches),
        reminders=tuple(reminders.rules),
        digest_text=reminders.digest,
        language=language,
        ballot=ballot,
        quiet_hours=reminders.quiet_hours,
        daily_limit=reminders.daily_limit,
        meeting_day_limit=reminders.meeting_day_limit,
        meeting=meeting,
    )
    _check_order(campaign_path, campaign)
    _check_ballot(root, campaign)
    known = campaign.fields.keys()
    check_templates(steps_path, {"intro": steps.intro}, known)
    check_templates(
        steps_path, {f"steps.{i}.text": s.text for i, s in enumerate(steps.steps)}, known
    )
    check_templates(
        faq_path, {f"entries.{i}.answer": e.answer for i, e in enumerate(faq.entries)}, known
    )
    check_templates(
        campaign_path,
        {f"reasons.{reason}": text for reason, text in info.reasons.items()},
        [*known, *REASON_FIELDS],
    )
    check_templates(
        faq_path, {f"entries.{i}.pending": e.pending for i, e in enumerate(faq.entries)}, known
    )
    check_templates(
        faq_path,
        {
            f"entries.{i}.later.{n}.answer": r.answer
            for i, e in enumerate(faq.entries)
            for n, r in enumerate(e.later)
        },
        known,
    )
    check_templates(meeting_path, meeting.texts(), [*known, *MEETING_FIELDS])
    anchors = {*info.timetable, *DAY_ANCHORS, *ballot_days(campaign)}
    check_reminders(reminders_path, reminders, known, anchors)
    return campaign


def _check_order(path: Path, campaign: Campaign) -> None:
    order = [
        ("nominations_open", campaign.nominations_open),
        ("nominations_close", campaign.nominations_close),
        ("ballot_open", campaign.ballot_open),
        ("ballot_close", campaign.ballot_close),
    ]
    for (first, a), (second, b) in pairwise(order):
        if not a < b:
            raise PackError(f"{path}, timetable.{second}: must come after {first}")


def _check_ballot(root: Path, campaign: Campaign) -> None:
    """Every fact's text uses known fields, and no FAQ id is used twice."""
    ballot = campaign.ballot
    if ballot is None:
        return
    path = root / FILE
    texts = {f"{key.replace('-', '_')}.text": f.text for key, f in ballot.facts().items()}
    texts["missing_paper.replacement"] = ballot.missing_paper.replacement or ""
    check_templates(path, texts, campaign.fields.keys())
    seen: set[str] = set()
    for entry in campaign.faq:
        if entry.id in seen:
            raise PackError(f"{path}: FAQ id {entry.id!r} is also used in faq.yaml")
        seen.add(entry.id)
