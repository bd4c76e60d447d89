"""/broadcast: an organiser's one-off message to a segment of the volunteers. Through the
console, the real bolt app against the fake Slack Web API, and real discord.py against
the fake Discord API: a preview, then a confirmation, then exactly one message per
person in the segment, sent by the reminder sweep; a cancellation before sending sends
nothing; a supporter is refused. The store is a real SQLite file."""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.adapters.console import Console
from bot.adapters.discord import DiscordAdapter
from bot.adapters.slack import SlackAdapter
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.store.broadcasts import RULE
from bot.store.schema import metadata
from tests import discord_harness as harness
from tests import reminder_state as states
from tests import slack_harness as slack
from tests.conftest import LONDON
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.store_rows import table_rows

TEXT = 'text:"Hello {name} of {branch}: can you get the meeting called this week?"'


async def say(console: Console, line: str) -> str:
    shown = await console.handle(line)
    assert shown is not None
    return shown


async def broadcast_messages(services: Services) -> list[tuple[str, str, str]]:
    """(recipient, broadcast number, status) of every broadcast message recorded."""
    return sorted(
        (d.recipient, d.occurrence, d.status)
        for d in await services.store.deliveries.all()
        if d.rule_id == RULE
    )


async def broadcasts(services: Services) -> list[dict[str, Any]]:
    """Every broadcast row, by column name."""
    columns = [c.name for c in metadata.tables["broadcasts"].columns]
    return [
        dict(zip(columns, row, strict=True))
        for row in await table_rows(services.store, "broadcasts")
    ]


async def statuses(services: Services) -> list[str]:
    return [row["status"] for row in await broadcasts(services)]


async def audited(services: Services) -> list[tuple[str, str | None]]:
    entries = await services.store.audit.latest(50)
    return [(e.action, e.detail) for e in reversed(entries) if "broadcast" in (e.action or "")]


@pytest.fixture
async def seeded(services: Services) -> Services:
    await states.seed(services.store)
    return services


# --- the console --------------------------------------------------------------------


async def test_preview_then_confirm_then_one_message_each(
    seeded: Services, dispatcher: Dispatcher, organiser: Console, clock: Clock
) -> None:
    screen = io.StringIO()  # every console volunteer's messages, with whom each is for
    deliverer = await states.sending(seeded, {"console": Console(dispatcher, "x", out=screen)})
    await deliverer.sweep(clock.now())  # what the pack had due goes first
    mark = len(screen.getvalue())

    preview = await say(organiser, f"/broadcast {TEXT} stage:no-meeting")
    assert preview.splitlines() == [
        "Broadcast #1, to volunteers whose branch has no meeting yet: 3 people.",
        "Left out: 1 opted out.",
        "When: now, within a minute of confirming.",
        "How long: Console, 3 messages at once.",
        "Nia in DWP Leeds will get:",
        "Hello Nia of DWP Leeds: can you get the meeting called this week?",
        "Reply with a number: 1) Confirm  2) Cancel",
    ]
    # Nothing goes before it is confirmed.
    await deliverer.sweep(clock.now() + timedelta(minutes=1))
    assert screen.getvalue()[mark:] == ""
    assert await broadcast_messages(seeded) == []
    assert await statuses(seeded) == ["draft"]

    clock.advance(timedelta(minutes=2))
    confirmed = await say(organiser, "1")
    assert confirmed.startswith("Confirmed: broadcast #1 goes now, within a minute.")
    assert await statuses(seeded) == ["confirmed"]
    report = await deliverer.sweep(clock.now())
    assert report.sent == 3
    shown = screen.getvalue()[mark:]
    for name, branch in (("nia", "Nia of DWP Leeds"), ("sam", "Sam of HMRC Nottingham")):
        assert f"[reminder for {name}]\nHello {branch}: can you get" in shown
    assert "[reminder for lara]\nHello Lara of DWP Newcastle" in shown
    assert "otto" not in shown and "[reminder for mo]" not in shown  # opted out; not in it
    assert await broadcast_messages(seeded) == [
        ("person:1", "1", "sent"),
        ("person:5", "1", "sent"),
        ("person:6", "1", "sent"),
    ]
    assert await statuses(seeded) == ["sent"]

    # Swept again, by this process or another after a restart: nothing goes twice.
    assert (await deliverer.sweep(clock.now() + timedelta(minutes=1))).sent == 0
    again = await states.sending(seeded, {"console": Console(dispatcher, "x", out=screen)})
    assert (await again.sweep(clock.now() + timedelta(minutes=2))).sent == 0
    assert screen.getvalue()[mark:] == shown
    assert len(await broadcast_messages(seeded)) == 3

    # Too late to cancel once it has gone; the log has who created and confirmed it.
    assert "has gone out already" in await say(organiser, "/broadcast cancel:1")
    assert await audited(seeded) == [
        ("broadcast-create", "#1 stage:no-meeting reach:3"),
        ("broadcast-confirm", "#1"),
    ]
    text = (await broadcasts(seeded))[0]["text"]
    assert text == "Hello {name} of {branch}: can you get the meeting called this week?"


