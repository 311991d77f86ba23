"""The Agents page's logic: which agent is open, its draft being edited, and the commands.

The draft is held as its JSON data (the truth the runtime reads); every editor writes into it
by path, and after each edit the draft is validated again and its problems listed. Saving
writes the draft (problems and all: a draft is work in progress); publishing refuses a
draft with problems (library.publish validates it).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.agents import library
from app.agents.definition import AgentDefinition, DefinitionError, parse_definition
from app.agents.problems import Problem, draft_problems, schema_problems, variables_offered
from app.agents.variables import sample_variables
from app.paths import agent_templates_dir
from app.store.agents import AgentNameTaken
from app.ui.context import AppContext
from app.ui.operations import Change

# "New agent" offers these, in this order (resources/agents/<file>).
TEMPLATES = (
    ("Appointment reminder", "appointment-reminder.json"),
    ("Lead qualification", "lead-qualification.json"),
    ("Satisfaction survey", "satisfaction-survey.json"),
    ("Payment reminder", "payment-reminder.json"),
    ("Event invitation", "event-invitation.json"),
)
DataPath = tuple[str | int, ...]


def full_data(definition: AgentDefinition) -> dict[str, Any]:
    """Every key, defaults included, so an editor can write into any of them."""
    return definition.model_dump(mode="json", by_alias=True)


def _canonical(data: dict[str, Any] | None) -> Any:
    if data is None:
        return None
    definition, _ = schema_problems(data)
    return definition.to_json() if definition is not None else data


def set_path(data: dict[str, Any], path: DataPath, value: Any) -> None:
    target: Any = data
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]
    target[path[-1]] = value


class AgentsController(QObject):
    """Signals:
    draft_changed(): the open draft, its problems or its dirty flag changed.
    agents_changed(int): the list of agents changed; the agent to select (0: keep).
    message(str): a line for the user (a success, or why a command was refused).
    published(int): a new version (its number) was published; its scenarios should run.
    """

    draft_changed = Signal()
    agents_changed = Signal(int)
    message = Signal(str)
    published = Signal(int)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.agent_id: int | None = None
        self.data: dict[str, Any] | None = None  # the draft being edited
        self._saved: Any = None  # the stored draft, canonical, for the dirty flag
        self.definition: AgentDefinition | None = None  # None while the data does not validate
        self.problems: list[Problem] = []
        self.columns: set[str] | None = None  # the contact columns of its campaigns

    # -- reading -------------------------------------------------------------------------------
    @property
    def dirty(self) -> bool:
        return self.data is not None and _canonical(self.data) != self._saved

    def _read(self, command: Callable[[Any], Any]) -> Any:
        with self.context.store.session() as session:
            return command(session)

    def _write(self, command: Callable[[Any], Any], change: Change | None = None) -> Any:
        with self.context.store.session.begin() as session:
            result = command(session)
        self.context.changes.publish(change or Change(agents=True))
        return result

    def open(self, agent_id: int | None) -> None:
        """Show *agent_id*'s draft (None: nothing); unsaved edits of the open one are dropped
        (the page asks first)."""
        self.agent_id = agent_id
        if agent_id is None:
            data, self.columns = None, None
        else:
            data, self.columns = self._read(
                lambda s: (library.draft_data(s, agent_id), library.contact_columns(s, agent_id))
            )
        self._saved = _canonical(data)
        self._set(copy.deepcopy(data) if data is not None else None)

    def revert(self) -> None:
        self.open(self.agent_id)

    def _set(self, data: dict[str, Any] | None) -> None:
        if data is not None:
            definition, self.problems = schema_problems(data)
            if definition is not None:
                data = full_data(definition)  # every key, so editors can write into any
                self.problems = draft_problems(definition, self.columns)
            self.definition = definition
        else:
            self.definition, self.problems = None, []
        self.data = data
        self.draft_changed.emit()

    # -- editing -------------------------------------------------------------------------------
    def set_value(self, path: DataPath, value: Any) -> None:
        if self.data is None:
            return
        data = copy.deepcopy(self.data)
        set_path(data, path, value)
        self._set(data)

    def edit(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Apply *change* to a copy of the draft's data (lists reordered, steps renamed...)."""
        if self.data is None:
            return
        data = copy.deepcopy(self.data)
        change(data)
        self._set(data)

    def apply_definition(self, definition: AgentDefinition) -> None:
        """A side pane's edit: taken exactly like an editor's."""
        if self.data is not None:
            self._set(full_data(definition))

    def rename_step(self, old: str, new: str) -> None:
        """Rename a step and every reference to it (transitions, start, fallbacks, tools)."""

        def rename(data: dict[str, Any]) -> None:
            flow = data["flow"]
            if flow["start"] == old:
                flow["start"] = new
            for step in [*flow["steps"], *flow.get("global", [])]:
                if step["id"] == old:
                    step["id"] = new
                if step.get("fallback") == old:
                    step["fallback"] = new
                for transition in step.get("next", []):
                    if transition["to"] == old:
                        transition["to"] = new
            for tool in data.get("tools", []):
                for key in ("fallback", "on_success", "on_failure"):
                    if tool.get(key) == old:
                        tool[key] = new

        self.edit(rename)

    # -- commands -----------------------------------------------------------------------------
    def save_draft(self) -> bool:
        """Write the draft; False (and a message) when it cannot be saved yet."""
        if self.agent_id is None or self.data is None:
            return False
        if self.definition is None:
            self.message.emit(
                "Not saved: fix these first. " + "; ".join(map(str, self.problems[:3]))
            )
            return False
        definition, agent_id = self.definition, self.agent_id
        try:
            self._write(lambda s: library.save_draft(s, definition, agent_id))
        except AgentNameTaken as exc:
            self.message.emit(f"Not saved: {exc}")
            return False
        self._saved = _canonical(self.data)
        self.draft_changed.emit()
        self.agents_changed.emit(agent_id)
        self.message.emit("Draft saved.")
        return True

    def publish(self) -> int | None:
        """Save the draft and publish it; the version number (None: refused)."""
        if self.agent_id is None or (self.dirty and not self.save_draft()):
            return None
        if self.problems:
            self.message.emit(
                f"Not published: the draft has {len(self.problems)} problem(s). "
                f"First: {self.problems[0]}"
            )
            return None
        name, agent_id = self.definition.name, self.agent_id

        def publish(session: Any) -> tuple[int | None, int]:
            before = library.agent_listings(session, [agent_id])[agent_id].published_version
            return before, library.publish(session, name)

        try:
            before, number = self._write(publish)
        except DefinitionError as exc:
            self.message.emit(f"Not published: {exc.problems[0]}")
            return None
        self.agents_changed.emit(agent_id)
        if number == before:
            self.message.emit(f"Version {number} is this draft already: nothing to publish.")
        else:
            self.message.emit(f"Published version {number}.")
            self.published.emit(number)
        return number

    def _create(self, definition: AgentDefinition) -> int:
        def create(session: Any) -> int:
            name = library.unique_name(session, definition.name)
            return library.save_draft(session, definition.model_copy(update={"name": name}))

        agent_id = self._write(create)
        self.agents_changed.emit(agent_id)
        return agent_id

    def new_from_template(self, file_name: str) -> int:
        text = (agent_templates_dir() / file_name).read_text("utf-8")
        agent_id = self._create(parse_definition(text))
        self.message.emit("New agent from a template: edit it, then publish.")
        return agent_id

    def import_file(self, path: Path) -> int | None:
        try:
            definition = parse_definition(path.read_bytes())
        except OSError as exc:
            self.message.emit(f"Could not read {path.name}: {exc.strerror or exc}")
            return None
        except DefinitionError as exc:
            self.message.emit(f"{path.name} is not an agent file: {exc.problems[0]}")
            return None
        agent_id = self._create(definition)
        self.message.emit(f"Imported {path.name} as a draft.")
        return agent_id

    def export_file(self, path: Path) -> bool:
        if self.definition is None:
            self.message.emit("Not exported: the draft does not validate yet.")
            return False
        text = json.dumps(self.definition.to_json(), indent=2, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
        self.message.emit(f"Exported to {path.name}.")
        return True

    def campaigns(self) -> Sequence[library.CampaignUse]:
        agent_id = self.agent_id
        return (
            [] if agent_id is None else self._read(lambda s: library.campaigns_using(s, agent_id))
        )

    def delete(self) -> bool:
        if self.agent_id is None:
            return False
        agent_id = self.agent_id
        try:
            self._write(
                lambda s: library.delete_agent(s, agent_id), Change(agents=True, campaigns=True)
            )
        except library.AgentInUse as exc:
            self.message.emit(str(exc))
            return False
        self.open(None)
        self.agents_changed.emit(0)
        self.message.emit("Agent deleted.")
        return True

    def variable_names(self) -> list[str]:
        """What a line's {{completion}} offers."""
        if self.definition is None:
            return []
        return variables_offered(self.definition, self.columns or ())

    def sample_variables(self) -> dict[str, Any]:
        return {} if self.definition is None else sample_variables(self.definition)
