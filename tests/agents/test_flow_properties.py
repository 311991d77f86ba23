"""Whatever the callee does, the runtime keeps its promises: no crash, the farewell before
the end, nothing after it, DNC only on an opt-out, and no I/O in the runtime itself."""

import json
import subprocess
import sys

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.agents.definition import parse_definition
from app.agents.flow import Conversation
from app.agents.grounding import knowledge_for
from tests.conftest import REPO

from .conftest import FakeClock
from .test_compliance import NOT_OPT_OUTS, OPT_OUTS

DEFINITIONS = [
    parse_definition((REPO / "resources" / "agents" / name).read_text())
    for name in ("appointment-reminder.json", "lead-qualification.json")
]
KNOWLEDGE = [knowledge_for(d) for d in DEFINITIONS]
PHRASES = NOT_OPT_OUTS + [
    "Hello?",
    "yes",
    "no",
    "uh-huh",
    "What are your hours?",
    "Are you a robot?",
    "tomorrow at 3 pm",
    "about 200 dollars",
    "metal",
    "jane at example dot com",
    "Can I talk to a person?",
    "I'm busy",
    "cancel it",
    "Do you do grooming?",
    "",
]
EVENTS = st.one_of(
    st.tuples(st.just("prompt"), st.sampled_from(PHRASES) | st.text(max_size=40)),
    st.tuples(st.just("dtmf"), st.sampled_from(list("0123456789*#"))),
    st.tuples(st.just("silence"), st.floats(min_value=0, max_value=30)),
    st.tuples(st.just("voicemail"), st.none()),
    st.tuples(st.just("interrupt"), st.text(max_size=20)),
    st.tuples(st.just("tool"), st.booleans()),
)


def play(c: Conversation, kind: str, value):
    if kind == "prompt":
        return c.on_prompt(value)
    if kind == "dtmf":
        return c.on_dtmf(value)
    if kind == "silence":
        return c.on_silence(value)
    if kind == "voicemail":
        return c.on_voicemail()
    if kind == "interrupt":
        return c.on_interrupt(value)
    return c.on_tool_result(c.pending_tool or "none", value, {})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([0, 1]), st.lists(EVENTS, max_size=25), st.booleans())
# A transfer that fails: the agent takes the call back (found by this test on CI's seed).
@example(0, [("prompt", "Can I talk to a person?"), ("tool", False)], False)
@example(1, [("prompt", "Can I talk to a person?"), ("tool", False)], False)
@example(1, [("prompt", "Can I talk to a person?"), ("tool", True), ("tool", False)], True)
def test_any_sequence_of_events(which, events, opt_out_last):
    clock = FakeClock()
    c = Conversation(DEFINITIONS[which], {"first_name": "Ana"}, KNOWLEDGE[which], clock)
    ended = False
    opted_out = False
    batches = [c.start()]
    for kind, value in events + ([("prompt", OPT_OUTS[0])] if opt_out_last else []):
        clock.seconds += 1.0
        opted_out |= kind == "prompt" and value in OPT_OUTS and not ended
        awaited = c.pending_tool  # a transfer that fails hands the call back to the agent
        actions = play(c, kind, value)
        if ended and kind == "tool" and value is False and awaited is not None:
            ended = False
        elif ended:
            assert actions == []  # nothing is said or done after the end
        batches.append(actions)
        ended = ended or any(a.kind in ("end_call", "transfer") for a in actions)
    for actions in batches:
        kinds = [a.kind for a in actions]
        if "end_call" in kinds:
            assert kinds.index("end_call") == len(kinds) - 1
            if actions[-1].outcome not in ("voicemail",):
                assert "say" in kinds  # the farewell is said before the call ends
        for action in actions:
            if action.kind == "say":
                assert action.text and "{{" not in action.text and "*" not in action.text
    result = c.result()
    assert result.dnc == opted_out
    json.dumps(result.to_json())  # what the CLI prints is always JSON


def test_the_runtime_does_no_io_and_loads_no_database():
    probe = (
        "import sys, app.agents.flow; "
        "print(sorted(m for m in ('sqlalchemy', 'asyncio', 'aiohttp', 'urllib.request', "
        "'PySide6', 'openai') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=True,
    ).stdout
    assert out.strip() == "[]"