async def test_a_cancellation_before_sending_sends_nothing(
    seeded: Services, dispatcher: Dispatcher, organiser: Console, clock: Clock
) -> None:
    screen = io.StringIO()
    deliverer = await states.sending(seeded, {"console": Console(dispatcher, "x", out=screen)})
    await deliverer.sweep(clock.now())
    mark = len(screen.getvalue())

    await say(organiser, f"/broadcast {TEXT}")
    assert await say(organiser, "2") == "Cancelled: broadcast #1 will not be sent."
    # Confirmed, then cancelled with the command before the sweep came round.
    await say(organiser, f"/broadcast {TEXT} group:HMRC")
    assert "Confirmed: broadcast #2" in await say(organiser, "yes")
    waiting = await say(organiser, "/broadcast")
    assert "#2 to volunteers in HMRC: confirmed, goes at 10am on Friday 20 September" in waiting
    assert "#1" not in waiting
    assert await say(organiser, "/broadcast cancel:2") == (
        "Cancelled: broadcast #2 will not be sent."
    )
    assert await statuses(seeded) == ["cancelled", "cancelled"]
    for minutes in (1, 2):
        assert (await deliverer.sweep(clock.now() + timedelta(minutes=minutes))).sent == 0
    assert screen.getvalue()[mark:] == ""
    assert await broadcast_messages(seeded) == []
    # A cancelled broadcast cannot be confirmed after all.
    assert "was cancelled" in await say(organiser, "/broadcast confirm:2")
    assert [a for a, _ in await audited(seeded)] == [
        "broadcast-create",
        "broadcast-cancel",
        "broadcast-create",
        "broadcast-confirm",
        "broadcast-cancel",
    ]


async def test_a_supporter_is_refused(seeded: Services, alice: Console) -> None:
    before = seeded.store.generation
    assert await say(alice, f"/broadcast {TEXT}") == (
        "Sorry, /broadcast is for campaign organisers only."
    )
    assert await say(alice, "/broadcast confirm:1") == (
        "Sorry, /broadcast is for campaign organisers only."
    )
    assert await statuses(seeded) == []
    refused = [e for e in await seeded.store.audit.latest() if e.action == "refused"]
    assert [e.detail for e in refused] == ["/broadcast", "/broadcast"]
    assert seeded.store.generation == before + 2  # the two refusals, audited; nothing else


async def test_confirmed_at_night_it_goes_when_quiet_hours_end(
    seeded: Services, dispatcher: Dispatcher, organiser: Console, clock: Clock
) -> None:
    screen = io.StringIO()
    deliverer = await states.sending(seeded, {"console": Console(dispatcher, "x", out=screen)})
    clock.set(datetime(2019, 9, 20, 22, 30, tzinfo=LONDON))
    await deliverer.sweep(clock.now())
    mark = len(screen.getvalue())
    preview = await say(organiser, '/broadcast text:"Morning {name}" group:HMRC')
    assert "When: at 8am on Saturday 21 September 2019, when quiet hours end." in preview
    assert "goes at 8am on Saturday 21 September 2019" in await say(organiser, "1")
    for at in (datetime(2019, 9, 20, 23, 0), datetime(2019, 9, 21, 7, 59)):
        await deliverer.sweep(at.replace(tzinfo=LONDON))
        assert "Morning" not in screen.getvalue()[mark:]
    await deliverer.sweep(datetime(2019, 9, 21, 8, 1, tzinfo=LONDON))
    shown = screen.getvalue()[mark:]
    assert "[reminder for mo]\nMorning Mo" in shown
    assert "[reminder for sam]\nMorning Sam" in shown
    assert await broadcast_messages(seeded) == [
        ("person:2", "1", "sent"),
        ("person:5", "1", "sent"),
    ]


