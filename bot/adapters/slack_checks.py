"""What bolt is never handed: signed Slack bodies that no listener could read (not
UTF-8, not a JSON object, nested too deep, a field of the wrong shape, a form's private
metadata that is not ours). `check_body` raises Malformed for them; the endpoint answers
400 with one log line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from bot.adapters.slack_blocks import FORM_PREFIX

MAX_DEPTH = 24  # Slack's payloads nest about ten deep


class Malformed(ValueError):
    """A request body that no listener could read; answered with 400."""


# Keys whose values bolt or the listeners read as objects, lists of objects, or text.
_OBJECTS = (
    "event",
    "message",
    "previous_message",
    "item",
    "assistant_thread",
    "function_data",
    "container",
    "view",
    "state",
    "selected_option",
)
_OBJECT_OR_TEXT = ("team", "user", "enterprise", "channel")
_LISTS_OF_OBJECTS = ("authorizations", "actions")
_TEXT = (
    "type",
    "subtype",
    "callback_id",
    "action_id",
    "block_id",
    "trigger_id",
    "response_url",
    "command",
    "user_id",
    "channel_id",
    "team_id",
    "event_id",
    "channel_type",
    "private_metadata",
)


def _depth(value: Any) -> int:
    """How deeply `value` nests, counted without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise Malformed(f"{what} is not a JSON object")
    if _depth(value) > MAX_DEPTH:
        raise Malformed(f"{what} nests too deeply")
    return value


def _check_shape(payload: Mapping[str, Any], where: str = "body") -> None:
    for key in _TEXT:
        if payload.get(key) is not None and not isinstance(payload[key], str):
            raise Malformed(f"{where}.{key} is not text")
    for key in _OBJECT_OR_TEXT:
        if payload.get(key) is not None and not isinstance(payload[key], dict | str):
            raise Malformed(f"{where}.{key} is neither an object nor text")
    for key in _LISTS_OF_OBJECTS:
        items = payload.get(key)
        if items is None:
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise Malformed(f"{where}.{key} is not a list of objects")
        for item in items:
            _check_shape(item, f"{where}.{key}[]")
    for key in (*_OBJECTS, *_OBJECT_OR_TEXT):
        value = payload.get(key)
        if key in _OBJECTS and value is not None and not isinstance(value, dict):
            raise Malformed(f"{where}.{key} is not an object")
        if isinstance(value, dict):
            _check_shape(value, f"{where}.{key}")
    view = payload.get("view")
    if isinstance(view, dict):
        _check_view(view, f"{where}.view")


def _check_view(view: Mapping[str, Any], where: str) -> None:
    values = (view.get("state") or {}).get("values")
    blocks_ok = isinstance(values, dict) and all(
        isinstance(block, dict) and all(isinstance(item, dict) for item in block.values())
        for block in values.values()
    )
    if values is not None and not blocks_ok:
        raise Malformed(f"{where}.state.values is not a map of blocks")
    callback = view.get("callback_id") or ""
    metadata = view.get("private_metadata") or ""
    if callback.startswith(FORM_PREFIX) and metadata:
        found = _json_object(metadata, f"{where}.private_metadata")
        if not isinstance(found.get("channel", ""), str):
            raise Malformed(f"{where}.private_metadata names no channel")


def check_body(body: bytes, content_type: str) -> None:
    """Raise `Malformed` if bolt or a listener could not read this body as Slack's."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None
    if not text:
        raise Malformed("body is empty")
    # The same choice bolt makes (slack_bolt.request.internals.parse_body).
    if content_type.split(";")[0].strip() == "application/json" or text.startswith("{"):
        _check_shape(_json_object(text, "body"))
        return
    try:
        fields = parse_qsl(text, keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise Malformed("form data is not UTF-8") from None
    if "payload" in text:
        payload = dict(fields).get("payload")
        if payload is not None:
            _check_shape(_json_object(payload, "payload"), "payload")
            return
    if not fields:
        raise Malformed("form data is empty")


# --- the ASGI application -------------------------------------------------------------


def names_no_action(body: Mapping[str, Any]) -> bool:
    """A button press or menu choice with no action in it (`actions` missing, null or
    empty): there is nothing to do, and bolt could not read it, so it is acknowledged
    and ignored."""
    if body.get("type") not in ("block_actions", "interactive_message"):
        return False
    actions = body.get("actions")
    return not isinstance(actions, list) or not actions
