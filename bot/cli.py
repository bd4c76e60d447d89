"""The `mobilise` command line: run the bot, talk to it in a terminal, ask, export.

Global options (`--db`, `--campaign`, `--now`) override the settings from the
environment and `.env` for one run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from bot.errors import PackError
from bot.logs import configure_logging
from bot.settings import Settings

log = logging.getLogger("mobilise")

Runner = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2019-09-20T10:00"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mobilise", description="A campaign bot for trade-union elections."
    )
    parser.add_argument("--db", help="database URL (overrides MOBILISE_DATABASE_URL)")
    parser.add_argument("--campaign", help="campaign pack folder (overrides MOBILISE_CAMPAIGN)")
    parser.add_argument(
        "--now", type=_moment, help="run as if at this moment, e.g. 2019-09-20T10:00"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (the terminal chat if no platform is set up)")
    _identity(run)
    run.add_argument(
        "--slack-http",
        action="store_true",
        help="serve Slack over HTTP at /slack/events instead of Socket Mode",
    )
    run.add_argument("--host", default="0.0.0.0", help="address for --slack-http")  # noqa: S104
    run.add_argument("--port", type=int, default=3000, help="port for --slack-http")
    run.add_argument(
        "--reminders-only",
        action="store_true",
        help="only send reminders (no chat): a worker beside the chat processes",
    )

    schedule = sub.add_parser(
        "schedule", help="list the reminders that would be sent, without sending anything"
    )
    schedule.add_argument("--from", dest="start", type=_moment, help="start (default: now)")
    schedule.add_argument("--to", dest="end", type=_moment, help="end (default: a week on)")
    schedule.add_argument("--json", action="store_true", help="one JSON object per message")

    sub.add_parser("send-due", help="send the reminders that are due now, once, and stop")

    chart = sub.add_parser("chart", help="draw the progress chart as a PNG")
    chart.add_argument("--out", required=True, help="the PNG file to write")

    imports = sub.add_parser("import-branches", help="add or update branches from a CSV file")
    imports.add_argument("file", help="CSV with the columns code,name,group,region")
    imports.add_argument(
        "--replace",
        action="store_true",
        help="retire branches the file does not list (their records are kept)",
    )

    reconcile = sub.add_parser(
        "reconcile", help="compare the records with the union's branch-nominations report"
    )
    reconcile.add_argument("file", help="CSV with the columns branch,candidate")
    reconcile.add_argument(
        "--apply", action="store_true", help="mark the nominations that agree as confirmed"
    )

    purge = sub.add_parser("purge", help="delete personal data once the purge date has passed")
    purge.add_argument("--dry-run", action="store_true", help="say what would go; change nothing")
    purge.add_argument("--force", action="store_true", help="purge before the purge date")

    backup = sub.add_parser("backup", help="copy the SQLite store safely, even while the bot runs")
    backup.add_argument("file", help="where to write the copy")

    sub.add_parser("slack-manifest", help="print the Slack app manifest (YAML)")
    sub.add_parser("discord-commands", help="print the Discord application-command payload (JSON)")

    console = sub.add_parser("console", help="talk to the bot in the terminal")
    _identity(console)

    ask = sub.add_parser("ask", help="ask one question, or one per line of standard input")
    ask.add_argument("question", nargs="?", help="the question (default: read standard input)")
    ask.add_argument("--json", action="store_true", help="one JSON object per answer")
    ask.add_argument(
        "--explain", action="store_true", help="also show how the question was read and matched"
    )

    evaluate = sub.add_parser("eval", help="score the answers against a question file")
    evaluate.add_argument(
        "file",
        nargs="?",
        help='JSON lines: {"q": ..., "any": [...]} or {"q": ..., "abstain": true}',
    )
    evaluate.add_argument(
        "--cross-validate",
        action="store_true",
        help="score the pack's training question files, each while held out of training",
    )

    train = sub.add_parser("train", help="train the answer ranker (cached; --force to redo)")
    train.add_argument("--force", action="store_true", help="train again even if cached")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")

    sub.add_parser("faq-export", help="print the answers organisers added, as faq.yaml entries")

    export = sub.add_parser("export", help="print a CSV export")
    export.add_argument(
        "--what", choices=("nominations", "volunteers", "meetings"), default="nominations"
    )
    return parser


def _identity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="name", default="supporter", help="your name in the chat")
    parser.add_argument("--organiser", action="store_true", help="act as an organiser")


def settings_for(args: argparse.Namespace) -> Settings:
    settings = Settings()
    updates: dict[str, Any] = {}
    if args.db:
        updates["database_url"] = args.db
    if args.campaign:
        from pathlib import Path

        updates["campaign"] = Path(args.campaign)
    if args.now:
        updates["now"] = args.now
    return settings.model_copy(update=updates) if updates else settings


async def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services
    from bot.console import Console
    from bot.dispatch import Dispatcher

    async with open_services(settings) as services:
        if services.campaign.info.branches.sample:
            log.warning("the branch list is sample data: replace it before the campaign")
        await Console(Dispatcher(services), args.name, args.organiser).run()
    return 0


async def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.has_slack and not settings.has_discord and not args.reminders_only:
        from bot.runner import console_with_reminders

        log.info("no Slack or Discord credentials: running the terminal chat")
        return await console_with_reminders(settings, args.name, args.organiser)
    from bot.runner import RunOptions, serve

    if (
        settings.has_slack
        and not args.reminders_only
        and not settings.slack_app_token
        and not settings.slack_signing_secret
    ):
        print(
            "mobilise: Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET "
            "(with --slack-http).",
            file=sys.stderr,
        )
        return 2
    return await serve(
        settings, RunOptions(args.slack_http, args.reminders_only, args.host, args.port)
    )


async def cmd_schedule(args: argparse.Namespace, settings: Settings) -> int:
    from datetime import timedelta

    from bot.app import open_services
    from bot.dates import clock_time, short_day
    from schedules.delivery import Deliverer

    async with open_services(settings) as services:
        zone = settings.zone
        start = args.start or services.clock.now()
        start = start if start.tzinfo else start.replace(tzinfo=zone)
        end = args.end or start + timedelta(days=7)
        end = end if end.tzinfo else end.replace(tzinfo=zone)
        if args.end is not None and end.time() == datetime.min.time():
            end = end + timedelta(days=1)  # a date on its own means the whole day
        if end <= start:
            print("mobilise schedule: --to must come after --from", file=sys.stderr)
            return 2
        plan = await Deliverer(services, {}).plan(start, end)
    if args.json:
        for item in plan:
            print(json.dumps(item.as_json()))
        return 0
    for item in plan:
        at = item.at.astimezone(zone)
        branch = f" ({item.branch})" if item.branch else ""
        print(
            f"{short_day(at.date())} {clock_time(at):>7}  {item.rule.id:<20} "
            f"{item.audience:<10} {item.shown_recipient}{branch}"
        )
    print(f"{len(plan)} messages")
    return 0


async def cmd_send_due(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services
    from bot.senders import open_senders
    from schedules.delivery import Deliverer

    async with open_services(settings) as services, open_senders(settings) as senders:
        if not senders:
            print("mobilise send-due: no platform is set up to send on", file=sys.stderr)
            return 2
        deliverer = Deliverer(services, senders)
        report = await deliverer.sweep(services.clock.now())
        for wait in (1, 2, 4, 8):  # what failed for now (a platform busy, say): try again
            if not report.failed:
                break
            await asyncio.sleep(wait)
            report = await deliverer.sweep(services.clock.now())
    print(json.dumps(report.__dict__))
    return 0


async def cmd_chart(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.app import open_services
    from bot.chart import progress_png

    async with open_services(settings) as services:
        png = progress_png(
            await services.store.nomination_timeline(), services.campaign, services.clock.now()
        )
    await asyncio.to_thread(Path(args.out).write_bytes, png)
    print(f"Wrote {args.out}")
    return 0


async def _read_input(path: str, command: str) -> str | None:
    """A UTF-8 file named on the command line, or None after saying why it cannot be read."""
    from pathlib import Path

    try:
        return await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"mobilise {command}: cannot read {path}: {error}", file=sys.stderr)
        return None


async def cmd_import_branches(args: argparse.Namespace, settings: Settings) -> int:

    from bot.app import open_services
    from bot.campaign import parse_branch_csv

    text = await _read_input(args.file, "import-branches")
    if text is None:
        return 2
    branches, problems = parse_branch_csv(text)
    for problem in problems:
        print(f"rejected: {args.file}, line {problem.line}: {problem.message}")
    if not branches:
        print("mobilise import-branches: no branches to import", file=sys.stderr)
        return 2
    async with open_services(settings) as services:
        added, updated, retired = await services.store.import_branches(
            branches, args.replace, services.clock.now()
        )
    print(
        f"Imported {len(branches)} branches: {added} new, {updated} updated, "
        f"{len(branches) - added - updated} unchanged"
        + (f", {retired} retired" if args.replace else "")
        + f"; {len(problems)} rows rejected."
    )
    return 0


async def cmd_reconcile(args: argparse.Namespace, settings: Settings) -> int:

    from bot.app import open_services
    from bot.errors import UserError
    from bot.reconcile import read_report, reconcile

    text = await _read_input(args.file, "reconcile")
    if text is None:
        return 2
    async with open_services(settings) as services:
        try:
            report, problems = read_report(text, services.branches)
        except UserError as error:
            print(f"mobilise reconcile: {args.file}, {error.message}", file=sys.stderr)
            return 2
        result = reconcile(
            report, await services.store.branch_facts(), services.branches, services.campaign
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
            confirmed = await services.store.confirm(result.agreeing, services.clock.now())
            print(f"Marked {confirmed} nominations confirmed.")
    return 0


async def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services
    from bot.retention import purge_personal_data

    async with open_services(settings) as services:
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
        print("Nothing was changed. Nominations, meetings and tallies are kept, anonymously.")
    return 0


async def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store.backup import BackupError, backup_sqlite

    try:
        pages = await backup_sqlite(settings.database_url, args.file)
    except BackupError as error:
        print(f"mobilise backup: {error}", file=sys.stderr)
        return 2
    print(f"Backed up {pages} pages to {args.file}")
    return 0


async def cmd_slack_manifest(args: argparse.Namespace, settings: Settings) -> int:
    import yaml

    from bot.adapters.slack import manifest
    from commands import registry

    print(yaml.safe_dump(manifest(registry()), sort_keys=False, width=100), end="")
    return 0


async def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services

    async with open_services(settings) as services:
        questions = (
            [args.question]
            if args.question
            else [line.strip() for line in sys.stdin if line.strip()]
        )
        for question in questions:
            answer = services.answers.answer(question, services.clock.now())
            if args.explain:
                for row in services.answers.explain(question):
                    print("  " + json.dumps(row), file=sys.stderr)
            if args.json:
                print(json.dumps(answer.as_json(), ensure_ascii=False))
            else:
                source = f"\n(Source: {answer.source_title})" if answer.source_title else ""
                print(answer.text + source)
    return 0


async def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from bot.app import open_services
    from bot.errors import UserError
    from bot.knowledge.evaluate import evaluate, load_cases

    if args.cross_validate or not args.file:
        from bot.app import campaign_dir, make_clock
        from bot.campaign import load_campaign
        from bot.knowledge.evaluate import cross_validate

        pack = load_campaign(campaign_dir(settings))
        total, _ = cross_validate(pack, make_clock(settings).now())
        print(json.dumps(total.as_json(), indent=2) if args.json else total.summary())
        return 0
    try:
        cases = load_cases(Path(args.file))
    except (OSError, UserError) as exc:
        print(f"mobilise eval: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    async with open_services(settings) as services:
        report = evaluate(services.answers, cases, services.clock.now())
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0
    print(report.summary())
    for miss in report.misses:
        print(f"- {miss['q']!r}: expected {miss['expected']}; got {miss['got'][:160]!r}")
    return 0


async def cmd_train(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import campaign_dir
    from bot.campaign import load_campaign
    from bot.knowledge.training import train_command
    from bot.store import Store

    store = await Store.open(settings.database_url)
    try:
        learned = await store.faq_answers()
    finally:
        await store.close()
    report = train_command(load_campaign(campaign_dir(settings)), learned, force=args.force)
    print(json.dumps(report, indent=2))
    return 0 if report["trained"] else 1


async def cmd_faq_export(args: argparse.Namespace, settings: Settings) -> int:
    import yaml

    from bot.app import open_services

    async with open_services(settings) as services:
        learned = await services.store.faq_answers()
    entries = [
        {
            "id": f"learned-{item.id}",
            "question": item.question,
            "alternates": [],
            # Pack answers are templates: keep literal braces literal.
            "answer": item.answer.replace("{", "{{").replace("}", "}}"),
            "keywords": [],
        }
        for item in learned
    ]
    print("# Answers added with /answer. Paste under `entries:` in the pack's faq.yaml.")
    if entries:
        print(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=88), end="")
    return 0


async def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_services
    from bot.exports import export_csv

    async with open_services(settings) as services:
        text, _ = await export_csv(services.store, services.campaign, args.what)
        sys.stdout.write(text)
    return 0


async def cmd_discord_commands(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.discord import DiscordAdapter
    from bot.app import open_services
    from bot.dispatch import Dispatcher

    async with open_services(settings) as services:
        adapter = DiscordAdapter(Dispatcher(services), settings)
        print(json.dumps(adapter.payload(), indent=2, ensure_ascii=False))
        await adapter.client.close()
    return 0


COMMANDS: dict[str, Runner] = {
    "run": cmd_run,
    "console": cmd_console,
    "ask": cmd_ask,
    "export": cmd_export,
    "eval": cmd_eval,
    "train": cmd_train,
    "faq-export": cmd_faq_export,
    "slack-manifest": cmd_slack_manifest,
    "purge": cmd_purge,
    "backup": cmd_backup,
    "chart": cmd_chart,
    "import-branches": cmd_import_branches,
    "reconcile": cmd_reconcile,
    "schedule": cmd_schedule,
    "send-due": cmd_send_due,
    "discord-commands": cmd_discord_commands,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_for(args)
    except Exception as exc:  # pydantic's ValidationError, with the setting named
        print(f"mobilise: bad setting: {exc}", file=sys.stderr)
        return 2
    serving = args.command == "run" and (settings.has_slack or settings.has_discord)
    configure_logging(settings, settings.log_level or ("INFO" if serving else "WARNING"))
    try:
        return asyncio.run(COMMANDS[args.command](args, settings))
    except PackError as exc:
        print(f"mobilise: the campaign pack is malformed:\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into something that stopped reading
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
