"""Real discord.py interactions, built from gateway payloads and dispatched as the gateway
would, with REST calls going to a local fake Discord API."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

from bot.adapters.discord import DiscordAdapter
from bot.runtime.settings import Settings
from tests.conftest import CAMPAIGN, sqlite_url
from tests.fakes.discord_api import APP_ID, FakeDiscord, message_payload

GUILD_ID = "800000000000000001"
CHANNEL_ID = "800000000000000002"
ORGANISER_ROLE_ID = "800000000000000003"
_ids = itertools.count(700000000000000000)


def settings(db_path: Path, fake: FakeDiscord) -> Settings:
    """Discord switched on against the fake API, in one guild with an organiser role."""
    return Settings(
        database_url=sqlite_url(db_path),
        campaign=CAMPAIGN,
        discord_api_url=fake.base_url,
        discord_token="test-token",
        discord_organiser_role="Organiser",
        discord_guild_ids=[int(GUILD_ID)],
        dashboard_url="https://dashboard.example.org",  # /dashboard gives a link
    )


def member(user_id: str, name: str, roles: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "user": {
            "id": user_id,
            "username": name,
            "discriminator": "0",
            "global_name": name,
            "avatar": None,
            "bot": False,
        },
        "roles": list(roles),
        "joined_at": "2019-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": "0",
        "nick": None,
    }


def add_guild(adapter: DiscordAdapter, organiser_role: str = "Organiser") -> None:
    """What the gateway's GUILD_CREATE would have cached: the guild and its roles."""
    state = adapter.client._connection
    state._add_guild_from_data(guild(organiser_role))  # type: ignore[arg-type]


def guild(organiser_role: str = "Organiser") -> dict[str, Any]:
    """The campaign's guild, with an organisers' role, as GUILD_CREATE sends it."""
    return {
        "id": GUILD_ID,
        "name": "Campaign",
        "icon": None,
        "owner_id": "1",
        "afk_channel_id": None,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": "en-GB",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "emojis": [],
        "stickers": [],
        "roles": [
            {
                "id": GUILD_ID,
                "name": "@everyone",
                "color": 0,
                "hoist": False,
                "position": 0,
                "permissions": "0",
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
            {
                "id": ORGANISER_ROLE_ID,
                "name": organiser_role,
                "color": 0,
                "hoist": False,
                "position": 1,
                "permissions": "0",
                "managed": False,
                "mentionable": False,
                "flags": 0,
            },
        ],
        "channels": [],
        "members": [],
        "member_count": 1,
        "unavailable": False,
    }


def _base(kind: int, user: dict[str, Any], guild: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(next(_ids)),
        "application_id": APP_ID,
        "type": kind,
        "token": f"token-{next(_ids)}",
        "version": 1,
        "channel_id": CHANNEL_ID,
        "locale": "en-GB",
        "app_permissions": "0",
        "entitlements": [],
        "authorizing_integration_owners": {"0": GUILD_ID},
        "context": 0 if guild else 1,
        "attachment_size_limit": 8 * 1024 * 1024,
    }
    if guild:
        payload["guild_id"] = GUILD_ID
        payload["guild_locale"] = "en-GB"
        payload["member"] = user
        # The partial channel Discord sends with an interaction (discord.py reads the
        # channel's id from it).
        payload["channel"] = {
            "id": CHANNEL_ID,
            "type": 0,
            "guild_id": GUILD_ID,
            "name": "campaign",
            "position": 0,
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "permissions": "0",
            "flags": 0,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }
    else:
        payload["user"] = user["user"]
        payload["channel"] = {
            "id": CHANNEL_ID,
            "type": 1,
            "recipients": [user["user"]],
            "last_message_id": None,
            "flags": 0,
        }
    return payload


def command(
    name: str,
    options: dict[str, Any],
    user: dict[str, Any],
    guild: bool = True,
    focused: str | None = None,
) -> dict[str, Any]:
    kinds = {bool: 5, int: 4, str: 3}
    payload = _base(4 if focused else 2, user, guild)
    payload["data"] = {
        "id": "600000000000000001",
        "name": name,
        "type": 1,
        "options": [
            {
                "name": key,
                "type": kinds[type(value)],
                "value": value,
                **({"focused": True} if key == focused else {}),
            }
            for key, value in options.items()
        ],
    }
    return payload


def button(custom_id: str, user: dict[str, Any]) -> dict[str, Any]:
    payload = _base(3, user, guild=True)
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    payload["message"] = message_payload(str(next(_ids)), CHANNEL_ID, {"flags": 64})
    return payload


def modal_submit(custom_id: str, values: dict[str, str], user: dict[str, Any]) -> dict[str, Any]:
    payload = _base(5, user, guild=True)
    payload["data"] = {
        "custom_id": custom_id,
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
            for key, value in values.items()
        ],
    }
    return payload


def dispatch(adapter: DiscordAdapter, payload: dict[str, Any]) -> None:
    """As the gateway's INTERACTION_CREATE: parsed by discord.py's own state."""
    state = adapter.client._connection
    # In the adapter's context, as its gateway task would be.
    adapter.context.run(state.parse_interaction_create, payload)  # type: ignore[arg-type]


def message(
    text: str, user: dict[str, Any], guild: bool, mentions: list[dict[str, Any]]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": str(next(_ids)),
        "channel_id": CHANNEL_ID,
        "type": 0,
        "author": user["user"],
        "content": text,
        "timestamp": "2019-09-20T09:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": mentions,
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "flags": 0,
        "components": [],
    }
    if guild:
        data["guild_id"] = GUILD_ID
        data["member"] = {k: v for k, v in user.items() if k != "user"}
    return data
