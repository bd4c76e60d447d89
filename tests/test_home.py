"""The Home view: the Slack App Home tab through the real bolt app against the fake Web API,
and the same view (and the side-by-side breakdown) in the console."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest

from bot.adapters.console import Console
from bot.adapters.slack import SlackAdapter
from bot.adapters.slack_blocks import manifest
from bot.campaign.domain import User
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from commands import registry
from tests import slack_harness as slack
from tests.conftest import LONDON
from tests.fakes.slack_api import FakeSlack

ORGANISER = slack.ORGANISER


@pytest.fixture
async def adapter(
    slack_services: Services, slack_settings: Settings
) -> AsyncIterator[SlackAdapter]:
    made = SlackAdapter(Dispatcher(slack_services), slack_settings)
    slack_services.outbox.attach(made)  # answers reach the people who asked
    yield made
    await made.home.close()


async def run_command(
    adapter: SlackAdapter, fake: FakeSlack, name: str, text: str, user: str = "U1"
) -> dict[str, Any]:
    tag = f"{name}-{time.monotonic_ns()}"
    response = await slack.command(
        adapter, name, text, user=user, user_name=user.lower(), response_url=fake.response_url(tag)
    )
    assert response.status == 200
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return call.body


async def open_home(adapter: SlackAdapter, fake: FakeSlack, user: str) -> dict[str, Any]:
    """Open the Home tab as `user`; the view published for them."""
    before = len(fake.calls_to("views.publish"))
    response = await slack.event(
        adapter, {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"}
    )
    assert response.status == 200
    calls = await fake.wait_for("views.publish", count=before + 1)
    assert calls[-1].body["user_id"] == user
    return dict(calls[-1].body["view"])


def texts(view: dict[str, Any]) -> str:
    """Every piece of text shown in a view, one block a line (Slack's escapes undone)."""
    shown = []
    for block in view["blocks"]:
        if "text" in block:
            shown.append(block["text"]["text"])
        for element in block.get("elements", ()):
            shown.append(element["text"]["text"])
    return "\n".join(shown).replace("&amp;", "&")


def home_buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


def home_press(user: str, button: dict[str, Any], view_id: str = "VHOME") -> dict[str, Any]:
    """A press on the Home tab: no channel and no response_url, as Slack sends it."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower()},
        "team": {"id": "T1"},
        "container": {"type": "view", "view_id": view_id},
        "view": {"id": view_id, "type": "home"},
        "trigger_id": f"T-{time.monotonic_ns()}",
        "actions": [{"action_id": button["action_id"], "value": button["value"], "type": "button"}],
    }


async def test_a_supporter_opening_home_gets_one_view_of_their_branch(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    await run_command(adapter, fake, "volunteer", "branch:DWP-LEEDS consent:yes")
    view = await open_home(adapter, fake, "U1")
    assert len(fake.calls_to("views.publish")) == 1
    assert view["type"] == "home"
    shown = texts(view)
    assert "Your campaign: DWP Leeds" in shown
    assert "DWP Leeds: volunteer signed up." in shown
    assert "Next step: ask the Branch Secretary to call a general meeting" in shown
    assert "By Monday 30 September 2019: the last day to call it with notice." in shown
    assert "call a meeting" in shown  # a reminder planned for them
    assert "0 of the 15 branches needed count so far" in shown
    labels = [b["text"]["text"] for b in home_buttons(view)]
    assert labels == ["Report the meeting", "Snooze", "Opt out"]


async def test_in_the_ballot_the_home_tab_is_about_voting(
    adapter: SlackAdapter, fake: FakeSlack, clock: Clock
) -> None:
    await run_command(adapter, fake, "volunteer", "branch:DWP-LEEDS consent:yes")
    clock.set(datetime(2019, 11, 20, 10, 0, tzinfo=LONDON))
    view = await open_home(adapter, fake, "U1")
    shown = texts(view)
    assert "The ballot is open: 22 days left." in shown
    assert "Report the meeting" not in shown and "Branch Secretary" not in shown
    labels = [b["text"]["text"] for b in home_buttons(view)]
    assert labels[:3] == ["Voted", "Pledge", "Not arrived"]
    voted = home_buttons(view)[0]
    await slack.interaction(adapter, home_press("U1", voted))
    posted = await fake.wait_for("chat.postMessage")
    assert "Thank you for voting!" in str(posted[-1].body["text"])  # answered in the DM
    again = await fake.wait_for("views.publish", count=2, within=5.0)
    assert "You've told me you voted: thank you!" in texts(again[-1].body["view"])


async def test_an_organiser_opening_home_gets_the_overview(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    await run_command(adapter, fake, "volunteer", "branch:DWP-LEEDS consent:yes")
    await run_command(adapter, fake, "meeting", "branch:HMRC-LEEDS date:30 Sep notice:16 Sep")
    await run_command(
        adapter, fake, "nominate", "branch:DWP-LEEDS outcome:nominated date:24 Sep", user="U2"
    )
    await run_command(adapter, fake, "ask", "question:is there a branch party for the van?")
    view = await open_home(adapter, fake, ORGANISER)
    assert len(fake.calls_to("views.publish")) == 1
    shown = texts(view)
    assert "Campaign overview" in shown
    assert "0 of the 15 branches needed count so far (0 reported, 0 verified)." in shown  # held
    assert "\u25a1" * 15 + " 0/15" in shown  # the threshold bar
    # Stuck longest: only a step of the branch's own (a meeting still to come waits on its day).
    assert "nominated us, to send the form: DWP Leeds (0 days)" in shown
    assert "HMRC Leeds (" not in shown
    assert "Nothing waiting on organisers." in shown  # nothing to verify yet
    assert "DWP Leeds: meeting not held yet; notice date not reported; form not sent yet" in shown
    assert "#1: is there a branch party for the van? (asked 1 time)" in shown
    assert "Yorkshire & Humberside: 0 counted, 1 nominated, 2 meetings, 1 volunteer" in shown
    assert "Nominations close: in 24 days (Monday 14 October 2019)" in shown
    answer = [b for b in home_buttons(view) if b["text"]["text"] == "Answer #1"]
    assert len(answer) == 1


async def test_another_users_nominate_refreshes_the_organisers_home(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    first = await open_home(adapter, fake, ORGANISER)
    assert "(0 reported, 0 verified)" in texts(first)
    await run_command(adapter, fake, "nominate", "branch:DWP-LEEDS outcome:nominated", user="U7")
    calls = await fake.wait_for("views.publish", count=2, within=5.0)
    assert calls[1].body["user_id"] == ORGANISER
    assert "(1 reported, 0 verified)" in texts(calls[1].body["view"])


async def test_a_home_button_completes_its_action(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    await run_command(adapter, fake, "volunteer", "branch:DWP-LEEDS consent:yes")
    view = await open_home(adapter, fake, "U1")
    snooze = next(b for b in home_buttons(view) if b["text"]["text"] == "Snooze")
    response = await slack.interaction(adapter, home_press("U1", snooze))
    assert response.status == 200
    posted = await fake.wait_for("chat.postMessage")
    assert posted[-1].body["channel"] == "D1"  # their DM with the bot
    assert posted[-1].body["text"].startswith("Snoozed: no reminders until")
    volunteer = await slack_services.store.people.volunteer(User("slack", "U1", "u1"))
    assert volunteer is not None and volunteer.snoozed_until is not None
    refreshed = await fake.wait_for("views.publish", count=2, within=5.0)
    assert refreshed[1].body["user_id"] == "U1"


async def test_with_a_command_prefix_home_and_forms_name_the_prefixed_commands(
    slack_services: Services, slack_settings: Settings, fake: FakeSlack
) -> None:
    prefixed = slack_settings.model_copy(update={"command_prefix": "mob-"})
    adapter = SlackAdapter(Dispatcher(slack_services), prefixed)
    slack_services.outbox.attach(adapter)
    try:
        await run_command(adapter, fake, "mob-volunteer", "branch:DWP-LEEDS consent:yes")
        shown = texts(await open_home(adapter, fake, "U1"))
        assert "then report it with /mob-meeting." in shown
        assert "/meeting" not in shown
        report = next(
            b
            for b in home_buttons(await open_home(adapter, fake, "U1"))
            if b["text"]["text"] == "Report the meeting"
        )
        await slack.interaction(adapter, home_press("U1", report))
        (opened,) = await fake.wait_for("views.open")
        assert opened.body["view"]["title"]["text"] == "/mob-meeting"
    finally:
        await adapter.home.close()


async def test_a_home_answer_button_opens_a_form_and_answers(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    await run_command(adapter, fake, "ask", "question:is there a branch party for the van?")
    view = await open_home(adapter, fake, ORGANISER)
    answer = next(b for b in home_buttons(view) if b["text"]["text"] == "Answer #1")
    await slack.interaction(adapter, home_press(ORGANISER, answer))
    (opened,) = await fake.wait_for("views.open")
    modal = opened.body["view"]
    assert modal["type"] == "modal" and modal["callback_id"] == "mobilise-form:answer"
    ids = {b["block_id"]: b["element"] for b in modal["blocks"]}
    assert ids["opt:id"]["initial_value"] == "1"
    submitted = await slack.interaction(
        adapter,
        {
            "type": "view_submission",
            "user": {"id": ORGANISER, "username": "olive"},
            "team": {"id": "T1"},
            "trigger_id": "T-answer",
            "view": {
                **modal,
                "id": "V1",
                "state": {
                    "values": {
                        "opt:id": {"id": {"type": "plain_text_input", "value": "1"}},
                        "opt:text": {
                            "text": {"type": "plain_text_input", "value": "No party, sorry."}
                        },
                        "opt:question": {"question": {"type": "plain_text_input", "value": None}},
                    }
                },
            },
        },
    )
    assert submitted.status == 200
    posted = await fake.wait_for("chat.postMessage", count=2)
    told = [c.body for c in posted]
    assert any("No party, sorry." in str(body["text"]) for body in told)  # the asker
    assert any(str(body["channel"]).startswith("DORG") for body in told)  # the organiser
    assert await slack_services.store.questions.unanswered() == []


def test_the_manifest_enables_the_home_tab() -> None:
    built = manifest(registry())
    assert built["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in built["settings"]["event_subscriptions"]["bot_events"]


# --- the same views in the console ------------------------------------------------------


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def test_home_in_the_console_for_a_supporter(alice: Console) -> None:
    assert "You're not signed up yet." in await say(alice, "/home")
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    shown = await say(alice, "/home")
    assert "DWP Leeds: meeting called." in shown
    assert "The meeting: Monday 30 September 2019." in shown
    assert "Your reminders" in shown
    assert (
        "Reply with a number: 1) Report the result  2) Meeting notice  3) Snooze  4) Opt out"
        in shown
    )
    notice = await say(alice, "2")
    assert notice.startswith("Notice was reported sent on Monday 16 September 2019.")
    assert "1. Nomination for General Secretary" in notice
    await say(alice, "/home")
    assert "Snoozed" in await say(alice, "3")
    await say(alice, "/optout")
    assert "Your reminders are off." in await say(alice, "/home")


async def test_home_in_the_console_for_an_organiser(alice: Console, organiser: Console) -> None:
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/ask question:is there a branch party for the van?")
    shown = await say(organiser, "/home")
    for heading in (
        "Tally",
        "Stuck longest",
        "Will not count yet",
        "Unanswered questions",
        "By region",
        "By group",
        "Deadlines",
    ):
        assert f"\n{heading}\n" in f"\n{shown}"
    assert "DWP Leeds: meeting date not reported" in shown
    assert "1) Answer #1" in shown


async def test_progress_side_by_side_in_the_console(
    alice: Console, organiser: Console, services: Services
) -> None:
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/volunteer branch:HMRC-CARD consent:yes")
    by_region = await say(alice, "/progress by:region")
    assert "By region:" in by_region
    lines = by_region.splitlines()
    assert lines[1].startswith("- Yorkshire & Humberside: 0 counted, 1 nominated")
    assert any(
        line.startswith("- Wales: 0 counted, 0 nominated, 0 meetings, 1 volunteer")
        for line in lines
    )
    by_group = await say(alice, "/progress by:group")
    assert "By group:" in by_group and "- DWP: 0 counted, 1 nominated" in by_group
    exported = await organiser.reply_to("/export what:regions")
    assert exported is not None and exported.attachment is not None
    rows = list(csv.DictReader(io.StringIO(exported.attachment.content.decode())))
    assert rows[0]["region"] == "Yorkshire & Humberside" and rows[0]["nominated"] == "1"
    wales = next(r for r in rows if r["region"] == "Wales")
    assert wales["volunteers"] == "1"
    assert sum(int(r["branches"]) for r in rows) == len(await services.store.branches.active())


async def test_what_people_typed_never_pings_from_the_home_tab(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    await run_command(adapter, fake, "ask", "question:<!channel> <@U9> @here is it on?")
    view = await open_home(adapter, fake, ORGANISER)
    shown = [b["text"]["text"] for b in view["blocks"] if "text" in b]
    (question,) = [t for t in shown if "is it on?" in t]
    assert "&lt;!channel&gt; &lt;@U9&gt; @here is it on?" in question
    assert all(b["text"]["type"] == "plain_text" for b in view["blocks"] if "text" in b)
