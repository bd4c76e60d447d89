"""What bot/adapters/discord_patches.py relies on inside discord.py, checked by name and
shape: a discord.py release that renames or reshapes any of it fails here, not silently
in production."""

from __future__ import annotations

import contextvars
import inspect
from typing import Any

import discord
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.adapters.discord_patches import RebasedWebhooks, rebase_route, with_parameters


def names(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_the_http_client_methods_patched_keep_their_names_and_shapes() -> None:
    assert names(HTTPClient.request)[:2] == ["self", "route"]
    assert inspect.iscoroutinefunction(HTTPClient.request)
    assert names(HTTPClient.ws_connect)[:2] == ["self", "url"]
    assert inspect.iscoroutinefunction(HTTPClient.ws_connect)
    assert names(HTTPClient._try_clear_expired_ratelimits) == ["self"]
    assert not inspect.iscoroutinefunction(HTTPClient._try_clear_expired_ratelimits)
    assert inspect.iscoroutinefunction(HTTPClient.get_bot_gateway)


def test_webhook_responses_go_through_a_context_variable_adapter() -> None:
    assert isinstance(async_context, contextvars.ContextVar)
    assert isinstance(async_context.get(), AsyncWebhookAdapter)
    assert names(AsyncWebhookAdapter.request)[:3] == ["self", "route", "session"]
    assert issubclass(RebasedWebhooks, AsyncWebhookAdapter)


def test_routes_and_the_gateway_have_the_default_addresses_rebased() -> None:
    route = Route("GET", "/gateway/bot")
    assert route.url == Route.BASE + "/gateway/bot"
    rebase_route(route, "http://127.0.0.1:9/api")
    assert route.url == "http://127.0.0.1:9/api/gateway/bot"
    assert str(DiscordWebSocket.DEFAULT_GATEWAY).startswith("wss://")


def test_a_command_takes_its_options_from_the_set_signature() -> None:
    async def run(interaction: discord.Interaction, **values: Any) -> None:
        del interaction, values

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        ),
        inspect.Parameter("branch", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
        inspect.Parameter(
            "date", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str | None, default=None
        ),
    ]
    command: app_commands.Command[Any, ..., Any] = app_commands.Command(
        name="nominate", description="Report a nomination", callback=with_parameters(run, parameters)
    )
    assert [(p.name, p.required) for p in command.parameters] == [("branch", True), ("date", False)]


def test_setup_hook_is_a_client_method_to_override() -> None:
    assert inspect.iscoroutinefunction(discord.Client.setup_hook)
    assert names(discord.Client.setup_hook) == ["self"]