async def test_filters_combine_and_unknown_values_change_nothing(
    seeded: Services, organiser: Console, clock: Clock
) -> None:
    await seeded.store.ballot.pledge(states.MEETING, 3, clock.now())
    await seeded.store.ballot.vote(states.DONE, clock.now())
    first = "Broadcast #{n}, to "
    for number, (options, expected) in enumerate(
        (
            (
                "group:hmrc stage:no-meeting",
                "volunteers in HMRC whose branch has no meeting yet: 1 person.",
            ),
            ('region:"Yorkshire & Humberside"', "volunteers in Yorkshire & Humberside: 2 people."),
            (
                "ballot:pledged",
                "volunteers who asked colleagues to vote but have not said they voted: 1 person.",
            ),
            (
                "ballot:voted stage:result-reported",
                "volunteers whose branch has reported a result that does not count (yet) and who have said they voted: 1 person.",
            ),
            (
                "platform:console stage:meeting-called",
                "volunteers on Console whose branch has called its meeting: 1 person.",
            ),
        ),
        start=1,
    ):
        shown = await say(organiser, f'/broadcast text:"Hi {{name}}" {options}')
        assert shown.startswith(first.format(n=number) + expected), shown
    before = seeded.store.generation
    wrong = await say(organiser, "/broadcast text:hi region:Walse")
    assert wrong == (
        "region: there is no 'Walse'. It can be: London & South East, Midlands, North West, "
        "Northern, Northern Ireland, Scotland, South West, Wales, Yorkshire & Humberside. "
        "Nothing has been saved."
    )
    assert (await say(organiser, "/broadcast text:hi group:Treasury")).startswith(
        "group: there is no 'Treasury'. It can be: BEIS, Cabinet Office,"
    )
    assert await say(organiser, "/broadcast text:hi ballot:maybe") == (
        "ballot: must be pledged, voted or neither, not 'maybe'."
    )
    assert await say(organiser, "/broadcast text:hi platform:slack") == (
        "Nobody can be sent that: no volunteers on Slack can be messaged. Nothing has been saved."
    )
    assert await say(organiser, "/broadcast text:hi region:Wales") == (
        "Nobody can be sent that: no volunteers in Wales can be messaged. Nothing has been saved."
    )
    assert seeded.store.generation == before
    assert len(await statuses(seeded)) == 5


async def test_a_name_in_the_text_is_erased_with_the_person(
    seeded: Services, organiser: Console, dispatcher: Dispatcher
) -> None:
    await say(organiser, '/broadcast text:"Nia in Leeds has the leaflets"')
    nia = Console(dispatcher, "nia")
    assert (await say(nia, "/forgetme")).startswith("Done.")
    (row,) = await broadcasts(seeded)
    assert row["text"] == "[erased] in Leeds has the leaflets"


# --- Slack: the real bolt app against the fake Web API --------------------------------


@pytest.fixture
def slack_adapter(slack_services: Services, slack_settings: Settings) -> SlackAdapter:
    return SlackAdapter(Dispatcher(slack_services), slack_settings)


async def slash(
    adapter: SlackAdapter, fake: FakeSlack, text: str, user: str, name: str = "broadcast"
) -> dict[str, Any]:
    tag = f"{name}-{user}-{time.monotonic_ns()}"
    response = await slack.command(
        adapter, name, text, user=user, user_name=user.lower(), response_url=fake.response_url(tag)
    )
    assert response.status == 200
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return dict(call.body)


async def press_in_slack(
    adapter: SlackAdapter, fake: FakeSlack, body: dict[str, Any], label: str
) -> str:
    buttons = next(b for b in body["blocks"] if b["type"] == "actions")["elements"]
    (button,) = [b for b in buttons if b["text"]["text"] == label]
    tag = f"press-{time.monotonic_ns()}"
    await slack.interaction(
        adapter,
        {
            "type": "block_actions",
            "user": {"id": slack.ORGANISER, "username": "olive"},
            "team": {"id": "T1"},
            "channel": {"id": "C1"},
            "trigger_id": f"T-{tag}",
            "response_url": fake.response_url(tag),
            "actions": [
                {"action_id": button["action_id"], "value": button["value"], "type": "button"}
            ],
        },
    )
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return str(call.body["text"])


