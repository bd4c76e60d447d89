"""Views that follow the campaign's phase, each checked at the moment it happens, through
the console: /home in the ballot (a supporter's and an organiser's), /meeting after the
close, and "stuck" counted from the branch's own last step."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from bot.adapters.console import Console
from bot.adapters.console import render as console_render
from bot.campaign.loading import load_campaign
from bot.cli.demo import demo_for
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests.conftest import CAMPAIGN, LONDON, mobilise_command


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


def at(clock: Clock, month: int, day: int, hour: int = 10) -> None:
    clock.set(datetime(2019, month, day, hour, 0, tzinfo=LONDON))


async def test_a_supporters_home_in_the_ballot_is_about_voting(
    alice: Console, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")  # 20 Sep
    before = await say(alice, "/home")
    assert "Report the meeting" in before and "30 September" in before  # nominations

    at(clock, 11, 20)  # the ballot is open
    home = await say(alice, "/home")
    assert home.startswith("The ballot\nThe ballot is open: 22 days left. It closes at 12 noon")
    assert "Voting is by post." in home
    assert "Voted? Tell me with /voted" in home and "/pledge" in home
    assert "Report the meeting" not in home
    assert "Branch Secretary" not in home and "30 September" not in home
    assert "1) Voted  2) Pledge  3) Not arrived" in home

    await say(alice, "/voted")
    await say(alice, "/pledge count:3")
    home = await say(alice, "/home")
    assert "You've told me you voted: thank you!" in home
    assert "Colleagues you've asked to vote: 3." in home
    assert "1) Pledge  2) Not arrived" in home


async def test_someone_not_signed_up_sees_the_ballot_too(bob: Console, clock: Clock) -> None:
    at(clock, 11, 20)
    home = await say(bob, "/home")
    assert home.startswith("The ballot\nThe ballot is open")
    assert "Voted? Tell me with /voted.\n" in home
    assert "I'll remind you to vote until the ballot closes" in home


async def test_after_the_ballot_the_home_says_thank_you(alice: Console, clock: Clock) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    at(clock, 12, 20)
    home = await say(alice, "/home")
    assert "The ballot closed at 12 noon on Thursday 12 December 2019. Thank you" in home
    assert "The ballot is open" not in home and "Report the meeting" not in home
    assert "Snooze" not in home


async def test_between_the_close_and_the_ballot_no_meeting_is_asked_for(
    alice: Console, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    at(clock, 10, 20)
    home = await say(alice, "/home")
    assert "Nominations closed at 5pm on Monday 14 October 2019" in home
    assert "Report the meeting" not in home and "Branch Secretary" not in home


async def test_an_organisers_home_in_the_ballot_shows_turnout(
    alice: Console, bob: Console, organiser: Console, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(bob, "/volunteer branch:HMRC-BOOT consent:yes")
    during = await say(organiser, "/home")
    assert "Stuck longest" in during and "Turnout" not in during  # nominations: the pipeline

    at(clock, 11, 20)
    await say(alice, "/voted")
    await say(alice, "/pledge count:4")
    home = await say(organiser, "/home")
    assert "Stuck longest" not in home and "Will not count yet" not in home
    assert "Turnout\nVolunteers who have voted: 1 of 2 (50%).\nColleagues they have asked" in home
    assert "Turnout by region\n" in home and "Turnout by group\n" in home
    assert "Yorkshire & Humberside: 1 of 1 volunteer voted, 4 colleagues asked" in home
    assert "DWP: 1 of 1 volunteer voted, 4 colleagues asked" in home
    assert "HMRC: 0 of 1 volunteer voted, 0 colleagues asked" in home
    assert "Ballot closes: in 22 days" in home


async def test_after_the_close_a_meeting_is_refused_as_too_late(
    alice: Console, clock: Clock
) -> None:
    before = await say(alice, "/meeting branch:DWP-LEEDS date:25 Oct notice:1 Oct")
    assert "Can it be brought forward?" in before  # still time to change it

    at(clock, 10, 20)
    after = await say(alice, "/meeting branch:HMRC-BOOT date:25 Oct notice:10 Oct")
    assert after.startswith(
        "Nominations closed at 5pm on Monday 14 October 2019, so a meeting on Fri 25 Oct "
        "can't nominate."
    )
    assert "Nothing has been saved" in after and "brought forward" not in after
    branch = await say(alice, "/branch HMRC-BOOT")
    assert "meeting called" not in branch and "History" not in branch

    # A meeting held before the close and reported late is still recorded.
    late = await say(alice, "/meeting branch:HMRC-BOOT date:10 Oct notice:20 Sep")
    assert late.startswith("Thanks! Recorded: HMRC Bootle meeting on Thursday 10 October")


async def test_stuck_counts_from_the_branchs_own_last_step(
    alice: Console, organiser: Console, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")  # 20 Sep
    at(clock, 9, 27)
    await say(alice, "/volunteer branch:HMRC-BOOT consent:yes")  # moves branch today
    pipeline = await say(organiser, "/pipeline")
    assert "- HMRC Bootle: volunteer signed up for 0 days; next: call the meeting" in pipeline
    assert "DWP Leeds" not in pipeline  # its volunteer left: no one there to be stuck
    home = await say(organiser, "/home")
    assert "volunteer signed up, to call the meeting: HMRC Bootle (0 days)" in home
    at(clock, 9, 29)
    await say(alice, "/volunteer branch:HMRC-BOOT consent:yes")  # the same again: no step
    at(clock, 9, 30)
    assert "- HMRC Bootle: volunteer signed up for 3 days" in await say(organiser, "/pipeline")
    at(clock, 10, 1)  # too late to call a meeting with notice: no step of its own is left
    assert "Stuck longest" not in await say(organiser, "/pipeline")


async def test_a_sent_form_waits_on_the_organisers_not_the_branch(
    alice: Console, bob: Console, organiser: Console, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:20 Sep notice:5 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(bob, "/volunteer branch:HMRC-BOOT consent:yes")
    await say(bob, "/meeting branch:HMRC-BOOT date:30 Sep notice:16 Sep")
    at(clock, 9, 23)
    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    at(clock, 10, 21)
    pipeline = await say(organiser, "/pipeline")
    stuck, _, todo = pipeline.partition("For organisers to verify")
    assert "DWP Leeds" not in stuck  # its part is done
    assert "- HMRC Bootle: meeting held for 21 days; next: report the result" in stuck
    assert "- DWP Leeds: form sent Mon 23 Sep (/verify branch:DWP-LEEDS)" in todo
    home = await say(organiser, "/home")
    assert "To verify\nDWP Leeds: form sent Mon 23 Sep" in home
    assert "Verify DWP Leeds" in home

    await say(organiser, "/verify branch:DWP-LEEDS")
    assert "For organisers to verify" not in await say(organiser, "/pipeline")
    assert "Nothing waiting on organisers." in await say(organiser, "/home")


async def test_no_branch_is_stuck_once_the_ballot_opens(
    alice: Console, organiser: Console, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    assert "Stuck longest:" in await say(organiser, "/pipeline")
    at(clock, 11, 20)
    assert "Stuck longest" not in await say(organiser, "/pipeline")


async def test_a_meeting_called_is_waiting_on_its_day_not_stuck(
    alice: Console, organiser: Console, services: Services
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:7 Oct notice:20 Sep")
    pipeline = await say(organiser, "/pipeline")
    assert "meeting called: 1" in pipeline and "Stuck longest" not in pipeline


async def test_the_live_board_shows_the_ballot_once_it_opens(
    alice: Console, services: Services, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    board = Dispatcher(services).board
    assert "Ballot:" not in console_render(await board())
    at(clock, 11, 20)
    await say(alice, "/voted")
    await say(alice, "/pledge count:2")
    shown = console_render(await board())
    assert (
        "Ballot: volunteers who have voted: 1 of 1; colleagues they have asked to vote: 2."
    ) in shown
    assert "Ballot closes: in 22 days (Thursday 12 December 2019)" in shown


# --- the first run, once the campaign is over --------------------------------------------


def test_the_first_run_is_a_demonstration_inside_the_campaign(tmp_path: Path) -> None:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    result = subprocess.run(
        [*mobilise_command(), "--campaign", str(CAMPAIGN), "run", "--as", "sam"],
        input="/progress\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=environment,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Nominations close in 24 days (5pm Monday 14 October 2019)." in result.stdout
    (line,) = result.stderr.splitlines()
    assert line.startswith("This campaign is over, so this is a demonstration from Fri 20 Sep")
    assert "--now or MOBILISE_NOW" in line
    assert sorted(p.name for p in (tmp_path / "var").iterdir()) == ["demo.db"]


def test_a_moment_or_a_store_chosen_is_used_as_it_is(settings: Settings) -> None:
    campaign = load_campaign(CAMPAIGN)
    over = datetime(2026, 1, 5, 12, 0, tzinfo=LONDON)
    assert demo_for(settings, campaign, today=over) is not None
    during = datetime(2019, 10, 1, 12, 0, tzinfo=LONDON)
    assert demo_for(settings, campaign, today=during) is None  # a live campaign runs live
    assert demo_for(settings, campaign, chosen=True, today=over) is None
    moment = settings.model_copy(update={"now": datetime(2019, 11, 20, 10, 0)})
    assert demo_for(moment, campaign, today=over) is None
