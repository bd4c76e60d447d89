"""Where a meeting's invitation goes on each platform: through the real bolt app (signed
requests, the fake Slack Web API) it is uploaded to the caller's DM; through real
discord.py (the fake Discord API) it is attached to the reply, and a later change reaches
an earlier recipient by direct message. Each file is read back from what the fake
received, strictly and with icalendar."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.adapters.slack import SlackAdapter
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests import discord_harness as harness
from tests import reminder_state as states
from tests import slack_harness as slack
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack
from tests.test_meeting_calendar import read_calendar

CALLBACK = "POST /interactions/{id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{app}/{token}"
ALICE = harness.member("500000000000000001", "alice")


@pytest.fixture
def slack_adapter(slack_services: Services, slack_settings: Settings) -> SlackAdapter:
    return SlackAdapter(Dispatcher(slack_services), slack_settings)


async def slash(adapter: SlackAdapter, fake: FakeSlack, name: str, text: str, user: str) -> str:
    """A signed slash command in channel C1; the text that reached its response_url."""
    tag = f"{name}-{user}-{len(fake.calls)}"
    response = await slack.command(
        adapter, name, text, user=user, channel="C1", response_url=fake.response_url(tag)
    )
    assert response.status == 200
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return str(call.body["text"])


async def test_slack_uploads_the_invitation_to_the_callers_dm(
    slack_adapter: SlackAdapter, fake: FakeSlack
) -> None:
    said = await slash(
        slack_adapter, fake, "meeting", "branch:DWP-LEEDS date:30 Sep time:18:00 place:Hall", "U1"
    )
    assert "Recorded: DWP Leeds meeting" in said
    await fake.wait_for("files.completeUploadExternal")
    (opened,) = fake.calls_to("conversations.open")
    assert opened.body["users"] == "U1"
    ((channel, name, content),) = fake.shared_files
    assert channel == "D1"  # the caller's DM, not the channel the command came from
    assert name == "meeting-DWP-LEEDS.ics"
    calendar = read_calendar(content)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.events
    assert event["LOCATION"] == "Hall"
    assert event["DTSTART"].dt.hour == 18
    first = str(event["UID"])

    # A change made by someone else: the same UID, the next SEQUENCE, in their own DM.
    await slash(slack_adapter, fake, "meeting", "branch:DWP-LEEDS date:1 Oct", "U2")
    await fake.wait_for("files.completeUploadExternal", 2)
    channel, name, content = fake.shared_files[-1]
    assert (channel, name) == ("D2", "meeting-DWP-LEEDS-update-1.ics")
    (event,) = read_calendar(content).events
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (first, 1)


async def test_slack_cancellation_reaches_the_dm(
    slack_adapter: SlackAdapter, fake: FakeSlack
) -> None:
    await slash(slack_adapter, fake, "meeting", "branch:DWP-LEEDS date:30 Sep", "U1")
    said = await slash(slack_adapter, fake, "cancelmeeting", "branch:DWP-LEEDS confirm:yes", "U1")
    assert "Cancelled" in said
    await fake.wait_for("files.completeUploadExternal", 2)
    channel, name, content = fake.shared_files[-1]
    assert (channel, name) == ("D1", "meeting-DWP-LEEDS-cancelled.ics")
    calendar = read_calendar(content)
    assert calendar["METHOD"] == "CANCEL"
    (event,) = calendar.events
    assert int(event["SEQUENCE"]) == 1 and event["STATUS"] == "CANCELLED"


async def interact(
    adapter: DiscordAdapter, api: FakeDiscord, name: str, options: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """A slash command by ALICE in the guild: its reply's data, and the files sent with it."""
    before, followed = len(api.calls_to(CALLBACK)), len(api.calls_to(FOLLOWUP))
    harness.dispatch(adapter, harness.command(name, options, ALICE))
    call = (await api.wait_for(CALLBACK, before + 1))[-1]
    assert isinstance(call.json, dict)
    if call.json["type"] == 5:  # deferred on a slow machine: the reply is the follow-up
        call = (await api.wait_for(FOLLOWUP, followed + 1))[-1]
        assert isinstance(call.json, dict)
        return call.json, call.files
    return call.json["data"], call.files


async def test_discord_attaches_the_invitation_to_the_reply(
    discord_adapter: DiscordAdapter, discord_api: FakeDiscord
) -> None:
    data, files = await interact(
        discord_adapter,
        discord_api,
        "meeting",
        {"branch": "DWP-LEEDS", "date": "30 Sep", "time": "12:30", "place": "Room 2"},
    )
    assert data["flags"] & 64  # only the caller sees it
    assert [a["filename"] for a in data["attachments"]] == ["meeting-DWP-LEEDS.ics"]
    ((_, content),) = files.items()
    calendar = read_calendar(content)
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.events
    assert event["LOCATION"] == "Room 2"
    start = event["DTSTART"].dt
    assert (start.hour, start.minute, event["DTSTART"].params["TZID"]) == (12, 30, "Europe/London")
    uid = str(event["UID"])

    data, files = await interact(
        discord_adapter, discord_api, "cancelmeeting", {"branch": "DWP-LEEDS", "confirm": "yes"}
    )
    ((_, content),) = files.items()
    calendar = read_calendar(content)
    (event,) = calendar.events
    assert (calendar["METHOD"], str(event["UID"]), int(event["SEQUENCE"])) == ("CANCEL", uid, 1)


async def test_discord_a_change_reaches_the_earlier_recipient_by_dm(
    discord_adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    bob = harness.member("500000000000000003", "bob")
    await interact(
        discord_adapter, discord_api, "meeting", {"branch": "DWP-LEEDS", "date": "10 Oct"}
    )
    before = len(discord_api.calls_to(CALLBACK))
    harness.dispatch(discord_adapter, harness.command("notice", {"branch": "DWP-LEEDS"}, bob))
    (*_, had) = await discord_api.wait_for(CALLBACK, before + 1)
    ((_, content),) = had.files.items()
    (first,) = read_calendar(content).events
    discord_services.clock.advance(timedelta(hours=1))
    await interact(
        discord_adapter, discord_api, "meeting", {"branch": "DWP-LEEDS", "date": "11 Oct"}
    )
    deliverer = await states.sending(discord_services, {"discord": discord_adapter})
    await deliverer.sweep(discord_services.clock.now())
    (opened,) = discord_api.calls_to("POST /users/@me/channels")
    assert opened.json == {"recipient_id": 500000000000000003}  # bob, not alice who moved it
    (sent,) = discord_api.calls_to("POST /channels/{id}/messages")
    assert isinstance(sent.json, dict)
    assert sent.json["content"].startswith("DWP Leeds's meeting has changed.")
    ((name, content),) = sent.files.items()
    assert name == "meeting-DWP-LEEDS-update-1.ics"
    calendar = read_calendar(content)
    (event,) = calendar.events
    assert calendar["METHOD"] == "REQUEST"
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (str(first["UID"]), 1)
    await deliverer.sweep(discord_services.clock.now() + timedelta(minutes=5))
    assert len(discord_api.calls_to("POST /channels/{id}/messages")) == 1  # once only
