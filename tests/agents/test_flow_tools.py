"""Tools: webhook (filler, response mapping, success/failure edges), DTMF, callback, end call."""

from .conftest import greeted, kinds, said, with_steps

WEBHOOK = {
    "type": "webhook",
    "name": "crm",
    "method": "POST",
    "url": "https://crm.example.com/leads",
    "headers": {"Authorization": "Bearer x"},
    "timeout_s": 3,
    "parameters": {
        "type": "object",
        "properties": {"first_name": {"type": "string"}, "ok": {"type": "boolean"}},
    },
    "response_fields": {"ticket": "result.ticket"},
    "filler": "One moment while I save that.",
    "on_success": "saved",
    "on_failure": "failed",
}
STEPS = [
    {
        "id": "ask",
        "say": "Shall I save it?",
        "collect": [{"name": "ok", "type": "yes_no"}],
        "tool": "crm",
        "next": [{"to": "saved"}],
    },
    {"id": "saved", "say": "Saved as ticket {{ticket}}. Goodbye.", "end": True},
    {
        "id": "failed",
        "say": "I couldn't save it, but the team will follow up. Goodbye.",
        "end": True,
    },
]


def test_a_webhook_says_its_filler_and_waits_for_the_result():
    c, _ = greeted(with_steps(STEPS, tools=[WEBHOOK]))
    actions = c.on_prompt("yes")
    assert kinds(actions) == ["say", "webhook"]
    assert actions[0].text == "One moment while I save that."  # no dead air
    call = actions[1]
    assert (call.method, call.url, call.timeout_s) == ("POST", "https://crm.example.com/leads", 3)
    assert call.headers == {"Authorization": "Bearer x"}
    assert call.body == {"first_name": "Ana", "ok": True}
    assert c.on_prompt("hello?") == []  # the callee talking meanwhile moves nothing
    actions = c.on_tool_result("crm", ok=True, data={"result": {"ticket": 42}})
    assert said(actions) == ["Saved as ticket forty-two. Goodbye."]
    assert c.result().fields["ticket"] == 42
    assert c.result().tools_called == ["crm"]


def test_a_failed_webhook_takes_the_failure_edge():
    c, _ = greeted(with_steps(STEPS, tools=[WEBHOOK]))
    c.on_prompt("yes")
    actions = c.on_tool_result("crm", ok=False)
    assert said(actions) == ["I couldn't save it, but the team will follow up. Goodbye."]
    assert c.result().step_path == ["ask", "failed"]


def test_a_result_for_another_tool_is_ignored():
    c, _ = greeted(with_steps(STEPS, tools=[WEBHOOK]))
    c.on_prompt("yes")
    assert c.on_tool_result("other", ok=True) == []
    assert c.phase == "tool"


def test_a_webhook_without_edges_continues_with_the_steps_transitions():
    tool = {**WEBHOOK, "on_success": None, "on_failure": None}
    c, _ = greeted(with_steps(STEPS, tools=[tool]))
    c.on_prompt("yes")
    assert said(c.on_tool_result("crm", ok=True, data={})) == ["Saved as ticket. Goodbye."]


def test_send_dtmf_on_entering_a_step():
    steps = [
        {
            "id": "menu",
            "say": "",
            "tool": "press",
            "next": [{"when": {"after_speaking": True}, "to": "bye"}],
        },
        {"id": "bye", "say": "Goodbye.", "end": True},
    ]
    c, _ = greeted(
        with_steps(steps, tools=[{"type": "send_dtmf", "name": "press", "digits": "1w2"}])
    )
    result = c.result()
    assert result.step_path == ["menu", "bye"]
    assert result.tools_called == ["press"]


def test_send_dtmf_is_an_action_the_caller_performs():
    steps = [
        {"id": "menu", "tool": "press", "next": [{"to": "bye"}]},
        {"id": "bye", "say": "Goodbye.", "end": True},
    ]
    from .conftest import talk

    c, _ = talk(with_steps(steps, tools=[{"type": "send_dtmf", "name": "press", "digits": "1w2"}]))
    c.start()
    actions = c.on_prompt("Press 1 for sales")
    assert [a.digits for a in actions if a.kind == "send_dtmf"] == ["1w2"]


def test_schedule_callback_tool_uses_the_collected_datetime():
    steps = [
        {
            "id": "when",
            "say": "When should we call?",
            "collect": [{"name": "callback_at", "type": "datetime"}],
            "tool": "schedule_callback",
            "next": [{"to": "bye"}],
        },
        {"id": "bye", "say": "Talk then. Goodbye.", "end": True},
    ]
    c, _ = greeted(
        with_steps(steps, tools=[{"type": "schedule_callback"}]), timezone="Europe/London"
    )
    actions = c.on_prompt("Monday at 9:30 am")
    assert kinds(actions) == ["schedule_callback", "say", "end_call"]
    assert (actions[0].at, actions[0].timezone) == ("2026-12-07T09:30:00+00:00", "Europe/London")
    assert c.result().outcome == "callback"


def test_the_end_call_tool_comes_after_the_line():
    steps = [
        {"id": "ask", "say": "Anything else?", "next": [{"to": "bye"}]},
        {"id": "bye", "say": "Goodbye now.", "tool": "end_call"},
    ]
    c, _ = greeted(with_steps(steps, tools=[{"type": "end_call"}]))
    actions = c.on_prompt("no")
    assert kinds(actions) == ["say", "end_call"] and actions[0].text == "Goodbye now."


def test_the_leave_voicemail_tool():
    steps = [
        {
            "id": "ask",
            "say": "Is this a machine?",
            "collect": [{"name": "machine", "type": "yes_no"}],
            "next": [{"when": {"field": "machine", "is": True}, "to": "vm"}, {"to": "bye"}],
        },
        {"id": "vm", "tool": "leave_voicemail"},
        {"id": "bye", "say": "Goodbye.", "end": True},
    ]
    c, _ = greeted(with_steps(steps, tools=[{"type": "leave_voicemail"}]))
    actions = c.on_prompt("yes")
    assert kinds(actions) == ["say", "end_call"]
    assert "please call us back at one, five zero zero" in actions[0].text
    assert c.result().outcome == "voicemail_left"
