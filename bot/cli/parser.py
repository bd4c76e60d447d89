"""The `mobilise` command line's parser, and the settings a run's global options give."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.runtime.settings import Settings, load_settings
from bot.views.exports import EXPORTS


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2019-09-20T10:00"
        ) from None


def _identity(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="name", default="supporter", help="your name in the chat")
    parser.add_argument("--organiser", action="store_true", help="act as an organiser")


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

    rehearse = sub.add_parser(
        "rehearse",
        help="play the whole campaign hour by hour with a simulated crowd, checked by an oracle",
    )
    rehearse.add_argument("--supporters", type=int, default=300, help="crowd size (300)")
    rehearse.add_argument("--seed", type=int, default=1, help="the crowd's random seed (1)")
    rehearse.add_argument(
        "--from", dest="start", type=_moment, help="start (default: a week before nominations open)"
    )
    rehearse.add_argument(
        "--to", dest="end", type=_moment, help="end (default: a month after the purge date)"
    )
    rehearse.add_argument(
        "--faults", action="store_true", help="add restarts, kill -9 and a second sender"
    )
    rehearse.add_argument("--json", action="store_true", help="print one JSON object")
    rehearse.add_argument(
        "--plant",
        help="plant a known bug, to see the oracle catch it: count-future-meetings, "
        "deadline-by-date, meeting-before-opening, form-before-meeting, future-result-counted, "
        "drop-rule, two-a-day, personal-doubles, threshold-shown, replace-loses-nominations, "
        "reminder-after-result, holdout-sent or wording-at-random",
    )
    rehearse.add_argument(
        "--effect",
        action="append",
        metavar="RULE:VARIANT=+0.10",
        help="the crowd responds to that wording of that rule more often, by this share "
        "(repeatable); the JSON's experiments show whether the report finds it",
    )

    experiments = sub.add_parser(
        "experiments",
        help="the wording experiments: each wording's outcome rate against the holdout's",
    )
    experiments.add_argument("--json", action="store_true", help="print one JSON object")

    chart = sub.add_parser("chart", help="draw the progress chart as a PNG")
    chart.add_argument("--out", required=True, help="the PNG file to write")

    imports = sub.add_parser("import-branches", help="add or update branches from a CSV file")
    imports.add_argument("file", help="CSV with the columns code,name,group,region")
    imports.add_argument(
        "--replace",
        action="store_true",
        help="retire branches the file does not list (their records are kept)",
    )

    volunteers = sub.add_parser(
        "import-volunteers",
        help="sign up supporters gathered before the bot, with consent recorded elsewhere",
    )
    volunteers.add_argument(
        "file", help="CSV with the columns platform,user_id,name,branch,consented_at"
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
    backup.add_argument("file", help="where to write the copy (in a folder that exists)")
    backup.add_argument("--force", action="store_true", help="replace the file if it exists")

    slack_manifest = sub.add_parser("slack-manifest", help="print the Slack app manifest (YAML)")
    slack_manifest.add_argument(
        "--http",
        metavar="URL",
        help="for HTTP mode (run --slack-http): the public address of /slack/events, "
        "e.g. https://bot.example.org/slack/events",
    )
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
    evaluate.add_argument(
        "--cross-writer",
        action="store_true",
        help="score each writer's question files while all of that writer's are held out",
    )
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")

    train = sub.add_parser("train", help="train the answer ranker (cached; --force to redo)")
    train.add_argument("--force", action="store_true", help="train again even if cached")

    sub.add_parser("faq-export", help="print the answers organisers added, as faq.yaml entries")

    export = sub.add_parser("export", help="print a CSV export (meetings: or a calendar)")
    export.add_argument(
        "what_given",
        nargs="?",
        choices=EXPORTS,
        metavar="what",
        help=f"what to export: {', '.join(EXPORTS)} (default nominations)",
    )
    export.add_argument("--what", choices=EXPORTS, help="the same, as an option")
    export.add_argument(
        "--format",
        choices=("csv", "ics"),
        default="csv",
        help="csv, or ics for meetings: one calendar with every current meeting",
    )
    return parser


def settings_for(args: argparse.Namespace) -> Settings:
    """The settings, with this run's global options (`--db`, `--campaign`, `--now`)."""
    given: dict[str, Any] = {}
    if args.db:
        given["database_url"] = args.db
    if args.campaign:
        given["campaign"] = Path(args.campaign).resolve()
    if args.now:
        given["now"] = args.now
    return load_settings(**given)
