"""A fake Slack Web API on 127.0.0.1 and a free port, for slack-sdk and slack-bolt.

It records every call (method, parsed body, headers), answers the methods the bot uses
with plausible payloads, accepts response_url posts and file uploads, and can be told
to answer the next calls of a method with 429 and a Retry-After header. Messages posted
are kept per conversation (a DM to U123 lands in D123), with their metadata, for
conversations.history; a latency delays each post's answer. Each file upload gets its
own file id: its bytes are kept by id, and completing it shares it to a conversation
(`shared_files`: conversation, filename and bytes, in the order they were shared).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FakeSlack:
    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.bad_tokens: set[str] = set()  # answered with invalid_auth
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.calls: list[Call] = []
        self.base_url = ""
        self._limited: dict[str, list[int]] = {}
        self._changed = asyncio.Condition()
        self.user_groups: dict[str, list[str]] = {}
        self._next_ts = 1000
        self.deleted_messages: set[str] = set()  # chat.update answers message_not_found
        self.socket_url = "ws://127.0.0.1:9/"  # apps.connections.open's websocket address
        self.uploads: dict[str, bytes] = {}  # file id: the bytes uploaded for it
        self.shared_files: list[tuple[str, str, bytes]] = []  # conversation, filename, bytes
        self._next_file = 0

    # --- control --------------------------------------------------------------------

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next `times` calls of `method` with 429 and Retry-After."""
        self._limited.setdefault(method, []).extend([retry_after] * times)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, method: str, count: int = 1, within: float = 5.0) -> list[Call]:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: len(self.calls_to(method)) >= count), within
            )
        return self.calls_to(method)

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base_url}response/{name}"

    # --- serving --------------------------------------------------------------------

    async def _record(self, method: str, request: web.Request) -> Call:
        raw = await request.read()
        content_type = request.headers.get("Content-Type", "")
        body: dict[str, Any]
        body = dict(request.query)
        if "json" in content_type:
            body.update(json.loads(raw or b"{}"))
        elif "form" in content_type:
            body.update(parse_qsl(raw.decode()))
            for key in ("blocks", "view", "attachments", "metadata"):
                if isinstance(body.get(key), str):
                    with contextlib.suppress(ValueError):
                        body[key] = json.loads(body[key])
        elif raw:
            body["raw"] = raw
        call = Call(method, body, dict(request.headers))
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return call

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        limited = self._limited.get(method)
        if limited:
            retry_after = limited.pop(0)
            await self._record(f"{method}#429", request)
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(retry_after)},
            )
        call = await self._record(method, request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.bad_tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        answer = self._answer(method, call)  # a message is posted once received
        if method == "chat.postMessage" and self.latency:
            await asyncio.sleep(self.latency)  # received, not yet answered
        return web.json_response(answer)

    def _answer(self, method: str, call: Call) -> dict[str, Any]:
        self._next_ts += 1
        ts = f"{self._next_ts}.000100"
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method == "auth.test":
            return {
                "ok": True,
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "team_id": "T1",
                "user": "mobilise",
                "team": "Campaign",
                "url": "https://example.slack.com/",
            }
        if method == "chat.postMessage":
            channel = _conversation(str(call.body.get("channel", "")))
            message = {"type": "message", "ts": ts, "text": call.body.get("text", "")}
            if isinstance(call.body.get("metadata"), dict):
                message["metadata"] = call.body["metadata"]
            self.history.setdefault(channel, []).append(message)
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.update":
            channel, ts = str(call.body.get("channel", "")), str(call.body.get("ts", ""))
            if ts in self.deleted_messages:
                return {"ok": False, "error": "message_not_found"}
            return {"ok": True, "channel": channel, "ts": ts, "text": call.body.get("text", "")}
        if method == "chat.postEphemeral":
            return {"ok": True, "channel": call.body.get("channel"), "ts": ts, "message_ts": ts}
        if method == "conversations.history":
            channel = str(call.body.get("channel", ""))
            limit = int(call.body.get("limit") or 100)
            metadata = str(call.body.get("include_all_metadata", "")).lower() in ("1", "true")
            found = list(reversed(self.history.get(channel, [])))[:limit]
            if not metadata:
                found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
            return {"ok": True, "messages": found, "has_more": False}
        if method == "conversations.open":
            users = str(call.body.get("users", "U0"))
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}
        if method == "views.open":
            return {"ok": True, "view": {"id": "V1", **(call.body.get("view") or {})}}
        if method == "usergroups.list":
            return {
                "ok": True,
                "usergroups": [
                    {"id": gid, "handle": gid.lower(), "name": gid} for gid in self.user_groups
                ],
            }
        if method == "usergroups.users.list":
            return {"ok": True, "users": self.user_groups.get(str(call.body.get("usergroup")), [])}
        if method == "files.getUploadURLExternal":
            self._next_file += 1
            file_id = f"F{self._next_file}"
            return {"ok": True, "upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            return self._complete(call)
        return {"ok": True}

    def _complete(self, call: Call) -> dict[str, Any]:
        files = call.body.get("files")
        listed = json.loads(files) if isinstance(files, str) else files or []
        channel = str(call.body.get("channel_id") or "")
        for entry in listed:
            file_id = str(entry.get("id"))
            if file_id not in self.uploads:
                return {"ok": False, "error": "file_not_found"}
            if channel:
                name = str(entry.get("title") or file_id)
                self.shared_files.append((channel, name, self.uploads[file_id]))
        return {"ok": True, "files": [{"id": str(e.get("id")), "title": "file"} for e in listed]}

    async def response(self, request: web.Request) -> web.Response:
        await self._record(f"response_url:{request.match_info['name']}", request)
        return web.Response(text="ok")

    async def upload(self, request: web.Request) -> web.Response:
        call = await self._record("upload", request)
        raw = call.body.get("raw")
        self.uploads[request.match_info["name"]] = raw if isinstance(raw, bytes) else b""
        return web.Response(text=f"OK - {len(self.uploads[request.match_info['name']])}")


def _conversation(channel: str) -> str:
    """Where a post to `channel` lands: a user id means their DM with the bot."""
    return "D" + channel[1:] if channel.startswith("U") else channel


@asynccontextmanager
async def fake_slack(latency: float = 0.0) -> AsyncIterator[FakeSlack]:
    fake = FakeSlack(latency)
    app = web.Application()
    app.router.add_post("/api/{method}", fake.api)
    app.router.add_get("/api/{method}", fake.api)
    app.router.add_post("/response/{name}", fake.response)
    app.router.add_post("/upload/{name}", fake.upload)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.base_url = f"http://127.0.0.1:{port}/"
    try:
        yield fake
    finally:
        await runner.cleanup()
