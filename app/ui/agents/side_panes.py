"""The Agents page's right-hand panes, each a QWidget with show_agent(agent_id, definition)
and, when it edits the agent, a definition_edited(object) signal (a draft edit).

(A2's list; the main session merges it with the editor's "Preview" pane.)
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.ui.agents.knowledge_pane import KnowledgePane
from app.ui.agents.scenarios_pane import ScenariosPane
from app.ui.agents.try_it import TryItPane
from app.ui.context import AppContext


def build_side_panes(ctx: AppContext) -> list[tuple[str, QWidget]]:
    return [
        ("Knowledge", KnowledgePane()),
        ("Try it", TryItPane(ctx)),
        ("Scenarios", ScenariosPane(ctx)),
    ]
