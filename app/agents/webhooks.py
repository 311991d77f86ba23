"""Run a webhook tool's request (what the relay server and `agent chat` do with CallWebhook)."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from typing import Any

from app.agents.actions import CallWebhook

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
