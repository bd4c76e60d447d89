"""Running the bot: `run` (the platforms, or the terminal chat), `send-due` and `schedule`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from datetime import datetime, timedelta

from bot.adapters.console import Console
from bot.app import HttpOptions, Platforms, open_runtime
from bot.campaign.dates import clock_time, short_day
from bot.cli.demo import demonstration
from bot.cli.stopping import stop_signals, until_stopped
from bot.dashboard.server import serve_dashboard
from bot.runtime.leader import Lease, LeaseHeld, holding
from bot.runtime.settings import Settings
from schedules.jobs import reminders, renewal_interval
from schedules.plans import PlanState
from schedules.progress_posts import progress_posts
from schedules.sending import SweepReport
from schedules.snapshot import plan_state

log = logging.getLogger("mobilise")
SEND_DUE_STARTED = "send_due_started"  # when `send-due` last started, in the store's state

RECLAIMS = 4  # times send-due takes the lease again after losing it, before it stops


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.has_slack and not settings.has_discord and not args.reminders_only:
        log.info("no Slack or Discord credentials: running the terminal chat")
        return await _console_with_reminders(settings, args)
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
    stop = stop_signals()
    http = HttpOptions(args.host, args.port) if args.slack_http else None
    platforms: Platforms = "send" if args.reminders_only else "serve"
    running = asyncio.Event()

    async def serve() -> None:
        async with open_runtime(
            settings, platforms=platforms, http=http, answers=not args.reminders_only
        ) as runtime:
            lease = Lease(runtime.services.store, "run", settings.lease_seconds)
            deliverer = runtime.reminders(lease=lease)
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(
                    reminders(
                        deliverer, every=settings.sweep_seconds, poll=settings.leader_poll_seconds
                    )
                )
                started = [] if args.reminders_only else list(runtime.adapters)
                if settings.dashboard_port is not None and not args.reminders_only:
                    await stack.enter_async_context(serve_dashboard(runtime.services))
                    started.append("dashboard")
                log.info("running: %s", ", ".join([*started, "reminders"]))
                running.set()
                await stop.wait()
                log.info("stopping")

    serving = asyncio.ensure_future(serve())
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({serving, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if not serving.done() and not running.is_set():
        # Told to stop while still starting (a platform not answering, say): give up.
        log.info("stopping before the start-up finished")
        serving.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        return 0
    await serving  # stops by itself once told to; its errors are the command's
    return 0


async def _console_with_reminders(settings: Settings, args: argparse.Namespace) -> int:
    """The terminal chat, with reminders for console users shown as they fall due (at
    the pack's demonstration moment, once the campaign is over: `bot.cli.demo`)."""
    settings, campaign, _ = demonstration(settings, args.db)
    async with open_runtime(settings, campaign=campaign) as runtime:
        console = Console(runtime.dispatcher, args.name, args.organiser)
        runtime.services.outbox.attach(console)
        lease = Lease(runtime.services.store, "run (console)", settings.lease_seconds)
        deliverer = runtime.reminders({"console": console}, lease)
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(
                reminders(
                    deliverer, every=settings.sweep_seconds, poll=settings.leader_poll_seconds
                )
            )
            if settings.dashboard_port is not None:
                address = await stack.enter_async_context(serve_dashboard(runtime.services))
                print(
                    f"mobilise: the dashboard is at {address} (/dashboard signs you in)",
                    file=sys.stderr,
                )
            await until_stopped(console.run())
    return 0


async def send_due(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, platforms="send", create=False, answers=False) as runtime:
        if not runtime.senders:
            print("mobilise send-due: no platform is set up to send on", file=sys.stderr)
            return 2
        services = runtime.services
        # A store that cannot be written (a full disk) is said as such, before the lease.
        await services.store.deliveries.set_state_value(
            SEND_DUE_STARTED, services.clock.now().isoformat()
        )
        lease = Lease(services.store, "send-due", settings.lease_seconds)
        poll = settings.leader_poll_seconds
        deliverer = runtime.reminders(lease=lease)
        waits = iter((1, 2, 4, 8))  # what failed for now (a platform busy, say): again
        report = SweepReport()
        for _ in range(RECLAIMS):
            try:
                # Wait out a crashed sender's lease; give way to a live one.
                await lease.acquire(wait=settings.lease_seconds + poll, poll=min(poll, 1.0))
            except LeaseHeld as held:
                print(f"mobilise send-due: nothing sent: {held}", file=sys.stderr)
                return 1
            async with holding(lease, renewal_interval(settings.lease_seconds, poll)):
                report = await deliverer.sweep(services.clock.now())
                while not report.fenced and _unsettled(report):
                    wait = next(waits, None)
                    if wait is None:
                        break
                    # A stopped sender's claims run out with its lease: wait for them too.
                    await asyncio.sleep(min(wait, settings.lease_seconds))
                    report = await deliverer.sweep(services.clock.now())
            if not report.fenced:
                break
            # The lease was lost under this process (paused past it, say): what it had
            # not sent is claimed again, by whichever process holds the lease now.
            log.warning("the reminders lease was lost; taking it again before sending more")
    print(json.dumps(report.__dict__))
    if report.failed or report.unknown:
        print(
            f"mobilise send-due: {report.failed + report.unknown} messages could not be "
            "sent or checked yet; the next run tries them again while they are due",
            file=sys.stderr,
        )
        return 1
    return 0


def _unsettled(report: SweepReport) -> bool:
    return bool(report.failed or report.held_elsewhere or report.unknown)


async def schedule(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, create=False, answers=False) as runtime:
        services = runtime.services
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
        plan = await runtime.reminders({}).plan(start, end)
        posts = progress_posts(services.campaign, zone, start, end)
        state = await plan_state(services.store, settings.organisers) if not plan else None
    if args.json:
        for item in plan:
            print(json.dumps(item.as_json()))
        if state is not None:
            print(
                f"mobilise schedule: 0 messages: {_why_nothing(state, start, end)}", file=sys.stderr
            )
        return 0
    for item in plan:
        at = item.at.astimezone(zone)
        branch = f" ({item.branch})" if item.branch else ""
        print(
            f"{short_day(at.date())} {clock_time(at):>7}  {item.rule.id:<20} "
            f"{item.audience:<10} {item.shown_recipient}{branch}"
        )
    print(f"{len(plan)} messages" + (f": {_why_nothing(state, start, end)}" if state else ""))
    if posts:
        print("Progress posts, to each broadcast channel:")
        for post in posts:
            at = post.at.astimezone(zone)
            chart = ", with the chart" if post.rule.chart else ""
            print(f"{short_day(at.date())} {clock_time(at):>7}  {post.rule.id}{chart}")
    print(f"{len(posts)} progress posts")
    return 0


def _why_nothing(state: PlanState, start: datetime, end: datetime) -> str:
    """Why a plan is empty: nobody to send to, or nothing due in the window."""
    missing = []
    if not state.volunteers:
        missing.append("no volunteers have signed up (/volunteer)")
    if not state.channels:
        missing.append("no channel gets the broadcasts (/broadcast-here)")
    if not state.organisers:
        missing.append("no organisers are set for the digest (MOBILISE_ORGANISERS)")
    listed = " and ".join([", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing)
    if len(missing) == 3:
        return f"there is nobody to send to yet. {listed[0].upper()}{listed[1:]}."
    last = (end - timedelta(seconds=1)).date()
    reason = f"nothing falls due from {short_day(start.date())} to {short_day(last)}."
    return reason + (f" Also, {listed}." if listed else "")
