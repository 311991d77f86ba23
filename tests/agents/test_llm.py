"""The LLM path against a local OpenAI-compatible server: streamed lines, function calls
for fields and conditions, and the deterministic line whenever the model is slow or fails."""

from __future__ import annotations

import asyncio
import logging

from app.agents.grounding import knowledge_for
from app.agents.llm import LlmConfig, LlmResponder, SpokenPieces
from app.agents.responder import Responder, Token

from .conftest import CONTACT, FakeClock, with_steps
from .fake_openai import Reply, calls
from .test_flow_knowledge import KNOWLEDGE

SECRET = "sk-test-0123456789abcdef"
BYE = {"id": "bye", "say": "Thank you, goodbye.", "end": True}
ASK_SPECIES = {
    "id": "ask",
    "say": "Is your pet a dog or a cat?",
    "collect": [{"name": "species", "type": "choice", "choices": ["dog", "cat"]}],
    "next": [{"to": "bye"}],
}
WRITTEN = {
    "id": "ask",
    "say": "Can you still make it on {{appointment_time}}?",
    "instruction": "Ask warmly whether the appointment still suits them.",
    "collect": [{"name": "confirmed", "type": "yes_no"}],
    "next": [{"to": "bye"}],
}
INTEREST = [
    {
        "id": "ask",
        "say": "Would you like to hear about our new plan?",
        "next": [
            {"when": {"llm": "the callee sounds interested"}, "to": "pitch"},
            {"to": "bye"},
        ],
    },
    {"id": "pitch", "say": "Great, here it is.", "end": True},
    BYE,
]


def config(server, timeout_s: float = 2.0) -> LlmConfig:
    return LlmConfig(server.base_url, "fake-model", api_key=SECRET, timeout_s=timeout_s)


def call(defn, events: list[str], llm: LlmConfig | None = None, knowledge=None):
    """Hello, then each callee line, through a Responder; the outputs of each and the result."""

    async def run():
        from app.agents.flow import Conversation

        conversation = Conversation(defn, CONTACT, knowledge, FakeClock(), "America/New_York")
        responder = LlmResponder(conversation, llm) if llm else Responder(conversation)
        outputs = [[o async for o in responder.start()]]
        for line in ["Hello?", *events]:
            outputs.append([o async for o in responder.prompt(line)])
        return outputs, await responder.finish()

    return asyncio.run(run())


def spoken(outputs) -> list[str]:
    """The lines the outputs say, each joined from its tokens."""
    lines, current = [], []
    for output in outputs:
        if isinstance(output, Token):
            current.append(output.text)
            if output.last:
                lines.append("".join(current).strip())
                current = []
    return lines


def test_a_written_line_streams_token_by_token_and_is_the_stored_turn(fake_llm):
    fake_llm.lines.append(Reply("Hi Ana! Does **Wednesday at 3:30 pm** still work for you?"))
    defn = with_steps([WRITTEN, BYE])
    outputs, result = call(defn, [], config(fake_llm))
    tokens = [o for o in outputs[1] if isinstance(o, Token)]
    greeting_ends = next(i for i, t in enumerate(tokens) if t.last)  # the greeting's last
    written = tokens[greeting_ends + 1 :]
    assert len(written) > 3  # piece by piece, as the model sent it
    assert [t.last for t in written] == [False] * (len(written) - 1) + [True]
    line = "Hi Ana! Does Wednesday at three thirty pm still work for you?"
    assert spoken(outputs[1])[-1] == line
    assert result.turns[-1].text == line and result.turns[-1].speaker == "agent"
    request = fake_llm.requests[0]
    assert request["stream"] is True
    prompt = " ".join(m["content"] for m in request["messages"])
    assert "Ask warmly" in prompt and "Evergreen Vets" in prompt and "Ana" in prompt


def test_set_field_fills_what_the_extractor_missed_and_the_flow_moves_on(fake_llm):
    fake_llm.readings.append(calls(("set_field", {"name": "species", "value": "Dog"})))
    _, result = call(with_steps([ASK_SPECIES, BYE]), ["the one that barks"], config(fake_llm))
    assert result.fields == {"species": "dog"}
    assert result.step_path == ["ask", "bye"] and result.outcome == "completed"
    reading = next(r for r in fake_llm.requests if r.get("tools"))
    names = [t["function"]["name"] for t in reading["tools"]]
    assert names == ["set_field"]
    _, without = call(with_steps([ASK_SPECIES, BYE]), ["the one that barks"])
    assert without.fields == {} and without.step_path == ["ask"]


