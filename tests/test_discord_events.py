"""Meetings as Discord scheduled events, through real discord.py against the fake Discord
API: made by /meeting, edited by a reschedule, deleted by /cancelmeeting; nothing when
the server has not opted in; a missing permission tells the organisers once and fails no
command; the interested count shows in /branch and on the board."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.views.board import board_reply
from tests import discord_harness as harness
from tests.fakes.discord_api import FakeDiscord
from tests.test_meeting_invites import interact

CREATE = "POST /guilds/{id}/scheduled-events"
EVENT = "/guilds/{id}/scheduled-events/{event}"
DM_OPEN = "POST /users/@me/channels"
SEND = "POST /channels/{id}/messages"
ORGANISER = "500000000000000009"
LEEDS = {"branch": "DWP-LEEDS", "date": "30 Sep", "time": "18:00", "place": "Hall"}


def sends(api: FakeDiscord) -> list[Any]:
    """Every message sent, those the fake took as repeats of a nonce included (Discord
    honours a nonce for a few minutes only, so nothing may rest on it)."""
    return api.calls_to(SEND) + api.calls_to(f"{SEND}#deduplicated")


@pytest.fixture
def discord_settings(db_path: Path, discord_api: FakeDiscord) -> Settings:
    """The server opts in, with one organiser listed to tell."""
    return harness.settings(db_path, discord_api).model_copy(
        update={"discord_events": True, "organisers": [f"discord:{ORGANISER}"]}
    )


async def serving(services: Services, settings: Settings) -> DiscordAdapter:
    adapter = DiscordAdapter(Dispatcher(services), settings, serve=True)
    await adapter.login()
    harness.add_guild(adapter)
    return adapter


@pytest.fixture
async def adapter(
    discord_services: Services, discord_settings: Settings
) -> AsyncIterator[DiscordAdapter]:
    built = await serving(discord_services, discord_settings)
    yield built
    await built.board.close()
    if built.events is not None:
        await built.events.close()
    await built.client.close()


def said(data: dict[str, Any]) -> str:
    """A reply's words, wherever render put them (content or embed)."""
    return json.dumps(data, ensure_ascii=False)


