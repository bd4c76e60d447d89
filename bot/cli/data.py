"""The campaign's records from the command line: export, import, reconcile, purge, back
up, chart."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.app import import_branch_list, open_services
from bot.campaign.packfiles import parse_branch_csv
from bot.campaign.volunteers_file import read_volunteers
from bot.errors import UserError, describe_os_error
from bot.runtime.retention import purge_due, purge_if_due, purge_personal_data
from bot.runtime.settings import Settings
from bot.store.backup import BackupError, backup_sqlite
from bot.views.chart import progress_png
from bot.views.experiments import experiments_report, report_json, report_lines
from bot.views.exports import export_csv
from bot.views.invitation import calendar
from bot.views.reconcile import read_report
from bot.views.reconcile import reconcile as compare


async def _read_input(path: str, command: str) -> str | None:
    """A UTF-8 file named on the command line, or None after saying why it cannot be read."""
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which is dropped
        return await asyncio.to_thread(Path(path).read_text, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        print(f"mobilise {command}: cannot read {path}: {error}", file=sys.stderr)
        return None


async def export(args: argparse.Namespace, settings: Settings) -> int:
    if args.what and args.what_given and args.what != args.what_given:
        print(
            f"mobilise export: {args.what_given} or --what {args.what}? Give one.",
            file=sys.stderr,
        )
        return 2
    what = args.what_given or args.what or "nominations"
    if args.format == "ics" and what != "meetings":
        print(f"mobilise export: --format ics is for meetings, not {what}.", file=sys.stderr)
        return 2
    async with open_services(settings, create=False, answers=False) as services:
        # Past the purge date nothing personal is exported: what is still held goes first.
        await purge_if_due(services, by="the command line, before an export")
        if args.format == "ics":
            meetings = await services.store.reports.meetings()
            sys.stdout.flush()
            sys.stdout.buffer.write(calendar(meetings, services.campaign))
            sys.stdout.buffer.flush()
            return 0
        text, _ = await export_csv(services.store, services.campaign, what, services.clock.now())
        sys.stdout.write(text)
    return 0


async def import_branches(args: argparse.Namespace, settings: Settings) -> int:
    text = await _read_input(args.file, "import-branches")
    if text is None:
        return 2
    branches, problems = parse_branch_csv(text)
    for problem in problems:
        print(f"rejected: {args.file}, line {problem.line}: {problem.message}")
    if not branches:
        print("mobilise import-branches: no branches to import", file=sys.stderr)
        return 2
    async with open_services(settings, answers=False) as services:
        added, updated, retired = await import_branch_list(services, branches, args.replace)
    print(
        f"Imported {len(branches)} branches: {added} new, {updated} updated, "
        f"{len(branches) - added - updated} unchanged"
        + (f", {retired} retired" if args.replace else "")
        + f"; {len(problems)} rows rejected."
    )
    return 0


async def reconcile(args: argparse.Namespace, settings: Settings) -> int:
    text = await _read_input(args.file, "reconcile")
    if text is None:
        return 2
    async with open_services(settings, create=False, answers=False) as services:
        try:
            report, problems = read_report(text, services.branches)
        except UserError as error:
            print(f"mobilise reconcile: {args.file}, {error.message}", file=sys.stderr)
            return 2
        result = compare(
            report, await services.store.branches.facts(), services.branches, services.campaign
        )
        for problem in problems:
            print(f"unreadable: {args.file}, {problem}")
        for difference in result.differences:
            print(difference.describe())
        print(
            f"{len(result.differences)} differences; "
            f"{len(result.agreeing)} branches agree with the official report."
        )
        if args.apply and result.agreeing:
            confirmed = await services.store.nominations.confirm(
                result.agreeing, services.clock.now()
            )
            print(f"Marked {confirmed} nominations confirmed.")
    return 0


async def purge(args: argparse.Namespace, settings: Settings) -> int:
    async with open_services(settings, create=False, answers=False) as services:
        now = services.clock.now()
        due = services.campaign.purge_after
        if now < due and not args.force and not args.dry_run:
            print(
                f"mobilise purge: personal data is kept until {due:%d %B %Y}; "
                "use --force to purge sooner",
                file=sys.stderr,
            )
            return 2
        counts = await purge_personal_data(services, dry_run=args.dry_run, by="the command line")
    listed = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(("Would delete: " if args.dry_run else "Deleted: ") + listed + ".")
    if args.dry_run:
        print(
            "Nothing was changed. Nominations, meetings and the tallies (volunteers, votes "
            "and colleagues asked, per branch) are kept, anonymously; names, handles and "
            "ids are blanked in organisers' answers, nominees and the audit log, which "
            "keeps no free text."
        )
    return 0


async def backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        pages = await backup_sqlite(settings.database_url, args.file, force=args.force)
    except BackupError as error:
        print(f"mobilise backup: {error}", file=sys.stderr)
        return 2
    print(f"Backed up {pages} pages to {args.file}")
    return 0


async def chart(args: argparse.Namespace, settings: Settings) -> int:
    folder = Path(args.out).parent
    if not folder.is_dir():
        print(
            f"mobilise chart: there is no folder {folder} to write {args.out} in", file=sys.stderr
        )
        return 2
    async with open_services(settings, create=False, answers=False) as services:
        store = services.store
        png = progress_png(
            await store.nominations.timeline(),
            services.campaign,
            services.clock.now(),
            await store.branches.facts(),
        )
    try:
        await asyncio.to_thread(Path(args.out).write_bytes, png)
    except OSError as error:
        print(
            f"mobilise chart: cannot write {args.out}: {describe_os_error(error)}", file=sys.stderr
        )
        return 2
    print(f"Wrote {args.out}")
    return 0


async def import_volunteers(args: argparse.Namespace, settings: Settings) -> int:
    text = await _read_input(args.file, "import-volunteers")
    if text is None:
        return 2
    async with open_services(settings, answers=False) as services:
        now = services.clock.now()
        if purge_due(services, now):
            print(
                "mobilise import-volunteers: the purge date has passed "
                f"({services.campaign.purge_after:%d %B %Y}); nobody's details are kept now",
                file=sys.stderr,
            )
            return 2
        volunteers, problems = read_volunteers(text, services.branches, settings.zone, now)
        if problems:
            for problem in problems[:50]:
                print(f"refused: {args.file}, line {problem.line}: {problem.message}")
            print(
                f"mobilise import-volunteers: nothing imported: {len(problems)} rows need "
                "fixing first.",
                file=sys.stderr,
            )
            return 2
        if not volunteers:
            print("mobilise import-volunteers: the file lists nobody", file=sys.stderr)
            return 2
        wording = (
            f"Consent recorded before the bot, imported from {Path(args.file).name} on "
            f"{now:%d %B %Y}."
        )
        added = await services.store.people.import_volunteers(volunteers, wording, now)
        detail = f"{added} volunteers from {Path(args.file).name}"
        await services.store.audit.record(None, "import-volunteers", detail, now)
    print(
        f"Imported {added} volunteers; {len(volunteers) - added} were already signed up "
        "and are left as they were."
    )
    return 0


async def experiments(args: argparse.Namespace, settings: Settings) -> int:
    """The wording experiments: each group's outcome rate and difference from the holdout."""
    async with open_services(settings, create=False, answers=False) as services:
        now = services.clock.now()
        found = await experiments_report(services.store, services.campaign, now)
    if args.json:
        print(json.dumps(report_json(found, now), indent=2))
    else:
        print("\n".join(report_lines(found)))
    return 0
