"""A fake Discord HTTP API on 127.0.0.1 and a free port, for discord.py's REST calls.

It answers the calls a bot makes (log-in, application info, command sync, interaction
callbacks, follow-ups, channel messages and DMs), records each one with its parsed JSON
(multipart `payload_json` included), and can answer the next calls of a route with 429
and Discord's rate-limit headers. It can honour or ignore message nonces. Messages posted
to a channel are kept, newest last, and served back by its history route (GET
/channels/{id}/messages, with limit and before), components included. A guild's
scheduled events are made, read (with their user count), edited and deleted as Discord
does, or all refused with 403 Missing Permissions (`refuse_events`).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

BOT_ID = "900000000000000001"
APP_ID = "900000000000000002"


@dataclass
class Call:
    route: str
    method: str
    path: str
    json: dict[str, Any] | list[Any]
    files: dict[str, bytes]
    at: float = field(default_factory=time.monotonic)


def message_payload(message_id: str, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A message the bot posted, as the API returns it; `body` is what was sent."""
    return {
        "id": message_id,
        "channel_id": channel_id,
        "type": 0,
        "author": user_payload(BOT_ID, "mobilise", bot=True),
        "content": body.get("content") or "",
        "timestamp": "2019-09-20T09:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "pinned": False,
        "flags": body.get("flags") or 0,
        "components": body.get("components") or [],
        "nonce": body.get("nonce"),
    }


