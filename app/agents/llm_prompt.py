"""What the agent's language model is told: the messages for a line, for reading a turn
(with its function tools) and for the call's summary. Plain data, no I/O."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from app.agents.actions import CallResult, LineSource

if TYPE_CHECKING:
    from app.agents.definition import FieldSpec
    from app.agents.flow import Conversation

Message = dict[str, Any]

SET_FIELD = "set_field"
GO_TO_STEP = "go_to_step"
USE_TOOL = "use_tool"

_RULES = (
    "You are {agent_name}, an automated assistant on a phone call for {company}. "
    "Everything you write is spoken aloud by a text-to-speech voice: one or two short "
    "sentences, plain words, no markdown, lists or emojis, numbers spelled out. State only "
    "facts given below (business info, passages, known details); when they do not answer, "
    "say you don't have that information. Never claim to be a person."
)


def _system(conversation: Conversation) -> Message:
    business = conversation.definition.business
    facts = {
        "company": business.company,
        "purpose of the call": business.purpose,
        "business info": business.info,
        "callback number": business.callback_number,
    }
    known = {k: v for k, v in conversation.variables().items() if v not in (None, "")}
    text = (
        _RULES.format(agent_name=business.agent_name or "the assistant", company=business.company)
        + "\n\n"
        + "\n".join(f"{name}: {value}" for name, value in facts.items() if value)
        + "\n\nKnown details (contact and captured fields):\n"
        + json.dumps(known, ensure_ascii=False, default=str)
    )
    return {"role": "system", "content": text}


def _transcript(conversation: Conversation, upto: int | None = None) -> list[Message]:
    turns = conversation.turns if upto is None else conversation.turns[:upto]
    return [
        {"role": "assistant" if t.speaker == "agent" else "user", "content": t.text}
        for t in turns
        if t.text
    ]


def line_messages(
    conversation: Conversation, source: LineSource, scripted: str, passages: list[str]
) -> list[Message]:
    """Write the line *source* marks; *scripted* is what the deterministic runtime says."""
    if source.kind == "answer":
        shown = "\n---\n".join(passages)
        ask = (
            f"The callee asked: {source.question}\nAnswer from these passages only, in at "
            f"most two sentences:\n{shown}\n\nA scripted answer would be: {scripted}"
        )
    else:
        step = conversation.definition.step(source.step)
        ask = (
            f"Now say the line of the step '{step.id}'. Instruction: {step.instruction}\n"
            f"The scripted line is: {scripted}\nKeep its meaning and its question."
        )
    return [
        _system(conversation),
        *_transcript(conversation, upto=source.turn),
        {"role": "user", "content": f"[{ask}]"},
    ]


def reading_tools(
    fields: list[FieldSpec], conditions: dict[str, str], tools_offered: dict[str, str]
) -> list[dict[str, Any]]:
    """set_field for the fields still to read, go_to_step for the LLM-conditioned steps,
    use_tool for the agent's tools the model may choose."""
    tools = []
    if fields:
        described = "; ".join(
            f"{f.name} ({f.type}{': ' + ', '.join(f.choices) if f.choices else ''})" for f in fields
        )
        tools.append(
            _function(
                SET_FIELD,
                f"Record a value the callee gave. Fields: {described}. Dates and times as "
                "said, yes_no as true or false.",
                {
                    "name": {"type": "string", "enum": [f.name for f in fields]},
                    "value": {"type": ["string", "number", "boolean"]},
                },
            )
        )
    if conditions:
        described = "; ".join(f"{step}: {when}" for step, when in conditions.items())
        tools.append(
            _function(
                GO_TO_STEP,
                f"Go to a step whose condition holds after the callee's answer. {described}",
                {"step_id": {"type": "string", "enum": list(conditions)}},
            )
        )
    if tools_offered:
        described = "; ".join(f"{name}: {what}" for name, what in tools_offered.items())
        tools.append(
            _function(
                USE_TOOL,
                f"Use one of the agent's tools when the callee's answer calls for it. {described}",
                {"name": {"type": "string", "enum": list(tools_offered)}},
            )
        )
    return tools


def tool_description(tool: Any) -> str:
    """What a tool does, for the model (definitions give tools names, not descriptions)."""
    if tool.type == "webhook":
        asks = ", ".join(tool.parameters.get("properties", {})) or "nothing"
        return f"a request to the business's service (sends {asks})"
    if tool.type == "send_dtmf":
        return f"presses the keys {tool.digits} (a phone menu)"
    return "answers the callee's question from the knowledge base"


def reading_messages(conversation: Conversation, text: str) -> list[Message]:
    return [
        _system(conversation),
        *_transcript(conversation),
        {"role": "user", "content": text},
        {
            "role": "user",
            "content": "[Call the tools for what the callee's last answer says; call none "
            "when it says nothing they ask about. Do not reply in words.]",
        },
    ]


def summary_messages(conversation: Conversation, result: CallResult) -> list[Message]:
    facts = {
        "outcome": result.outcome,
        "fields": result.fields,
        "do_not_call": result.dnc,
        "callback_at": result.callback_at,
    }
    return [
        {
            "role": "system",
            "content": "Summarise this phone call for the call team in one short paragraph "
            "of plain text: what the callee said and wanted, the outcome, the captured "
            "details. Only what the transcript and facts show.",
        },
        {
            "role": "user",
            "content": json.dumps(facts, ensure_ascii=False, default=str)
            + "\n\nTranscript:\n"
            + "\n".join(f"{t.speaker}: {t.text}" for t in result.turns),
        },
    ]


def _function(name: str, description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": properties,
                "required": list(properties),
            },
        },
    }
