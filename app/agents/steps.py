"""The flow half of Conversation: entering steps, capturing fields, transitions (first true
wins), reprompts, global steps returning, and the tools. Mixed into flow.Conversation, whose
state (fields, step_id, phase...) it reads and writes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from app.agents import lines
from app.agents.actions import (
    AgentAction,
    ScheduleCallback,
    SendDtmf,
    Transfer,
    response_mapping,
    webhook_request,
)
from app.agents.definition import REPROMPT_MAX, Condition, Step
from app.agents.expressions import evaluate
from app.agents.extractors import extract
from app.agents.grounding import spoken_answer
from app.domain.template import render

if TYPE_CHECKING:
    from app.agents.flow import Conversation

_YES_NO_START = re.compile(r"^\W*(yes|yeah|yep|no|nope|sure)\b", re.I)


class StepRunner:
    def enter(self: Conversation, step_id: str) -> list[AgentAction]:
        """Say the step's line; a step with nothing to collect runs its tool, ends, or moves on
        at once when its transition is "after_speaking"."""
        step = self.definition.step(step_id)
        if not self._is_global(step):
            self.return_to = None  # back in the main flow, whichever way it came
        self.step_id, self.reprompts = step_id, 0
        self.step_path.append(step_id)
        self.phase = "step"
        actions: list[AgentAction] = [self._say(step.say, kind="step")] if step.say else []
        if not step.collect:
            actions += self.complete(step)
        if self.phase == "step" and self.step_id == step_id:
            for transition in step.next:
                if transition.when is not None and transition.when.after_speaking:
                    return actions + self.enter(transition.to)
            if self._is_global(step) and not step.collect and not step.next and not step.end:
                actions += self.resume()
        return actions

    def complete(self: Conversation, step: Step) -> list[AgentAction]:
        """The step has what it needs: run its tool, end if it is a last step."""
        actions: list[AgentAction] = []
        if step.tool is not None:
            actions += self.use_tool(self.definition.tool(step.tool))
        if step.end and self.phase != "ended":
            actions.append(self._end("completed"))
        return actions

    def resume(self: Conversation) -> list[AgentAction]:
        """Back from a global step: ask the interrupted step's question again."""
        target, self.return_to = self.return_to or self.definition.flow.start, None
        step = self.definition.step(target)
        self.step_id, self.reprompts, self.phase = target, 0, "step"
        self.step_path.append(target)
        return [self._say(step.say, kind="step")] if step.say else []

    def step_turn(self: Conversation, text: str, dtmf: str | None) -> list[AgentAction]:
        step = self.definition.step(self.step_id)
        answer = self._knowledge_answer(text) if dtmf is None else []
        missing_before = self._missing(step)
        self._capture(step, text, question=bool(answer))
        filled = not self._missing(step)
        actions: list[AgentAction] = []
        if filled and missing_before:
            actions += self.complete(step)
            if self.phase != "step":
                return answer + actions
        target = next(
            (t.to for t in step.next if self.condition_holds(t.when, text, dtmf, filled)), None
        )
        if target is not None:
            return answer + actions + self._go(target)
        if self.model_tool is not None:  # the model's choice, when no transition moves on
            return answer + actions + self.use_tool(self.definition.tool(self.model_tool))
        if filled and self._is_global(step) and not step.end:
            return answer + actions + self.resume()
        if answer:
            return answer + [self._say(self._missing_line(step))]
        if filled and not step.collect and not step.next:
            return actions
        return self._reprompt(step)

    def condition_holds(
        self: Conversation, when: Condition | None, text: str, dtmf: str | None, filled: bool
    ) -> bool:
        """One transition condition; field, expression and "always" wait for the step's
        fields. An LLM condition holds only when a model said so this turn (never without one)."""
        said = text.lower()
        if when is None or when.always or when.after_speaking:
            return filled
        if when.keywords is not None:
            return dtmf is None and any(
                re.search(rf"\b{re.escape(k.lower())}\b", said) for k in when.keywords
            )
        if when.regex is not None:
            return dtmf is None and re.search(when.regex, text, re.I) is not None
        if when.dtmf is not None:
            return dtmf == when.dtmf
        if when.field is not None:
            if when.is_ is not None:
                return when.field in self.fields and self.fields[when.field] == when.is_
            return (when.field in self.fields) == (when.filled is not False)
        if when.expression is not None:
            return filled and evaluate(when.expression, self.fields)
        return when.llm in self.model_verdicts  # only a model says an LLM condition holds

    def use_tool(self: Conversation, tool: Any) -> list[AgentAction]:
        self.tools_called.append(tool.name)
        kind = tool.type
        if kind == "end_call":
            return [self._end("completed")]
        if kind == "transfer":
            self.outcome, self.phase, self.pending_tool = "transferred", "ended", tool.name
            summary = render(tool.summary, self.variables())
            return [Transfer(tool.name, tool.number, tool.mode, summary)]
        if kind == "send_dtmf":
            return [SendDtmf(tool.digits)]
        if kind == "leave_voicemail":
            return [self._say(self.definition.voicemail.message), self._end("voicemail_left")]
        if kind == "kb_search":
            return self._knowledge_answer(self.last_callee_text, always=True)
        if kind == "schedule_callback":
            moment = self.fields.get(tool.field)
            return self.schedule_callback(moment, None) if moment else []
        return self._webhook(tool)

    def schedule_callback(self: Conversation, moment: str, line: str | None) -> list[AgentAction]:
        self.callback_at = moment
        self.outcome = "callback"
        actions: list[AgentAction] = [ScheduleCallback(moment, self.timezone.key)]
        if line is not None:
            actions += [self._say(line), self._end("callback")]
        return actions

    def on_tool_result(
        self: Conversation, tool_name: str, ok: bool, data: Any = None
    ) -> list[AgentAction]:
        """A webhook's reply (data: the parsed JSON), or a transfer that failed (ok False)."""
        tool = self.definition.tool(tool_name)
        if tool is None or tool_name != self.pending_tool:
            return []
        self.pending_tool = None
        if tool.type == "transfer":
            return self._transfer_failed(tool) if not ok else []
        self.phase = "step"
        if ok:
            for field, value in response_mapping(tool, data).items():
                if value is not None:
                    self.fields[field] = value
        target = tool.on_success if ok else tool.on_failure
        if target is not None:
            return self._go(target)
        step = self.definition.step(self.step_id)
        after = next(
            (t.to for t in step.next if self.condition_holds(t.when, "", None, True)), None
        )
        return self._go(after) if after else []

    def unread_fields(self: Conversation, step: Step, text: str) -> list[Any]:
        """The step's fields still empty that the extractors cannot read from *text*: what
        the LLM path asks its model for."""
        now = self.local_now()
        return [
            spec
            for spec in step.collect
            if spec.name not in self.fields
            and extract(spec.type, text, now=now, choices=spec.choices) is None
        ]

    # -- private -----------------------------------------------------------------------------

    def _transfer_failed(self: Conversation, tool: Any) -> list[AgentAction]:
        self.outcome, self.phase = None, "step"
        actions: list[AgentAction] = [self._say(lines.TRANSFER_FAILED)]
        if tool.fallback is not None:
            return actions + self.enter(tool.fallback)
        return actions + self._start_callback("", lines.HUMAN_CALLBACK)

    def _webhook(self: Conversation, tool: Any) -> list[AgentAction]:
        request = webhook_request(tool, {**self.contact, **self.fields})
        self.phase, self.pending_tool = "tool", tool.name
        return [self._say(tool.filler), request]

    def _go(self: Conversation, target: str) -> list[AgentAction]:
        return self.enter(target)

    def _is_global(self: Conversation, step: Step) -> bool:
        return any(g.id == step.id for g in self.definition.flow.global_)

    def _missing(self: Conversation, step: Step) -> list[Any]:
        return [f for f in step.collect if f.required and f.name not in self.fields]

    def _capture(self: Conversation, step: Step, text: str, question: bool) -> None:
        now = self.local_now()
        for spec in step.collect:
            if spec.name in self.fields:
                continue
            if spec.type == "yes_no" and question and not _YES_NO_START.search(text):
                continue  # "is it okay if...?" asks; it does not answer
            value = extract(spec.type, text, now=now, choices=spec.choices)
            if value is None:
                value = self.model_fields.get(spec.name)  # what a model read, when asked
            if value is not None:
                self.fields[spec.name] = value

    def _missing_line(self: Conversation, step: Step) -> str:
        missing = self._missing(step)
        if missing and missing[0].ask and len(missing) < len(step.collect):
            return missing[0].ask
        return step.say

    def _reprompt(self: Conversation, step: Step) -> list[AgentAction]:
        if self.reprompts >= REPROMPT_MAX:
            if step.fallback is not None:
                return self._go(step.fallback)
            return [self._say(lines.GIVE_UP), self._end("completed")]
        self.reprompts += 1
        again = step.reprompt or self._missing_line(step)
        return [self._say(f"{lines.REPROMPT} {again}")]

    def _knowledge_answer(self: Conversation, text: str, always: bool = False) -> list[AgentAction]:
        if self.knowledge is None or not (always or self.knowledge.is_question(text)):
            return []
        hit = self.knowledge.answer_for(text)
        if hit is None:
            return [self._say(lines.DONT_KNOW)]
        self.tools_called.append("kb_search")
        answer = spoken_answer(hit.passage.text, text)
        return [self._say(answer, kind="answer", question=text, passage=hit.passage.text)]
