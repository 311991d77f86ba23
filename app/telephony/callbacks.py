"""Status callbacks: accept only genuinely signed ones, and apply them in SequenceNumber order."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from twilio.request_validator import RequestValidator

from app.domain.status import TWILIO_FINAL_STATUSES


def is_valid_signature(
    auth_token: str, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """True when *signature* (the X-Twilio-Signature header) matches *url* and *params*.

    *url* must be the full URL Twilio requested, as configured (behind a proxy, the public one).
    *params* is the form as received: a multi-dict (with `getall`) keeps every value of a
    repeated name, which Twilio signs; a plain dict would keep only one and fail.
    """
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


@dataclass
class _CallQueue:
    next_seq: int = 0
    pending: dict[int, dict[str, str]] = field(default_factory=dict)
    finished: bool = False


class StatusCallbackOrderer:
    """Releases each call's callbacks in SequenceNumber order, whatever order they arrive in.

    Duplicates and stale events are dropped. A final status (completed, busy, ...) releases
    everything buffered before it even across a gap, since a lost callback will never come.
    The last *kept* calls are remembered (a finished one too, so a replay of its final
    callback is still recognised).
    """

    def __init__(self, kept: int = 20_000) -> None:
        self._calls: OrderedDict[str, _CallQueue] = OrderedDict()
        self._kept = kept

    def push(self, params: Mapping[str, str]) -> list[dict[str, str]]:
        """Add one callback; return the callbacks (possibly none) now ready, in order."""
        event = dict(params)
        sid = event.get("CallSid", "")
        try:
            seq = int(event.get("SequenceNumber", ""))
        except ValueError:
            return [event]  # no sequence number: nothing to order by
        queue = self._calls.get(sid)
        if queue is None:
            queue = self._calls[sid] = _CallQueue()
            if len(self._calls) > self._kept:
                self._calls.popitem(last=False)
        if queue.finished or seq < queue.next_seq or seq in queue.pending:
            return []
        queue.pending[seq] = event
        ready = self._drain(queue)
        if event.get("CallStatus") in TWILIO_FINAL_STATUSES and not queue.finished:
            ready += self._release_through(queue, seq)
        return ready

    def _drain(self, queue: _CallQueue) -> list[dict[str, str]]:
        ready = []
        while queue.next_seq in queue.pending:
            event = queue.pending.pop(queue.next_seq)
            queue.next_seq += 1
            ready.append(event)
            if event.get("CallStatus") in TWILIO_FINAL_STATUSES:
                queue.finished = True
                queue.pending.clear()
                break
        return ready

    def _release_through(self, queue: _CallQueue, seq: int) -> list[dict[str, str]]:
        ready = [queue.pending.pop(s) for s in sorted(queue.pending) if s <= seq]
        queue.next_seq = seq + 1
        queue.finished = True
        queue.pending.clear()
        return ready

    def flush(self, call_sid: str) -> list[dict[str, str]]:
        """Give up waiting for gaps in *call_sid*'s sequence: release what is buffered, in order."""
        queue = self._calls.get(call_sid)
        if queue is None or not queue.pending:
            return []
        last = max(queue.pending)
        ready = [queue.pending.pop(s) for s in sorted(queue.pending)]
        queue.next_seq = last + 1
        return ready

    def forget(self, call_sid: str) -> None:
        self._calls.pop(call_sid, None)