def user_payload(user_id: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "flags": 0,
        "public_flags": 0,
    }


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Exactly `application/json`, as discord.py checks the header literally."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class FakeDiscord:
    def __init__(
        self,
        honour_nonce: bool = True,
        message_limit: float | None = None,
        latency: float = 0.0,
    ) -> None:
        self.message_limit = message_limit  # message creates per second, as a token bucket
        self.latency = latency  # seconds before a message create is answered
        self._tokens = message_limit or 0.0
        self._refilled = time.monotonic()
        self.http_429s = 0
        self.calls: list[Call] = []
        self.base_url = ""
        self.honour_nonce = honour_nonce
        self._limited: dict[str, list[float]] = {}
        self._ids = itertools.count(910000000000000000)
        self._changed = asyncio.Condition()
        self._nonces: dict[str, dict[str, Any]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel id: messages, oldest first
        self.forbidden_dm_users: set[str] = set()
        self.deleted_messages: set[str] = set()  # edits to these answer 404 Unknown Message
        self.gateway_url = ""
        self.bad_tokens: set[str] = set()  # answered with 401
        self._sockets: list[web.WebSocketResponse] = []
        self._sequence = 0
        self.scheduled_events: dict[str, dict[str, Any]] = {}  # event id: event, as served
        self.interested: dict[str, int] = {}  # event id: people marked as interested
        self.refuse_events = False  # answer the scheduled-event routes with 403 (50013)

    # --- control --------------------------------------------------------------------

    def rate_limit(self, route: str, times: int = 1, retry_after: float = 1.0) -> None:
        self._limited.setdefault(route, []).extend([retry_after] * times)

    def calls_to(self, route: str) -> list[Call]:
        return [c for c in self.calls if c.route == route]

    async def wait_for(self, route: str, count: int = 1, within: float = 15.0) -> list[Call]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.calls_to(route)) >= count), within
            )
        return self.calls_to(route)

    # --- helpers --------------------------------------------------------------------

    def _message(self, channel_id: str, body: dict[str, Any]) -> dict[str, Any]:
        return message_payload(str(next(self._ids)), channel_id, body)

    async def _record(self, route: str, request: web.Request) -> Call:
        body: dict[str, Any] | list[Any] = {}
        files: dict[str, bytes] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                data = await part.read()  # type: ignore[union-attr]
                name = part.name or ""  # type: ignore[union-attr]
                if name == "payload_json":
                    body = json.loads(data)
                else:
                    files[part.filename or name] = bytes(data)  # type: ignore[union-attr]
        elif request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw else {}
        call = Call(route, request.method, request.path, body, files)
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return call

    def _over_limit(self, route: str) -> float | None:
        """Seconds to wait if this message create is over the configured rate."""
        if self.message_limit is None or route != "POST /channels/{id}/messages":
            return None
        now = time.monotonic()
        self._tokens = min(
            self.message_limit, self._tokens + (now - self._refilled) * self.message_limit
        )
        self._refilled = now
        if self._tokens >= 1:
            self._tokens -= 1
            return None
        return (1 - self._tokens) / self.message_limit

    def _throttled(self, route: str) -> web.Response | None:
        waiting = self._limited.get(route)
        over = self._over_limit(route)
        if not waiting and over is None:
            return None
        self.http_429s += 1
        retry_after = waiting.pop(0) if waiting else round(max(over or 0.0, 0.001), 3)
        return _json(
            {"message": "You are being rate limited.", "retry_after": retry_after, "global": False},
            status=429,
            headers={
                "Retry-After": str(int(retry_after + 0.999)),
                "X-RateLimit-Limit": "5",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset-After": str(retry_after),
                "X-RateLimit-Bucket": f"bucket-{route}",
                "X-RateLimit-Scope": "user",
                "Via": "1.1 google",
            },
        )

    # --- routes ---------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        route = self._route(request.method, path)
        throttled = self._throttled(route)
        if throttled is not None:
            await self._record(f"{route}#429", request)
            return throttled
        call = await self._record(route, request)
        token = request.headers.get("Authorization", "").removeprefix("Bot ")
        if token in self.bad_tokens:
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        body = call.json if isinstance(call.json, dict) else {}
        parts = path.split("/")
        if route == "GET /users/@me":
            return _json(user_payload(BOT_ID, "mobilise", bot=True))
        if route == "GET /gateway/bot":
            limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
            return _json({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})
        if route == "GET /oauth2/applications/@me":
            return _json(
                {
                    "id": APP_ID,
                    "name": "mobilise",
                    "icon": None,
                    "description": "",
                    "rpc_origins": [],
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "owner": user_payload("900000000000000003", "owner"),
                    "summary": "",
                    "verify_key": "0" * 64,
                    "team": None,
                    "flags": 0,
                    "interactions_endpoint_url": None,
                }
            )
        if route.startswith("PUT /applications/"):
            commands = call.json if isinstance(call.json, list) else []
            return _json(
                [
                    {
                        **c,
                        "id": str(next(self._ids)),
                        "application_id": APP_ID,
                        "version": "1",
                        "default_member_permissions": c.get("default_member_permissions"),
                        "type": c.get("type", 1),
                    }
                    for c in commands
                ]
            )
        if route == "POST /interactions/{id}/{token}/callback":
            kind = int(body.get("type", 4))
            data = body.get("data") or {}
            reply = {
                "interaction": {
                    "id": parts[1],
                    "type": 2,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(int(data.get("flags") or 0) & 64),
                },
            }
            if kind in (4, 5, 7):
                message = self._message("0", data)
                reply["interaction"]["response_message_id"] = message["id"]
                reply["resource"] = {"type": kind, "message": message}
            return _json(reply)
        if route == "POST /webhooks/{app}/{token}":
            return _json(self._message("0", body))
        if route in (
            "PATCH /webhooks/{app}/{token}/messages/@original",
            "GET /webhooks/{app}/{token}/messages/@original",
        ):
            return _json(self._message("0", body))
        if route == "POST /users/@me/channels":
            recipient = str(body.get("recipient_id"))
            return _json(
                {
                    "id": f"7{recipient[1:]}",
                    "type": 1,
                    "recipients": [user_payload(recipient, "someone")],
                    "last_message_id": None,
                }
            )
        if route == "POST /channels/{id}/messages":
            channel = parts[1]
            if channel in self.forbidden_dm_users:
                return _json(
                    {"message": "Cannot send messages to this user", "code": 50007}, status=403
                )
            nonce = body.get("nonce")
            key = f"{channel}:{nonce}"
            if self.honour_nonce and nonce and body.get("enforce_nonce") and key in self._nonces:
                call.route = "POST /channels/{id}/messages#deduplicated"
                posted = self._nonces[key]
            else:  # posted once received, whether or not the answer gets back
                posted = self._message(channel, body)
                self._nonces[key] = posted
                self.history.setdefault(channel, []).append(posted)
            if self.latency:
                await asyncio.sleep(self.latency)  # received, not yet answered
            return _json(posted)
        if route == "GET /channels/{id}/messages":
            found = list(reversed(self.history.get(parts[1], [])))  # newest first
            before = request.query.get("before")
            if before:
                found = [m for m in found if int(m["id"]) < int(before)]
            return _json(found[: int(request.query.get("limit") or 50)])
        if route == "PATCH /channels/{id}/messages/{message}":
            if parts[3] in self.deleted_messages:
                return _json({"message": "Unknown Message", "code": 10008}, status=404)
            return _json(message_payload(parts[3], parts[1], body))
        if "/guilds/{id}/scheduled-events" in route:
            return self._scheduled_event(route, parts, body, request.query.get("with_user_count"))
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _scheduled_event(
        self, route: str, parts: list[str], body: dict[str, Any], counts: str | None
    ) -> web.Response:
        """POST /guilds/{id}/scheduled-events, and GET, PATCH or DELETE
        /guilds/{id}/scheduled-events/{event} (GET with with_user_count)."""
        if self.refuse_events:
            return _json({"message": "Missing Permissions", "code": 50013}, status=403)
        guild = parts[1]
        if route.startswith("POST"):
            event_id = str(next(self._ids))
            self.scheduled_events[event_id] = {
                "id": event_id,
                "guild_id": guild,
                "channel_id": None,
                "creator_id": BOT_ID,
                "creator": user_payload(BOT_ID, "mobilise", bot=True),
                "name": body.get("name"),
                "description": body.get("description"),
                "scheduled_start_time": body.get("scheduled_start_time"),
                "scheduled_end_time": body.get("scheduled_end_time"),
                "privacy_level": body.get("privacy_level"),
                "status": 1,
                "entity_type": body.get("entity_type"),
                "entity_id": None,
                "entity_metadata": body.get("entity_metadata"),
                "image": None,
            }
            return _json(self.scheduled_events[event_id])
        event = self.scheduled_events.get(parts[3])
        if event is None or event["guild_id"] != guild:
            return _json({"message": "Unknown Guild Scheduled Event", "code": 10070}, status=404)
        if route.startswith("DELETE"):
            del self.scheduled_events[parts[3]]
            return web.Response(status=204)
        if route.startswith("PATCH"):
            event.update(body)
        served = dict(event)
        if counts in ("1", "true"):
            served["user_count"] = self.interested.get(parts[3], 0)
        return _json(served)

    async def push(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event (GUILD_CREATE, INTERACTION_CREATE, MESSAGE_CREATE ...) to
        every connected bot, as Discord would."""
        for socket in list(self._sockets):
            self._sequence += 1
            await socket.send_json({"op": 0, "t": event, "s": self._sequence, "d": data})

    async def gateway(self, request: web.Request) -> web.WebSocketResponse:
        """Just enough of the gateway for a bot to connect: hello, identify, ready, and
        heartbeats acknowledged; then whatever `push` sends. Each identify is recorded as
        a call."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        self._sockets.append(socket)
        try:
            await self._serve_gateway(socket)
        finally:
            self._sockets.remove(socket)
        return socket

    async def _serve_gateway(self, socket: web.WebSocketResponse) -> None:
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                continue
            data = json.loads(frame.data)
            if data.get("op") == 2:
                self.calls.append(Call("GATEWAY IDENTIFY", "WS", "/gateway", {}, {}))
                async with self._changed:
                    self._changed.notify_all()
                self._sequence += 1
                ready = {
                    "v": 10,
                    "user": user_payload(BOT_ID, "mobilise", bot=True),
                    "guilds": [],
                    "session_id": "fake-session",
                    "resume_gateway_url": self.gateway_url,
                    "application": {"id": APP_ID, "flags": 0},
                }
                await socket.send_json({"op": 0, "t": "READY", "s": self._sequence, "d": ready})
            elif data.get("op") == 1:
                await socket.send_json({"op": 11, "d": None, "s": None, "t": None})

    @staticmethod
    def _route(method: str, path: str) -> str:
        parts = path.split("/")
        if parts[0] == "interactions" and len(parts) == 4:
            return f"{method} /interactions/{{id}}/{{token}}/callback"
        if parts[0] == "webhooks" and len(parts) == 3:
            return f"{method} /webhooks/{{app}}/{{token}}"
        if parts[0] == "webhooks" and len(parts) >= 5:
            return f"{method} /webhooks/{{app}}/{{token}}/messages/{parts[4]}"
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "messages":
            return f"{method} /channels/{{id}}/messages"
        if parts[0] == "channels" and len(parts) == 4 and parts[2] == "messages":
            return f"{method} /channels/{{id}}/messages/{{message}}"
        if parts[0] == "guilds" and len(parts) == 3 and parts[2] == "scheduled-events":
            return f"{method} /guilds/{{id}}/scheduled-events"
        if parts[0] == "guilds" and len(parts) == 4 and parts[2] == "scheduled-events":
            return f"{method} /guilds/{{id}}/scheduled-events/{{event}}"
        if parts[0] == "applications":
            return f"{method} /applications/{'/'.join(parts[1:])}"
        return f"{method} /{path}"


@asynccontextmanager
async def fake_discord(
    honour_nonce: bool = True, message_limit: float | None = None, latency: float = 0.0
) -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(honour_nonce, message_limit, latency)
    app = web.Application()
    app.router.add_get("/gateway", fake.gateway)
    app.router.add_route("*", "/api/v10/{path:.*}", fake.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}/api/v10"
    fake.gateway_url = f"ws://127.0.0.1:{port}/gateway"
    try:
        yield fake
    finally:
        await runner.cleanup()
