"""The real slack-bolt app, driven by signed requests, against a local fake Web API."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack_blocks import BOT_EVENTS, escape, form_view, manifest, render
from bot.campaign.domain import User
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.messages import Button, Reply
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from commands import registry
from tests import reminder_state as states
from tests import slack_harness as slack
from tests.conftest import CAMPAIGN, sqlite_url
from tests.fakes.slack_api import FakeSlack
from tests.slack_process import serve_slack_http
from tests.store_rows import table_rows

ORGANISER = slack.ORGANISER


@pytest.fixture
def adapter(slack_services: Services, slack_settings: Settings) -> SlackAdapter:
    return SlackAdapter(Dispatcher(slack_services), slack_settings)


async def run_command(
    adapter: SlackAdapter,
    fake: FakeSlack,
    name: str,
    text: str,
    user: str = "U1",
    user_name: str = "alice",
    channel: str = "C1",
) -> dict[str, Any]:
    """Send a slash command; return what arrived at its response_url."""
    tag = f"{name}-{time.monotonic_ns()}"
    response = await slack.command(
        adapter,
        name,
        text,
        user=user,
        user_name=user_name,
        channel=channel,
        response_url=fake.response_url(tag),
    )
    assert response.status == 200
    assert response.body == ""  # acknowledged at once, with nothing in the way
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return call.body


COMMAND_CASES = {
    "help": ("", "/nominate"),
    "home": ("", "branches needed count so far"),
    "ask": ("when do nominations close?", "14 October 2019"),
    "volunteer": ("branch:DWP-LEEDS", "Do you agree?"),
    "meeting": ("branch:DWP-LEEDS date:30 Sep notice:16 Sep", "Recorded: DWP Leeds meeting"),
    "notice": ("branch:DWP-LEEDS", "There is no meeting on record for DWP Leeds"),
    "cancelmeeting": ("branch:DWP-LEEDS", "DWP Leeds has no meeting on record to cancel"),
    "nominate": ("branch:DWP-LEEDS outcome:nominated", "Recorded: DWP Leeds nominated"),
    "progress": ("", "of the 15 branches needed"),
    "ballot": ("", "The ballot opens on Thursday 7 November 2019"),
    "voted": ("", "papers are posted from Thursday 7 November 2019"),
    "pledge": ("", "How many colleagues have you asked to vote?"),
    "optout": ("", "not signed up"),
    "optin": ("", "not signed up yet"),
    "forgetme": ("", "nothing to erase"),
    "verify": ("branch:DWP-LEEDS", "Nothing has been reported for DWP Leeds"),
    "export": ("", "as CSV"),
    "questions": ("", "No unanswered questions"),
    "answer": ("id:1 text:hello", "There is no question #1"),
    "broadcast": ("", "You see a preview before anything is sent."),
    "broadcast-here": ("", "This channel will get the campaign's broadcasts."),
    "board-here": ("", "The board will appear in this channel in a moment"),
    "dashboard": ("", "https://dashboard.example.org/signin?token="),
    "reminders": ("", "in the next 7 days"),
    "branch": ("branch:DWP-LEEDS", "DWP Leeds (DWP, Yorkshire &amp; Humberside): no volunteer."),
    "formsent": ("branch:DWP-LEEDS official:Jo", "DWP Leeds has no nomination"),
    "pipeline": ("", "Pipeline: 38 branches."),
    "mydata": ("", "I hold nothing about you."),
    "audit": ("", "Nothing in the audit log yet."),
}


def test_every_command_has_a_case() -> None:
    assert set(COMMAND_CASES) == set(registry().names())


@pytest.mark.parametrize("name", sorted(COMMAND_CASES))
async def test_every_command_through_a_signed_request(
    adapter: SlackAdapter, fake: FakeSlack, name: str
) -> None:
    text, expected = COMMAND_CASES[name]
    body = await run_command(adapter, fake, name, text, user=ORGANISER, user_name="olive")
    assert expected in body["text"]
    assert body["response_type"] == "ephemeral"
    assert any(b["type"] == "section" for b in body["blocks"])


async def test_replies_are_block_kit_with_source_and_buttons(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    answer = await run_command(adapter, fake, "ask", "what about outsourced cleaners")
    kinds = [b["type"] for b in answer["blocks"]]
    assert "context" in kinds
    assert "Source: Manifesto: Private sector" in json.dumps(answer["blocks"])
    consent = await run_command(adapter, fake, "volunteer", "branch:DWP-LEEDS")
    actions = next(b for b in consent["blocks"] if b["type"] == "actions")
    assert [e["text"]["text"] for e in actions["elements"]] == ["I agree", "No thanks"]


async def test_a_button_press_reaches_the_same_core(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    consent = await run_command(adapter, fake, "volunteer", "branch:DWP-LEEDS")
    agree = next(b for b in consent["blocks"] if b["type"] == "actions")["elements"][0]
    response = await slack.interaction(
        adapter,
        {
            "type": "block_actions",
            "user": {"id": "U1", "username": "alice"},
            "team": {"id": "T1"},
            "channel": {"id": "C1"},
            "trigger_id": "T-2",
            "response_url": fake.response_url("pressed"),
            "actions": [
                {
                    "action_id": agree["action_id"],
                    "value": agree["value"],
                    "type": "button",
                    "block_id": "b1",
                }
            ],
        },
    )
    assert response.status == 200
    (call,) = await fake.wait_for("response_url:pressed")
    assert call.body["text"].startswith("Thanks, alice! You're signed up for DWP Leeds.")
    from bot.runtime.messages import User

    volunteer = await slack_services.store.people.volunteer(User("slack", "U1", "alice"))
    assert volunteer is not None and volunteer.branch_code == "DWP-LEEDS"


async def test_public_when_asked_to_share(adapter: SlackAdapter, fake: FakeSlack) -> None:
    body = await run_command(adapter, fake, "progress", "share:true")
    assert body["response_type"] == "in_channel"


async def test_organiser_commands_refuse_supporters(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    body = await run_command(adapter, fake, "export", "", user="U2")
    assert body["text"] == "Sorry, /export is for campaign organisers only."
    assert fake.calls_to("files.getUploadURLExternal") == []


async def test_organisers_from_a_user_group(
    slack_services: Services, slack_settings: Settings, fake: FakeSlack
) -> None:
    fake.user_groups["SORG"] = ["U7"]
    settings = slack_settings.model_copy(update={"slack_organiser_group": "sorg"})
    adapter = SlackAdapter(Dispatcher(slack_services), settings)
    body = await run_command(adapter, fake, "questions", "", user="U7")
    assert body["text"] == "No unanswered questions. Nice!"


async def test_export_uploads_a_csv_to_the_organisers_dm(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    await run_command(adapter, fake, "nominate", "branch:DWP-LEEDS outcome:nominated")
    await run_command(adapter, fake, "export", "", user=ORGANISER, user_name="olive")
    (opened,) = fake.calls_to("conversations.open")
    assert opened.body["users"] == ORGANISER
    (upload,) = await fake.wait_for("upload")
    assert b"DWP-LEEDS,DWP Leeds" in upload.body["raw"]
    (done,) = fake.calls_to("files.completeUploadExternal")
    assert done.body["channel_id"] == "DORG"


async def test_the_nominate_modal(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    response = await slack.command(adapter, "nominate", "", response_url=fake.response_url("m"))
    assert response.status == 200
    (opened,) = await fake.wait_for("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "mobilise-form:nominate"
    branch_input = next(b for b in view["blocks"] if b["block_id"] == "opt:branch")
    assert branch_input["element"]["type"] == "external_select"
    date_input = next(b for b in view["blocks"] if b["block_id"] == "opt:date")
    assert date_input["element"]["type"] == "datepicker"

    search = await slack.interaction(
        adapter,
        {
            "type": "block_suggestion",
            "user": {"id": "U1"},
            "team": {"id": "T1"},
            "action_id": "branch",
            "block_id": "opt:branch",
            "value": "leeds",
            "view": view,
        },
    )
    found = json.loads(search.body)["options"]
    assert [o["value"] for o in found][:3] == ["DWP-LEEDS", "HMRC-LEEDS", "COMM-INTER"] or {
        o["value"] for o in found[:3]
    } == {"DWP-LEEDS", "HMRC-LEEDS", "COMM-INTER"}

    def submission(values: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "view_submission",
            "user": {"id": "U1", "username": "alice"},
            "team": {"id": "T1"},
            "trigger_id": "T-3",
            "view": {**view, "id": "V1", "state": {"values": values}},
        }

    bad = await slack.interaction(
        adapter,
        submission(
            {
                "opt:branch": {"branch": {"type": "external_select", "selected_option": None}},
                "opt:outcome": {
                    "outcome": {"type": "static_select", "selected_option": {"value": "nominated"}}
                },
                "opt:date": {"date": {"type": "datepicker", "selected_date": "2029-01-01"}},
            }
        ),
    )
    errors = json.loads(bad.body)
    assert errors["response_action"] == "errors"
    assert set(errors["errors"]) == {"opt:branch", "opt:date"}
    assert await table_rows(slack_services.store, "nominations") == []

    good = await slack.interaction(
        adapter,
        submission(
            {
                "opt:branch": {
                    "branch": {"type": "external_select", "selected_option": {"value": "DWP-LEEDS"}}
                },
                "opt:outcome": {
                    "outcome": {"type": "static_select", "selected_option": {"value": "nominated"}}
                },
                "opt:nominee": {"nominee": {"type": "plain_text_input", "value": None}},
                "opt:date": {"date": {"type": "datepicker", "selected_date": "2019-09-30"}},
            }
        ),
    )
    assert good.status == 200
    assert good.body == ""
    (ephemeral,) = await fake.wait_for("chat.postEphemeral")
    assert "Recorded: DWP Leeds nominated Mark Serwotka" in ephemeral.body["text"]
    nomination = await slack_services.store.nominations.current("DWP-LEEDS")
    assert nomination is not None and nomination.reported_by == "alice"
    assert str(nomination.meeting_date) == "2019-09-30"


async def test_typed_mentions_are_shown_not_acted_on(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    body = await run_command(
        adapter,
        fake,
        "nominate",
        "branch:DWP-LEEDS outcome:other nominee:<!channel> & <!here> <@U999> @everyone",
    )
    sent = json.dumps(body)
    for raw in ("<!channel>", "<!here>", "<@U999>"):
        assert raw not in sent
    assert "&lt;!channel&gt; &amp; &lt;!here&gt; &lt;@U999&gt;" in body["text"]
    assert escape("<!everyone>") == "&lt;!everyone&gt;"


async def test_mentions_get_a_threaded_answer(adapter: SlackAdapter, fake: FakeSlack) -> None:
    await slack.event(
        adapter,
        {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": "1700.1",
            "text": "<@UBOT> when does the ballot open?",
        },
    )
    (posted,) = await fake.wait_for("chat.postMessage")
    assert posted.body["thread_ts"] == "1700.1"
    assert "7 November 2019" in posted.body["text"]


async def test_direct_messages_get_an_answer(adapter: SlackAdapter, fake: FakeSlack) -> None:
    await slack.event(
        adapter,
        {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "channel": "D1",
            "ts": "1700.2",
            "text": "how many branches does mark need?",
        },
    )
    (posted,) = await fake.wait_for("chat.postMessage")
    assert posted.body["channel"] == "D1"
    assert "15 branches" in posted.body["text"]
    assert "thread_ts" not in posted.body


async def test_429_is_retried_after_its_delay_and_sent_once(
    adapter: SlackAdapter, fake: FakeSlack
) -> None:
    fake.rate_limit("chat.postMessage", times=1, retry_after=1)
    await slack.event(
        adapter,
        {
            "type": "app_mention",
            "user": "U1",
            "channel": "C1",
            "ts": "1700.3",
            "text": "<@UBOT> who runs the ballot?",
        },
    )
    (posted,) = await fake.wait_for("chat.postMessage", within=10)
    (limited,) = fake.calls_to("chat.postMessage#429")
    assert posted.at - limited.at >= 0.95
    await asyncio.sleep(0.3)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_manifest_lists_what_help_lists_for_an_organiser(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "slack-manifest"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    parsed = yaml.safe_load(result.stdout)
    listed = [c["command"] for c in parsed["features"]["slash_commands"]]
    assert listed == [f"/{c.name}" for c in registry().visible_to(organiser=True)]
    assert parsed == manifest(registry())
    assert parsed["settings"]["socket_mode_enabled"] is True
    assert "commands" in parsed["oauth_config"]["scopes"]["bot"]


def test_render_limits() -> None:
    long = Reply(
        text="x" * 7000, title="t" * 300, buttons=tuple(Button(f"b{n}", "help") for n in range(40))
    )
    _, blocks = render(long)
    assert len(blocks) <= 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    (menu,) = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert menu["type"] == "static_select" and len(menu["options"]) == 40  # Slack allows 100
    many = Reply(text="pick", buttons=tuple(Button(f"b{n}", "help") for n in range(140)))
    (menu,) = next(b for b in render(many)[1] if b["type"] == "actions")["elements"]
    assert len(menu["options"]) == 100
    assert form_view(registry().get("meeting"), "C1")["title"]["text"] == "/meeting"  # type: ignore[arg-type]


# --- the HTTP endpoint, as a real process -----------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_http_endpoint_verifies_signatures_and_answers_fast(
    fake: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    db = tmp_path / "http.db"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    env.update(
        SLACK_BOT_TOKEN="xoxb-test-token",
        SLACK_SIGNING_SECRET=slack.SECRET,
        SLACK_API_URL=f"{fake.base_url}api/",
        MOBILISE_DATABASE_URL=sqlite_url(db),
        MOBILISE_CAMPAIGN=str(CAMPAIGN),
        MOBILISE_NOW="2019-09-20T10:00",
        MOBILISE_LOG_LEVEL="DEBUG",  # the chattiest logs must still hold no secret
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *serve_slack_http(port),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/health") as ready:
                        if ready.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            body = slack.command_body(
                "ask", "when do nominations close?", response_url=fake.response_url("http")
            )
            content = "application/x-www-form-urlencoded"

            async def post(headers: dict[str, list[str]]) -> int:
                flat = {k: v[0] for k, v in headers.items()}
                async with session.post(url, data=body, headers=flat) as response:
                    return response.status

            for headers in (
                {"content-type": [content]},
                slack.signed_headers(body, content, secret="wrong-secret"),
                slack.signed_headers(body, content, timestamp=int(time.time()) - 301),
            ):
                assert await post(headers) == 401
            await asyncio.sleep(0.3)
            assert fake.calls_to("response_url:http") == []

            started = time.monotonic()
            assert await post(slack.signed_headers(body, content)) == 200
            assert time.monotonic() - started < 3.0
            (answer,) = await fake.wait_for("response_url:http", within=10)
            assert "14 October 2019" in answer.body["text"]
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, stderr.decode()
    assert "xoxb-test-token" not in stderr.decode()
    assert slack.SECRET not in stderr.decode()
    assert "DEBUG" in stderr.decode()


async def test_reminders_reach_slack_and_their_buttons_work(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    from datetime import timedelta

    from bot.campaign.domain import User

    await run_command(
        adapter, fake, "volunteer", "branch:DWP-LEEDS consent:yes", user="U5", user_name="nia"
    )
    deliverer = await states.sending(slack_services, {"slack": adapter})
    report = await deliverer.sweep(slack_services.clock.now() + timedelta(seconds=30))
    assert report.sent == 2  # the welcome, and the organiser's digest due at 08:30
    (posted,) = [c for c in fake.calls_to("chat.postMessage") if c.body["channel"] == "U5"]
    assert posted.body["text"].startswith("Thanks for volunteering for DWP Leeds, nia.")
    buttons = next(b for b in posted.body["blocks"] if b["type"] == "actions")["elements"]
    assert [b["text"]["text"] for b in buttons] == ["Done", "Snooze 2 days", "Need help"]

    async def press(number: int, tag: str) -> str:
        await slack.interaction(
            adapter,
            {
                "type": "block_actions",
                "user": {"id": "U5", "username": "nia"},
                "team": {"id": "T1"},
                "channel": {"id": "D5"},
                "trigger_id": f"T-9-{tag}",  # each press has its own
                "response_url": fake.response_url(tag),
                "actions": [
                    {
                        "action_id": buttons[number]["action_id"],
                        "value": buttons[number]["value"],
                        "type": "button",
                    }
                ],
            },
        )
        (call,) = await fake.wait_for(f"response_url:{tag}")
        return str(call.body["text"])

    assert (await press(0, "done")).startswith("Great! Tell me when DWP Leeds meets")
    assert (await press(2, "help")).startswith("Thanks: the organisers will get in touch")
    assert await press(1, "snooze") == "Snoozed: no reminders until Sunday 22 September 2019."
    volunteer = await slack_services.store.people.volunteer(User("slack", "U5", "nia"))
    assert volunteer is not None and volunteer.snoozed_until is not None


async def test_a_replayed_nominate_acts_once(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    body = slack.command_body(
        "nominate", "branch:DWP-LEEDS outcome:nominated", response_url=fake.response_url("n")
    )
    headers = slack.signed_headers(body, "application/x-www-form-urlencoded")
    for _ in range(2):  # the same signed request, twice (a replay)
        response = await slack.dispatch(adapter, body, "application/x-www-form-urlencoded", headers)
        assert response.status == 200
    await fake.wait_for("response_url:n")
    await asyncio.sleep(0.5)  # time for a second handling, were there one
    assert len(fake.calls_to("response_url:n")) == 1
    nomination = await slack_services.store.nominations.current("DWP-LEEDS")
    assert nomination is not None and nomination.report_count == 1
    # A new request (its own trigger) is a new report.
    await run_command(adapter, fake, "nominate", "branch:DWP-LEEDS outcome:nominated")
    again = await slack_services.store.nominations.current("DWP-LEEDS")
    assert again is not None and again.report_count == 2


async def test_a_redelivered_event_is_answered_once(adapter: SlackAdapter, fake: FakeSlack) -> None:
    body = slack.event_body(
        {
            "type": "message",
            "channel_type": "im",
            "user": "U1",
            "channel": "D1",
            "ts": "1700.3",
            "text": "how many branches does mark need?",
        }
    )
    first = slack.signed_headers(body, "application/json")
    assert (await slack.dispatch(adapter, body, "application/json", first)).status == 200
    retry = {**slack.signed_headers(body, "application/json"), "x-slack-retry-num": ["1"]}
    retry["x-slack-retry-reason"] = ["http_timeout"]
    assert (await slack.dispatch(adapter, body, "application/json", retry)).status == 200
    await fake.wait_for("chat.postMessage")
    await asyncio.sleep(0.5)
    assert len(fake.calls_to("chat.postMessage")) == 1


async def test_an_organisers_answer_reaches_the_slack_asker(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    slack_services.outbox.attach(adapter)
    await run_command(adapter, fake, "ask", "wat abot pensons on the moon", user="U7")
    (queued,) = await slack_services.store.questions.unanswered()
    reply = await run_command(
        adapter,
        fake,
        "answer",
        f"id:{queued.id} text:Nobody works on the moon.",
        user=ORGANISER,
        user_name="olive",
    )
    assert "Sent to 1 person who asked." in reply["text"]
    (sent,) = [c for c in fake.calls_to("chat.postMessage") if c.body.get("channel") == "U7"]
    assert "Nobody works on the moon." in sent.body["text"]


async def press_in_slack(
    adapter: SlackAdapter, fake: FakeSlack, element: dict[str, Any], tag: str, **extra: Any
) -> dict[str, Any]:
    action = {"action_id": element["action_id"], "block_id": "b1", **extra}
    response = await slack.interaction(
        adapter,
        {
            "type": "block_actions",
            "user": {"id": "U1", "username": "alice"},
            "team": {"id": "T1"},
            "channel": {"id": "C1"},
            "trigger_id": f"T-{tag}",
            "response_url": fake.response_url(tag),
            "actions": [action],
        },
    )
    assert response.status == 200
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return call.body


async def test_an_ambiguous_branch_gives_buttons_and_a_press_completes_it(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    asked = await run_command(adapter, fake, "volunteer", "branch:leeds consent:yes")
    assert "Which branch did you mean?" in asked["text"]
    row = next(b for b in asked["blocks"] if b["type"] == "actions")["elements"]
    assert [e["type"] for e in row] == ["button"] * 3
    assert [e["text"]["text"] for e in row] == [
        "DWP Leeds",
        "HMRC Leeds",
        "Interserve Cleaners Leeds",
    ]
    done = await press_in_slack(adapter, fake, row[1], "picked", value=row[1]["value"])
    assert "signed up for HMRC Leeds" in done["text"]
    volunteer = await slack_services.store.people.volunteer(User("slack", "U1", "alice"))
    assert volunteer is not None and volunteer.branch_code == "HMRC-LEEDS"


async def test_more_than_five_choices_are_a_menu(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    reply = Reply(
        text="Pick one",
        buttons=tuple(
            Button(f"Branch {n}", "branch", {"branch": code})
            for n, code in enumerate(
                ["DWP-LEEDS", "DWP-SHEFF", "DWP-NEWC", "DWP-GLAS", "DWP-BELF", "DWP-CARD"]
            )
        ),
        prompt=True,
    )
    _, blocks = render(reply)
    (menu,) = next(b for b in blocks if b["type"] == "actions")["elements"]
    assert menu["type"] == "static_select" and len(menu["options"]) == 6
    chosen = menu["options"][5]
    shown = await press_in_slack(
        adapter, fake, menu, "menu", type="static_select", selected_option=chosen
    )
    assert "DWP Cardiff &amp; Vale" in shown["text"]


async def test_prefixed_commands_reach_their_handlers_and_help_names_them(
    slack_services: Services, slack_settings: Settings, fake: FakeSlack
) -> None:
    prefixed = slack_settings.model_copy(update={"command_prefix": "mob-"})
    adapter = SlackAdapter(Dispatcher(slack_services), prefixed)
    shown = await run_command(adapter, fake, "mob-progress", "")
    assert "of the 15 branches needed" in shown["text"]
    helped = await run_command(adapter, fake, "mob-help", "")
    assert "/mob-progress [share:&lt;true|false&gt;]" in helped["text"]
    assert "/mob-volunteer branch:" in helped["text"]
    assert " /progress" not in helped["text"] and "\n/progress" not in helped["text"]
    signed_up = await run_command(adapter, fake, "mob-volunteer", "branch:DWP-LEEDS consent:yes")
    assert "/mob-optout stops reminders; /mob-forgetme erases you" in signed_up["text"]
    unprefixed = await slack.command(adapter, "progress", "", trigger="T-unprefixed")
    assert unprefixed.status == 404  # another app's command, not ours


def slack_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**environment, **env},
    )


def test_the_manifest_for_http_mode_with_a_prefix() -> None:
    url = "https://bot.example.org/slack/events"
    result = slack_cli("slack-manifest", "--http", url, MOBILISE_COMMAND_PREFIX="mob-")
    assert result.returncode == 0, result.stderr
    parsed = yaml.safe_load(result.stdout)
    assert parsed == manifest(registry(), prefix="mob-", http=url)
    commands = parsed["features"]["slash_commands"]
    assert [c["command"] for c in commands] == [
        f"/mob-{c.name}" for c in registry().visible_to(organiser=True)
    ]
    assert {c["url"] for c in commands} == {url}
    settings = parsed["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["event_subscriptions"]["request_url"] == url
    assert settings["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)
    assert settings["interactivity"] == {
        "is_enabled": True,
        "request_url": url,
        "message_menu_options_url": url,
    }
    answer = next(c for c in commands if c["command"] == "/mob-answer")
    assert "/mob-questions" in answer["description"]
    host_only = slack_cli("slack-manifest", "--http", "https://bot.example.org")
    assert yaml.safe_load(host_only.stdout) == manifest(registry(), http=url)
    bad = slack_cli("slack-manifest", "--http", "bot.example.org")
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "--http" in bad.stderr


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [("Mob!", "lowercase letters, digits"), ("a-prefix-far-too-long-", "Slack allows 32")],
)
def test_a_bad_command_prefix_is_one_line_naming_it(prefix: str, problem: str) -> None:
    result = slack_cli("slack-manifest", MOBILISE_COMMAND_PREFIX=prefix)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "MOBILISE_COMMAND_PREFIX" in result.stderr and problem in result.stderr