async def test_a_meeting_makes_an_external_event_that_moves_and_goes_with_it(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    data, _ = await interact(adapter, discord_api, "meeting", LEEDS)
    assert "Recorded: DWP Leeds meeting" in said(data)
    (made,) = await discord_api.wait_for(CREATE)
    assert made.path == f"/api/v10/guilds/{harness.GUILD_ID}/scheduled-events"
    assert isinstance(made.json, dict)
    assert made.json["entity_type"] == 3  # external
    assert made.json["entity_metadata"] == {"location": "Hall"}
    assert made.json["name"].startswith("DWP Leeds")
    start = datetime.fromisoformat(made.json["scheduled_start_time"])
    end = datetime.fromisoformat(made.json["scheduled_end_time"])
    zone = discord_services.campaign.zone
    assert (start.astimezone(zone).day, start.astimezone(zone).hour) == (30, 18)
    assert end - start == discord_services.campaign.meeting.duration
    (event_id,) = discord_api.scheduled_events

    # A reschedule: /meeting again with a new date edits the same event.
    await interact(adapter, discord_api, "meeting", {**LEEDS, "date": "2 Oct", "place": "Library"})
    (edited,) = await discord_api.wait_for(f"PATCH {EVENT}")
    assert edited.path.endswith(f"/scheduled-events/{event_id}")
    assert isinstance(edited.json, dict)
    moved = datetime.fromisoformat(edited.json["scheduled_start_time"]).astimezone(zone)
    assert (moved.month, moved.day, moved.hour) == (10, 2, 18)
    assert edited.json["entity_metadata"] == {"location": "Library"}
    assert len(discord_api.calls_to(CREATE)) == 1  # moved, not made again

    data, _ = await interact(
        adapter, discord_api, "cancelmeeting", {"branch": "DWP-LEEDS", "confirm": "yes"}
    )
    assert "Cancelled" in said(data)
    (deleted,) = await discord_api.wait_for(f"DELETE {EVENT}")
    assert deleted.path.endswith(f"/scheduled-events/{event_id}")
    assert discord_api.scheduled_events == {}


async def test_off_unless_the_server_opts_in(
    discord_services: Services, discord_settings: Settings, discord_api: FakeDiscord
) -> None:
    off = await serving(
        discord_services, discord_settings.model_copy(update={"discord_events": False})
    )
    try:
        assert off.events is None
        data, files = await interact(off, discord_api, "meeting", LEEDS)
        assert "Recorded: DWP Leeds meeting" in said(data) and files  # the invitation still goes
        await interact(off, discord_api, "meeting", {**LEEDS, "date": "1 Oct"})
        await interact(off, discord_api, "cancelmeeting", {"branch": "DWP-LEEDS", "confirm": "yes"})
        await discord_services.events.settled()
    finally:
        await off.board.close()
        await off.client.close()
    assert not [c for c in discord_api.calls if "scheduled-events" in c.route]


async def test_a_missing_permission_tells_organisers_once_and_fails_nothing(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    discord_api.refuse_events = True
    data, files = await interact(adapter, discord_api, "meeting", LEEDS)
    assert "Recorded: DWP Leeds meeting" in said(data) and files
    await discord_api.wait_for(f"{CREATE}")
    await discord_services.events.settled()
    sheffield = {**LEEDS, "branch": "DWP-SHEFF"}
    data, _ = await interact(adapter, discord_api, "meeting", sheffield)
    assert "Recorded: DWP Sheffield meeting" in said(data)
    await discord_api.wait_for(f"{CREATE}", 2)
    await discord_services.events.settled()
    data, _ = await interact(
        adapter, discord_api, "cancelmeeting", {"branch": "DWP-SHEFF", "confirm": "yes"}
    )
    assert "Cancelled" in said(data)
    await discord_services.events.settled()

    (opened,) = discord_api.calls_to(DM_OPEN)
    assert opened.json == {"recipient_id": int(ORGANISER)}
    (told,) = sends(discord_api)  # one message, across both meetings
    assert isinstance(told.json, dict)
    assert "Create Events" in told.json["content"]
    assert "once" in told.json["content"]
    assert discord_api.scheduled_events == {}

    # Once the permission is given, the next change makes the event, and says no more.
    discord_api.refuse_events = False
    await interact(adapter, discord_api, "meeting", {**LEEDS, "date": "1 Oct"})
    await discord_api.wait_for(f"{CREATE}", 3)
    await discord_services.events.settled()
    assert len(discord_api.scheduled_events) == 1
    assert len(sends(discord_api)) == 1


async def test_the_interested_count_shows_in_branch_and_on_the_board(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    data, _ = await interact(adapter, discord_api, "branch", {"branch": "DWP-LEEDS"})
    assert "interested" not in said(data)  # no meeting, no event: nothing said
    await interact(adapter, discord_api, "meeting", LEEDS)
    await discord_api.wait_for(CREATE)
    await discord_services.events.settled()
    (event_id,) = discord_api.scheduled_events
    discord_api.interested[event_id] = 12

    data, _ = await interact(adapter, discord_api, "branch", {"branch": "DWP-LEEDS"})
    assert "Meeting on Monday 30 September 2019: 12 interested on Discord." in said(data)
    (asked,) = discord_api.calls_to(f"GET {EVENT}")
    assert asked.path.endswith(f"/scheduled-events/{event_id}")

    board = await board_reply(discord_services, discord_services.clock.now())
    assert "- DWP Leeds, Mon 30 Sep: 12 interested on Discord" in board.text


async def test_an_event_deleted_on_discord_is_made_again_by_the_next_change(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    await interact(adapter, discord_api, "meeting", LEEDS)
    await discord_api.wait_for(CREATE)
    await discord_services.events.settled()
    discord_api.scheduled_events.clear()  # someone in the server deleted it
    await interact(adapter, discord_api, "meeting", {**LEEDS, "time": "19:00"})
    await discord_api.wait_for(CREATE, 2)
    await discord_services.events.settled()
    (event,) = discord_api.scheduled_events.values()
    start = datetime.fromisoformat(event["scheduled_start_time"])
    assert start.astimezone(discord_services.campaign.zone).hour == 19