def test_the_model_is_not_asked_what_the_extractor_read(fake_llm):
    _, result = call(with_steps([ASK_SPECIES, BYE]), ["a cat"], config(fake_llm))
    assert result.fields == {"species": "cat"}
    assert "reading" not in fake_llm.kinds()


def test_an_llm_condition_picks_its_transition(fake_llm):
    fake_llm.readings.append(calls(("go_to_step", {"step_id": "pitch"})))
    _, result = call(with_steps(INTEREST), ["ooh, tell me more"], config(fake_llm))
    assert result.step_path == ["ask", "pitch"]
    _, without = call(with_steps(INTEREST), ["ooh, tell me more"])
    assert without.step_path == ["ask", "bye"]


def test_an_unknown_step_field_or_value_from_the_model_is_ignored(fake_llm):
    fake_llm.readings.append(
        calls(
            ("go_to_step", {"step_id": "nowhere"}),
            ("set_field", {"name": "secret", "value": "x"}),
            ("delete_everything", {}),
        )
    )
    fake_llm.readings.append(calls(("set_field", {"name": "species", "value": "hamster"})))
    _, result = call(with_steps(INTEREST), ["ooh, tell me more"], config(fake_llm))
    assert result.step_path == ["ask", "bye"] and result.fields == {}
    _, species = call(with_steps([ASK_SPECIES, BYE]), ["the small furry one"], config(fake_llm))
    assert species.fields == {} and species.step_path == ["ask"]


def test_a_slow_model_gets_the_deterministic_line_and_the_same_call(fake_llm, caplog):
    defn = with_steps([WRITTEN, BYE])
    fake_llm.default_line = Reply("Too late.", delay_s=1.0)
    fake_llm.default_reading = Reply(delay_s=1.0)
    fake_llm.default_summary = Reply("Too late.", delay_s=1.0)
    with caplog.at_level(logging.WARNING, logger="app.agents.llm"):
        outputs, result = call(defn, ["yes"], config(fake_llm, timeout_s=0.2))
    expected_outputs, expected = call(defn, ["yes"])
    assert spoken(outputs[1]) == spoken(expected_outputs[1])
    assert (result.outcome, result.fields, result.step_path) == (
        expected.outcome,
        expected.fields,
        expected.step_path,
    )
    assert [t.text for t in result.turns] == [t.text for t in expected.turns]
    assert "no reply within 0.2 s" in caplog.text
    assert SECRET not in caplog.text


def test_an_http_error_gets_the_deterministic_line_and_summary(fake_llm, caplog):
    defn = with_steps([WRITTEN, BYE])
    fake_llm.default_line = fake_llm.default_summary = Reply(status=500)
    with caplog.at_level(logging.WARNING, logger="app.agents.llm"):
        outputs, result = call(defn, ["yes"], config(fake_llm))
    expected_outputs, expected = call(defn, ["yes"])
    assert [spoken(o) for o in outputs] == [spoken(o) for o in expected_outputs]
    assert result.summary == expected.summary
    assert "HTTP 500" in caplog.text and SECRET not in caplog.text


def test_an_opt_out_ends_the_call_without_asking_the_model(fake_llm):
    defn = with_steps([ASK_SPECIES, BYE])
    fake_llm.default_reading = calls(("set_field", {"name": "species", "value": "dog"}))
    outputs, result = call(defn, ["stop calling me"], config(fake_llm))
    assert result.outcome == "dnc" and result.dnc and result.fields == {}
    assert [o.kind for o in outputs[2] if not isinstance(o, Token)] == ["add_to_dnc", "end_call"]
    assert fake_llm.kinds() == ["summary"]  # after the call; nothing during it


def test_a_knowledge_answer_is_written_from_the_passages(fake_llm):
    defn = with_steps([WRITTEN | {"instruction": ""}, BYE], knowledge=KNOWLEDGE)
    fake_llm.lines.append(Reply("You can park for free behind the building, on Elm Street."))
    outputs, result = call(
        defn, ["Where can I park my car?"], config(fake_llm), knowledge_for(defn)
    )
    answer, question = spoken(outputs[2])
    assert answer == "You can park for free behind the building, on Elm Street."
    assert question == "Can you still make it on Wednesday at three pm?"  # no instruction
    request = next(r for r in fake_llm.requests if r.get("stream"))
    assert "Free parking is behind the building" in request["messages"][-1]["content"]
    assert "kb_search" in result.tools_called


