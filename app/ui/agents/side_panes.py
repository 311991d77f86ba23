"""The panes beside the agent editor. Each has show_agent(agent_id, definition) and may
emit definition_edited(AgentDefinition), which the page applies to the draft."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.agents.knowledge_pane import KnowledgePane
from app.ui.agents.preview_pane import PreviewPane
from app.ui.agents.scenarios_pane import ScenariosPane
from app.ui.agents.try_it import TryItPane
from app.ui.context import AppContext


def build_side_panes(context: AppContext) -> list[tuple[str, QWidget]]:
    return [
        ("Preview", PreviewPane()),
        ("Try it", TryItPane(context)),
        ("Knowledge", KnowledgePane()),
        ("Scenarios", ScenariosPane(context)),
    ]
