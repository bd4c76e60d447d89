"""Driving the real bolt app with signed requests, as Slack would send them."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack import SlackAdapter
from bot.runtime.settings import Settings
from tests.conftest import CAMPAIGN, sqlite_url
from tests.fakes.slack_api import FakeSlack

SECRET = "test-signing-secret"
ORGANISER = "UORG"


def settings(db_path: Path, fake: FakeSlack) -> Settings:
    """Slack switched on against the fake Web API, with one organiser (ORGANISER)."""
    return Settings(
        database_url=sqlite_url(db_path),
        campaign=CAMPAIGN,
        organisers=[f"slack:{ORGANISER}"],
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=SECRET,
        slack_api_url=f"{fake.base_url}api/",
        dashboard_url="https://dashboard.example.org",  # /dashboard gives a link
    )


def signed_headers(
    body: str, content_type: str, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, list[str]]:
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "content-type": [content_type],
        "x-slack-signature": [signature],
        "x-slack-request-timestamp": [stamp],
    }


def command_body(
    name: str,
    text: str,
    user: str = "U1",
    user_name: str = "alice",
    channel: str = "C1",
    response_url: str = "",
    trigger: str | None = None,
) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "team_domain": "campaign",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user_name,
            "command": f"/{name}",
            "text": text,
            "response_url": response_url,
            "trigger_id": trigger or f"T-{uuid.uuid4().hex[:12]}",  # Slack's are unique
            "api_app_id": "A1",
        }
    )


def interaction_body(payload: dict[str, Any]) -> str:
    return urlencode({"payload": json.dumps(payload)})


def event_body(event: dict[str, Any]) -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{time.monotonic_ns()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            "event": event,
        }
    )


async def dispatch(
    adapter: SlackAdapter, body: str, content_type: str, headers: dict[str, list[str]] | None = None
) -> BoltResponse:
    request = AsyncBoltRequest(body=body, headers=headers or signed_headers(body, content_type))
    return await adapter.app.async_dispatch(request)


async def command(adapter: SlackAdapter, name: str, text: str, **kwargs: Any) -> BoltResponse:
    body = command_body(name, text, **kwargs)
    return await dispatch(adapter, body, "application/x-www-form-urlencoded")


async def interaction(adapter: SlackAdapter, payload: dict[str, Any]) -> BoltResponse:
    return await dispatch(adapter, interaction_body(payload), "application/x-www-form-urlencoded")


async def event(adapter: SlackAdapter, payload: dict[str, Any]) -> BoltResponse:
    return await dispatch(adapter, event_body(payload), "application/json")