async def test_slack_preview_confirm_once_each_cancel_and_refusal(
    slack_adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    for user in ("U5", "U6"):
        await slash(slack_adapter, fake, "branch:DWP-LEEDS consent:yes", user, "volunteer")
    deliverer = await states.sending(slack_services, {"slack": slack_adapter})
    now = slack_services.clock.now()
    await deliverer.sweep(now)  # the welcomes go first

    refused = await slash(slack_adapter, fake, 'text:"Hi {name}"', "U5")
    assert refused["text"] == "Sorry, /broadcast is for campaign organisers only."

    preview = await slash(slack_adapter, fake, 'text:"Hi {name} <!channel> @here"', slack.ORGANISER)
    assert preview["text"].startswith("Broadcast #1, to all volunteers: 2 people.")
    assert "How long: Slack, 2 messages at 4 a second: about 1 second." in preview["text"]
    assert "u5 in DWP Leeds will get:\nHi u5 &lt;!channel&gt; @here" in preview["text"]
    assert await press_in_slack(slack_adapter, fake, preview, "Confirm") == (
        "Confirmed: broadcast #1 goes now, within a minute. Until it has gone you can still "
        "cancel it (/broadcast cancel:1)."
    )
    assert (await deliverer.sweep(now + timedelta(minutes=1))).sent == 2
    to_people = [c for c in fake.calls_to("chat.postMessage") if "Hi u" in c.body["text"]]
    assert sorted(c.body["channel"] for c in to_people) == ["U5", "U6"]
    for call in to_people:  # the typed mention is shown, never acted on
        assert "<!channel>" not in str(call.body) and "&lt;!channel&gt;" in call.body["text"]
    assert (await deliverer.sweep(now + timedelta(minutes=2))).sent == 0
    assert len([c for c in fake.calls_to("chat.postMessage") if "Hi u" in c.body["text"]]) == 2

    second = await slash(slack_adapter, fake, 'text:"Bye {name}"', slack.ORGANISER)
    assert await press_in_slack(slack_adapter, fake, second, "Cancel") == (
        "Cancelled: broadcast #2 will not be sent."
    )
    await deliverer.sweep(now + timedelta(minutes=3))
    assert not [c for c in fake.calls_to("chat.postMessage") if "Bye" in c.body["text"]]
    assert await broadcast_messages(slack_services) == [
        ("person:1", "1", "sent"),
        ("person:2", "1", "sent"),
    ]


# --- Discord: real discord.py against the fake API ------------------------------------

CALLBACK = "POST /interactions/{id}/{token}/callback"
SENT = "POST /channels/{id}/messages"
ALICE = harness.member("500000000000000001", "alice")
BOB = harness.member("500000000000000003", "bob")
OLIVE = harness.member("500000000000000002", "olive", roles=(harness.ORGANISER_ROLE_ID,))


async def interact(
    adapter: DiscordAdapter, api: FakeDiscord, payload: dict[str, Any]
) -> dict[str, Any]:
    before = len(api.calls_to(CALLBACK))
    harness.dispatch(adapter, payload)
    calls = await api.wait_for(CALLBACK, before + 1)
    body = calls[-1].json
    assert isinstance(body, dict)
    assert body["type"] == 4
    return dict(body["data"])


def button_of(data: dict[str, Any], label: str) -> str:
    found = [c for row in data["components"] for c in row["components"] if c["label"] == label]
    return str(found[0]["custom_id"])


async def test_discord_preview_confirm_once_each_cancel_and_refusal(
    discord_adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    for member in (ALICE, BOB):
        command = harness.command("volunteer", {"branch": "DWP-LEEDS", "consent": "yes"}, member)
        await interact(discord_adapter, discord_api, command)
    deliverer = await states.sending(discord_services, {"discord": discord_adapter})
    now = discord_services.clock.now()
    await deliverer.sweep(now)  # the welcomes go first

    text = {"text": "Hi {name} @everyone"}
    refused = await interact(
        discord_adapter, discord_api, harness.command("broadcast", text, ALICE)
    )
    assert refused["content"] == "Sorry, /broadcast is for campaign organisers only."

    preview = await interact(
        discord_adapter, discord_api, harness.command("broadcast", text, OLIVE)
    )
    assert preview["content"].startswith("Broadcast #1, to all volunteers: 2 people.")
    assert "How long: Discord, 2 messages at 25 a second: about 1 second." in preview["content"]
    assert preview["flags"] & 64  # only the organiser sees the preview
    confirmed = await interact(
        discord_adapter, discord_api, harness.button(button_of(preview, "Confirm"), OLIVE)
    )
    assert confirmed["content"].startswith("Confirmed: broadcast #1 goes now")
    assert (await deliverer.sweep(now + timedelta(minutes=1))).sent == 2
    greetings = [c for c in discord_api.calls_to(SENT) if "Hi " in str(c.json)]
    assert len(greetings) == 2
    for call in greetings:
        assert isinstance(call.json, dict)
        assert call.json["allowed_mentions"] == {"parse": []}
        assert "@everyone" not in call.json["content"]  # broken up, and mentions are off
    assert sorted(
        c.json["content"].split(" ")[1] for c in greetings if isinstance(c.json, dict)
    ) == [
        "alice",
        "bob",
    ]
    assert (await deliverer.sweep(now + timedelta(minutes=2))).sent == 0
    assert len([c for c in discord_api.calls_to(SENT) if "Hi " in str(c.json)]) == 2

    second = await interact(
        discord_adapter, discord_api, harness.command("broadcast", {"text": "Bye {name}"}, OLIVE)
    )
    cancelled = await interact(
        discord_adapter, discord_api, harness.button(button_of(second, "Cancel"), OLIVE)
    )
    assert cancelled["content"] == "Cancelled: broadcast #2 will not be sent."
    await deliverer.sweep(now + timedelta(minutes=3))
    assert not [c for c in discord_api.calls_to(SENT) if "Bye" in str(c.json)]
    assert await broadcast_messages(discord_services) == [
        ("person:1", "1", "sent"),
        ("person:2", "1", "sent"),
    ]
