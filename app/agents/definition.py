"""The agent definition: a JSON file users keep in git and share (documented in docs/agents.md).

`parse_definition` validates a file's data and raises DefinitionError whose lines are
path-shaped ("flow.steps[2].next[0].to: no step named 'thank'"). The runtime's limits live
here, once: reprompts, silence reminders and the hello wait.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from app.agents.references import reference_errors
from app.domain.names import check_name

# Runtime limits (the numbers): the flow engine and docs/agents.md read them from here.
REPROMPT_MAX = 2  # a step asks again at most twice, then takes its fallback
SILENCE_REMINDER_S = 8.0  # a reminder after this much silence
SILENCE_REMINDERS_MAX = 2  # silence after two reminders ends the call as "unresponsive"
HELLO_WAIT_S = 2.0  # "wait for hello" listens this long before the probe, and after it
DEFAULT_TIMEZONE = "UTC"

FieldType = Literal[
    "yes_no", "number", "choice", "date", "time", "datetime", "phone", "email", "text"
]
CONDITION_KINDS = (
    "always",
    "after_speaking",
    "field",
    "keywords",
    "regex",
    "dtmf",
    "expression",
    "llm",
)


class DefinitionError(ValueError):
    """An invalid definition; str() is one line per problem, each starting with its path."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Business(_Model):
    company: str = Field(min_length=1)
    agent_name: str = ""
    purpose: str = ""
    callback_number: str = ""
    info: str = ""  # facts the agent may state, beside the knowledge base
    timezone: str | None = None  # the contacts' time zone when a contact has none


class Opening(_Model):
    mode: Literal["wait_for_hello", "speak_first"] = "wait_for_hello"
    greeting: str = Field(min_length=1)
    probe: str = "Hello? Is this {{first_name}}?"


class Voicemail(_Model):
    action: Literal["leave_message", "hang_up"] = "leave_message"
    message: str = "Hi {{first_name}}, this is {{agent_name}} from {{company}}. Please call us back at {{callback_number}}."


class Speech(_Model):
    """How ConversationRelay speaks and listens; None leaves Twilio's own default (for
    tts_provider ElevenLabs, for transcription Deepgram, each with its default voice/model)."""

    language: str = "en-US"
    tts_provider: Literal["Google", "Amazon", "ElevenLabs"] | None = None
    voice: str | None = None
    transcription_provider: Literal["Google", "Deepgram"] | None = None


class KnowledgeItem(_Model):
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    document: str | None = None  # set when the item is a passage of an added document


class FieldSpec(_Model):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    type: FieldType = "text"
    choices: list[str] = Field(default_factory=list)
    required: bool = True
    ask: str | None = None  # how to ask for this field alone when the step's line missed it

    @model_validator(mode="after")
    def _choices_for_a_choice(self) -> FieldSpec:
        if self.type == "choice" and not self.choices:
            raise ValueError("a choice field needs choices")
        return self


class Condition(_Model):
    """Exactly one kind: always, after_speaking, field (+ is / filled), keywords, regex, dtmf,
    expression or llm (an LLM condition never fires without an LLM)."""

    always: Literal[True] | None = None
    after_speaking: Literal[True] | None = None
    field: str | None = None
    is_: Any = Field(default=None, alias="is")
    filled: bool | None = None
    keywords: list[str] | None = None
    regex: str | None = None
    dtmf: str | None = Field(default=None, pattern=r"^[0-9*#]$")
    expression: str | None = None
    llm: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Condition:
        kinds = [k for k in CONDITION_KINDS if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"give exactly one of {', '.join(CONDITION_KINDS)}")
        if self.field is None and (self.is_ is not None or self.filled is not None):
            raise ValueError("'is' and 'filled' go with 'field'")
        if self.field is not None and self.is_ is not None and self.filled is not None:
            raise ValueError("give 'is' or 'filled', not both")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in CONDITION_KINDS if getattr(self, k) is not None)


class Transition(_Model):
    when: Condition | None = None  # None: always
    to: str


class Step(_Model):
    id: str = Field(min_length=1)
    say: str = ""
    instruction: str = ""  # for the LLM path; the deterministic runtime says `say`
    collect: list[FieldSpec] = Field(default_factory=list)
    next: list[Transition] = Field(default_factory=list)
    end: bool = False
    tool: str | None = None  # a tool's name, used when the step is reached
    reprompt: str | None = None
    fallback: str | None = None  # where to go when the reprompts are used up
    disposition: str | None = None  # the disposition this step suggests


class GlobalStep(Step):
    """Fires from any step when `when` is true; afterwards the flow returns to that step."""

    when: Condition


class Flow(_Model):
    start: str
    steps: list[Step] = Field(min_length=1)
    global_: list[GlobalStep] = Field(default_factory=list, alias="global")


