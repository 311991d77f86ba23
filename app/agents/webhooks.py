"""Run a webhook tool's request (what the relay server and `agent chat` do with CallWebhook)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from app.agents.actions import CallWebhook
from app.agents.steps import dig

log = logging.getLogger(__name__)


def call_webhook(action: CallWebhook) -> tuple[bool, Any]:
    """(ok, parsed JSON reply). Any failure, a time-out or a non-2xx answer is (False, None):
    the flow then takes the tool's failure edge rather than leaving dead air."""
    data = None if action.method == "GET" else json.dumps(action.body).encode()
    headers = {"Content-Type": "application/json", **action.headers}
    request = urllib.request.Request(action.url, data=data, headers=headers, method=action.method)
    try:
        with urllib.request.urlopen(request, timeout=action.timeout_s) as response:  # noqa: S310
            body = response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        log.info("webhook %s failed: %s", action.tool, exc)
        return False, None
    try:
        return True, json.loads(body) if body else None
    except json.JSONDecodeError:
        return True, None


def sample_request(tool: Any, variables: dict[str, Any]) -> CallWebhook:
    """The request a call would send, its body filled from *variables* (a sample contact),
    "sample" for a parameter they lack: what the Agents page's "Test" button sends."""
    names = tool.parameters.get("properties", {}).keys()
    body = {name: variables.get(name, "sample") for name in names}
    return CallWebhook(tool.name, tool.method, tool.url, dict(tool.headers), tool.timeout_s, body)


def response_mapping(tool: Any, data: Any) -> dict[str, Any]:
    """What each of the tool's response_fields would capture from the reply *data*."""
    return {field: dig(data, path) for field, path in tool.response_fields.items()}