def test_the_summary_is_the_models_paragraph(fake_llm):
    fake_llm.summaries.append(Reply("Ana confirmed\nher appointment."))
    _, result = call(with_steps([ASK_SPECIES, BYE]), ["a dog"], config(fake_llm))
    assert result.summary == "Ana confirmed her appointment."
    summary = fake_llm.requests[-1]
    assert "a dog" in summary["messages"][-1]["content"]


def test_spoken_pieces_hold_a_number_until_it_is_whole():
    pieces = SpokenPieces()
    said = [
        pieces.feed(d) for d in ["It costs $4", "0 a mo", "nth, call +1 500", " 555 0006 ", "now"]
    ]
    said.append(pieces.rest())
    assert " ".join(p for p in said if p) == (
        "It costs forty dollars a month, call one, five zero zero, five five five, zero zero "
        "zero six now"
    )
    assert said[0] == "It costs"  # the words before the number are not held back


def test_the_model_may_choose_one_of_the_agents_tools_but_not_an_ending(fake_llm):
    tools = [
        {
            "type": "webhook",
            "name": "lookup",
            "url": "http://127.0.0.1:9/x",
            "filler": "One moment.",
        },
        {"type": "transfer", "name": "desk", "number": "+15005550006"},
    ]
    defn = with_steps([ASK_SPECIES, BYE], tools=tools)
    fake_llm.readings.append(calls(("use_tool", {"name": "lookup"})))
    outputs, result = call(defn, ["hmm, can you look up my file first"], config(fake_llm))
    webhook = [o for o in outputs[2] if getattr(o, "kind", "") == "webhook"]
    assert [w.tool for w in webhook] == ["lookup"] and spoken(outputs[2]) == ["One moment."]
    assert result.tools_called == ["lookup"]
    offered = fake_llm.requests[0]["tools"][-1]["function"]["parameters"]["properties"]
    assert offered["name"]["enum"] == ["lookup"]  # the transfer is the flow's, not the model's
    fake_llm.readings.append(calls(("use_tool", {"name": "desk"})))
    _, ignored = call(defn, ["hmm, can you look up my file first"], config(fake_llm))
    assert ignored.tools_called == [] and ignored.outcome != "transferred"


def test_the_config_comes_from_the_settings_and_the_keyring(store):
    from app.agents.llm import llm_config
    from app.secrets import set_llm_api_key
    from app.settings import set_setting

    with store.session() as session:
        assert llm_config(session) is None  # no model: the deterministic agent
    with store.session.begin() as session:
        set_setting(session, "llm_base_url", "http://127.0.0.1:11434/v1")
        set_setting(session, "llm_model", "llama3.1")
    set_llm_api_key(SECRET)
    with store.session() as session:
        loaded = llm_config(session)
    assert loaded is not None
    assert (loaded.base_url, loaded.model, loaded.api_key) == (
        "http://127.0.0.1:11434/v1",
        "llama3.1",
        SECRET,
    )
    assert loaded.embedding_model is None and SECRET not in repr(loaded)


def test_a_line_cut_short_ends_with_what_was_said_and_an_interruption_keeps_what_was_heard(
    fake_llm, caplog
):
    fake_llm.lines.append(Reply("Hello there Ana, how are you today?", cut_after=3))

    async def run():
        from app.agents.flow import Conversation

        defn = with_steps([WRITTEN, BYE])
        conversation = Conversation(defn, CONTACT, None, FakeClock(), "America/New_York")
        responder = LlmResponder(conversation, config(fake_llm))
        outputs = [o async for o in responder.prompt("Hello?")]
        said_then = conversation.turns[-1].text
        responder.interrupted("Hello there")
        return outputs, said_then, conversation.turns[-1].text

    with caplog.at_level(logging.WARNING, logger="app.agents.llm"):
        outputs, said_then, heard = asyncio.run(run())
    assert spoken(outputs)[-1] == said_then == "Hello there Ana,"
    assert outputs[-1].last and heard == "Hello there"
    assert "finishing a line" in caplog.text