class _Tool(_Model):
    name: str = ""  # defaults to the type; steps refer to tools by name

    @model_validator(mode="after")
    def _default_name(self) -> _Tool:
        if not self.name:
            object.__setattr__(self, "name", self.type)  # type: ignore[attr-defined]
        return self


class EndCallTool(_Tool):
    type: Literal["end_call"]


class TransferTool(_Tool):
    type: Literal["transfer"]
    number: str = Field(min_length=1)
    mode: Literal["cold", "warm"] = "cold"
    summary: str = "{{first_name}} asked to speak to a person."
    fallback: str | None = None  # the step a failed transfer goes to


class SendDtmfTool(_Tool):
    type: Literal["send_dtmf"]
    digits: str = Field(pattern=r"^[0-9*#wW]+$")


class LeaveVoicemailTool(_Tool):
    type: Literal["leave_voicemail"]


class KbSearchTool(_Tool):
    type: Literal["kb_search"]


class ScheduleCallbackTool(_Tool):
    type: Literal["schedule_callback"]
    field: str = "callback_at"  # a datetime field holding the agreed time


class WebhookTool(_Tool):
    type: Literal["webhook"]
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "POST"
    url: str = Field(pattern=r"^https?://")
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=5.0, gt=0, le=30)
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})
    response_fields: dict[str, str] = Field(default_factory=dict)  # field -> "a.b" in the reply
    filler: str = "One moment while I check that."
    on_success: str | None = None
    on_failure: str | None = None


Tool = Annotated[
    EndCallTool
    | TransferTool
    | SendDtmfTool
    | LeaveVoicemailTool
    | KbSearchTool
    | ScheduleCallbackTool
    | WebhookTool,
    Field(discriminator="type"),
]


class Variable(_Model):
    """What the agent says for a {{variable}} a contact lacks or has empty."""

    fallback: str = ""


class Compliance(_Model):
    """Each switch is on unless the definition turns it off."""

    disclose_automation: bool = True  # the greeting names the business, says it is automated
    recording_notice: bool = True  # ... and that the call may be recorded
    honor_opt_out: bool = True
    answer_robot_truthfully: bool = True
    offer_human: bool = True
    callback_on_busy: bool = True


class AgentDefinition(_Model):
    name: str

    @field_validator("name")
    @classmethod
    def _a_usable_name(cls, name: str) -> str:
        return check_name(name, "agent")  # the rule every front end uses

    business: Business
    opening: Opening
    voicemail: Voicemail = Voicemail()
    speech: Speech = Speech()
    knowledge: list[KnowledgeItem] = Field(default_factory=list)
    flow: Flow
    tools: list[Tool] = Field(default_factory=list)
    compliance: Compliance = Compliance()
    # {{name}} -> its fallback: {"company": {"fallback": "our office"}}
    variables: dict[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]+$")], Variable] = Field(
        default_factory=dict
    )

    def fallbacks(self) -> dict[str, str]:
        return {name: v.fallback for name, v in self.variables.items() if v.fallback}

    def all_steps(self) -> Iterator[Step]:
        yield from self.flow.steps
        yield from self.flow.global_

    def step(self, step_id: str) -> Step:
        return next(s for s in self.all_steps() if s.id == step_id)

    def tool(self, name: str) -> Any:
        return next((t for t in self.tools if t.name == name), None)

    def tool_of_type(self, kind: str) -> Any:
        return next((t for t in self.tools if t.type == kind), None)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_defaults=True)


TOOL_TYPES = frozenset(
    (
        "end_call",
        "transfer",
        "send_dtmf",
        "leave_voicemail",
        "kb_search",
        "schedule_callback",
        "webhook",
    )
)


def _path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for index, part in enumerate(loc):
        if isinstance(part, int):
            text += f"[{part}]"
        elif part in TOOL_TYPES and index and isinstance(loc[index - 1], int):
            continue  # pydantic names the union member it tried; the user never wrote it
        else:
            text += f".{part}" if text else str(part)
    return text or "(definition)"


def _message(error: Mapping[str, Any]) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required"
    return f"{_path(tuple(error['loc']))}: {message}"


def validation_problems(exc: ValidationError) -> list[str]:
    """pydantic's errors as path-shaped lines."""
    return [_message(e) for e in exc.errors()]


def parse_definition(data: str | bytes | Mapping[str, Any]) -> AgentDefinition:
    """Validate a definition (JSON text or parsed data); raises DefinitionError."""
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise DefinitionError([f"(definition): not JSON: {exc}"]) from None
    if not isinstance(data, Mapping):
        raise DefinitionError(["(definition): must be a JSON object"])
    try:
        definition = AgentDefinition.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(validation_problems(exc)) from None
    problems = reference_errors(definition)
    if problems:
        raise DefinitionError(problems)
    return definition
