"""The Tools tab: a form per kind writing into the draft; a webhook's Test over real HTTP."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.ui.agents.page import AgentsPage
from app.ui.context import AppContext


@pytest.fixture
def page(qtbot, store, home) -> AgentsPage:
    page = AgentsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    page.new_from_template("payment-reminder.json")
    page.editor.setCurrentIndex(2)
    return page


@pytest.fixture
def booking_server():
    """A booking system on 127.0.0.1 that answers with a slot and remembers the request."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append(body)
            reply = json.dumps({"slot": {"time": "Friday 3 pm"}, "ok": True}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/book", seen
    server.shutdown()
    server.server_close()


def test_the_transfer_form_shows_and_edits_the_templates_tool(page):
    tools = page.tools
    assert tools.tools.count() == 1 and tools.form_box.title() == "Transfer to a person"
    number = tools.editors["number"]
    assert number.text() == "+15005550006" and number.isVisibleTo(tools)
    assert not tools.editors["url"].isVisibleTo(tools)
    number.setText("+14155550100")
    number.textEdited.emit("+14155550100")
    assert page.controller.data["tools"][0]["number"] == "+14155550100"
    tools.editors["fallback"].textActivated.emit("thanks")
    assert page.controller.data["tools"][0]["fallback"] == "thanks"


def test_each_kind_of_tool_can_be_added_and_deleted(page):
    tools = page.tools
    for kind in ("send_dtmf", "schedule_callback", "end_call", "kb_search", "leave_voicemail"):
        tools.add_tool(kind)
        assert page.controller.data["tools"][-1]["type"] == kind
    assert page.controller.definition.tools[-1].type == "leave_voicemail"
    # schedule_callback wants a field some step collects: a problem until one does
    assert any("callback_at" in p.message for p in page.controller.problems)
    tools.tools.setCurrentRow(2)
    tools.delete.click()
    assert all(t["type"] != "schedule_callback" for t in page.controller.data["tools"])
    assert page.controller.problems == []


def test_a_webhooks_test_sends_a_sample_and_shows_what_it_captures(qtbot, page, booking_server):
    url, seen = booking_server
    tools = page.tools
    tools.add_tool("webhook")
    tools.editors["url"].setText(url)
    tools.editors["url"].textEdited.emit(url)
    tools.parameters.setText("first_name, amount_due")
    tools.parameters.textEdited.emit("first_name, amount_due")
    tools.mapping.setPlainText("slot_time = slot.time")
    assert page.controller.data["tools"][1]["response_fields"] == {"slot_time": "slot.time"}
    tools.test.click()
    qtbot.waitUntil(lambda: "Captured fields" in tools.test_result.toPlainText(), timeout=5000)
    assert seen == [{"first_name": "Alex", "amount_due": "your balance"}]
    assert "slot_time = 'Friday 3 pm'" in tools.test_result.toPlainText()
    assert tools.test.isEnabled()
