"""A full disk: a recording is never half-saved or lost; the call waits (state pending) and is
fetched once there is room, and the status line says why meanwhile."""

from __future__ import annotations

import errno
import os

import pytest

from app.dialer.events import DialerStatus
from app.domain.clock import FakeClock
from app.store.models import Call
from app.telephony.private_files import write_private
from tests.dialer.fakes import FakeProvider
from tests.dialer.helpers import make_campaign
from tests.dialer.test_service_errors import calls, run_service


class FullDiskProvider(FakeProvider):
    """Refuses to save the first *full_for* downloads, as a full disk would."""

    def __init__(self, clock, store, full_for: int) -> None:
        super().__init__(clock)
        self.store = store
        self.full_for = full_for
        self.states_while_full: list[str | None] = []

    async def download_recording(self, recording, dest_dir):
        if self.full_for > 0:
            self.full_for -= 1
            with self.store.session() as session:
                self.states_while_full += [c.recording_state for c in session.query(Call)]
            raise OSError(errno.ENOSPC, "No space left on device")
        return await super().download_recording(recording, dest_dir)


def test_a_full_disk_keeps_the_recording_pending_then_saves_it_when_room_returns(store, tmp_path):
    make_campaign(store, "Full disk", ["+12125550100"], max_attempts=1)
    clock = FakeClock()
    provider = FullDiskProvider(clock, store, full_for=3)
    events: list = []

    run_service(store, provider, clock, tmp_path, events=events)

    (call,) = calls(store)
    assert call.status == "completed"
    assert call.recording_state == "downloaded" and call.transcript_state == "done"
    assert provider.states_while_full == ["pending", "pending", "pending"]
    assert [p.name for p in (tmp_path / "rec").iterdir()] == [os.path.basename(call.recording_path)]
    said = [e.message for e in events if isinstance(e, DialerStatus)]
    assert any("is full: recordings wait until there is room" in m for m in said)
    assert "is full" not in said[-1]  # and it stops saying so once the recording is saved


def test_a_write_that_runs_out_of_space_leaves_no_partial_file(tmp_path, monkeypatch):
    folder = tmp_path / "recordings"
    folder.mkdir()

    def no_room(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", no_room)
    with pytest.raises(OSError) as raised:
        write_private(folder, "RE" + "0" * 32 + ".wav", b"RIFF" * 1000)
    assert raised.value.errno == errno.ENOSPC
    assert list(folder.iterdir()) == []
