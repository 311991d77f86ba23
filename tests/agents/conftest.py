"""Agent fixtures: the issue's example definition, a definition builder, a clock we move."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.agents.definition import AgentDefinition, parse_definition
from app.agents.flow import Conversation

HERE = Path(__file__).parent
ISSUE_EXAMPLE = json.loads((HERE / "issue_example.json").read_text())
# Tuesday 1 December 2026, 10:00 in New York.
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
CONTACT = {"first_name": "Ana", "appointment_time": "Wednesday at 3 pm"}


@dataclass
class FakeClock:
    start: datetime = NOW
    seconds: float = 0.0

    def elapsed(self) -> float:
        return self.seconds

    def now(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)


def definition(**changes: Any) -> AgentDefinition:
    """The issue's example with top-level keys replaced (e.g. tools=[...])."""
    data = copy.deepcopy(ISSUE_EXAMPLE)
    data.update(changes)
    return parse_definition(data)


def with_steps(
    steps: list[dict], start: str | None = None, global_: list | None = None, **changes: Any
) -> AgentDefinition:
    data = copy.deepcopy(ISSUE_EXAMPLE)
    data["flow"] = {"start": start or steps[0]["id"], "steps": steps, "global": global_ or []}
    data.update(changes)
    return parse_definition(data)


def talk(
    defn: AgentDefinition, *, knowledge=None, timezone="America/New_York", variables=None
) -> tuple[Conversation, FakeClock]:
    clock = FakeClock()
    conversation = Conversation(defn, variables or CONTACT, knowledge, clock, timezone)
    return conversation, clock


def greeted(defn: AgentDefinition, **kwargs: Any) -> tuple[Conversation, FakeClock]:
    """A conversation past the opening (the callee said hello)."""
    conversation, clock = talk(defn, **kwargs)
    conversation.start()
    conversation.on_prompt("Hello?")
    return conversation, clock


def said(actions) -> list[str]:
    return [a.text for a in actions if a.kind == "say"]


def kinds(actions) -> list[str]:
    return [a.kind for a in actions]


@pytest.fixture
def example() -> AgentDefinition:
    return definition()


@pytest.fixture
def fake_llm():
    """A local OpenAI-compatible server (tests/agents/fake_openai.py)."""
    from .fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.close()
