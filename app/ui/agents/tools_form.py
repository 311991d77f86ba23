"""Tools: a list of the agent's tools and a form for the selected one, by kind; a webhook's
"Test" sends a sample request and shows the reply and what each field would capture."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.agents.actions import response_mapping, webhook_request
from app.agents.definition import WebhookTool
from app.agents.webhooks import call_webhook
from app.ui.agents.controller import AgentsController
from app.ui.agents.draft_form import DraftForm
from app.ui.operations import run_op

TOOL_KINDS = {
    "transfer": "Transfer to a person",
    "webhook": "Webhook (call your system)",
    "send_dtmf": "Send DTMF keys",
    "schedule_callback": "Schedule a callback",
    "end_call": "End the call",
    "leave_voicemail": "Leave a voicemail",
    "kb_search": "Search the knowledge base",
}
NEW_TOOL = {
    "transfer": {"number": "+15005550006", "mode": "cold"},
    "webhook": {"url": "https://example.com/hook", "method": "POST"},
    "send_dtmf": {"digits": "1"},
    "schedule_callback": {"field": "callback_at"},
}
# key -> (label, kind of editor); a kind's form shows its keys in this order.
KEYS: dict[str, tuple[str, str]] = {
    "name": ("Name (steps use it)", "line"),
    "number": ("Transfer to", "line"),
    "mode": ("Mode", "cold,warm"),
    "summary": ("What the person is told", "line"),
    "fallback": ("If it fails, go to", "step"),
    "digits": ("Keys", "line"),
    "field": ("Time field", "line"),
    "url": ("URL", "line"),
    "method": ("Method", "GET,POST,PUT,PATCH,DELETE"),
    "filler": ("Said while waiting", "line"),
    "on_success": ("On success, go to", "step"),
    "on_failure": ("On failure, go to", "step"),
}
FORM_KEYS = {
    "transfer": ("name", "number", "mode", "summary", "fallback"),
    "send_dtmf": ("name", "digits"),
    "schedule_callback": ("name", "field"),
    "webhook": ("name", "url", "method", "filler", "on_success", "on_failure"),
}


def _parameters(text: str) -> dict[str, Any]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    return {"type": "object", "properties": {n: {"type": "string"} for n in names}}


def _response_fields(text: str) -> dict[str, str]:
    pairs = (line.partition("=") for line in text.splitlines())
    return {k.strip(): v.strip() for k, _, v in pairs if k.strip() and v.strip()}


class ToolsForm(DraftForm):
    def __init__(self, controller: AgentsController, parent: QWidget | None = None) -> None:
        super().__init__(controller, parent)
        self.tools = QListWidget()
        self.tools.setMaximumHeight(120)
        self.tools.currentRowChanged.connect(lambda _row: self.show_draft())
        self.add = QPushButton("Add tool")
        menu = QMenu(self.add)
        for kind, label in TOOL_KINDS.items():
            menu.addAction(label, lambda kind=kind: self.add_tool(kind))
        self.add.setMenu(menu)
        self.delete = QPushButton("Delete tool")
        self.delete.clicked.connect(self._delete)
        row = QHBoxLayout()
        row.addWidget(self.add)
        row.addWidget(self.delete)
        row.addStretch(1)

        self.form_box = QGroupBox("Tool")
        self.form = QFormLayout(self.form_box)
        self.editors: dict[str, QWidget] = {}
        for key, (label, kind) in KEYS.items():
            if kind == "line":
                editor: QWidget = QLineEdit()
                editor.textEdited.connect(lambda text, key=key: self._write(key, text))
            else:
                editor = QComboBox()
                if kind != "step":
                    editor.addItems(kind.split(","))
                editor.textActivated.connect(lambda text, key=key: self._write_choice(key, text))
            self.editors[key] = editor
            self.form.addRow(label, editor)
        self.parameters = QLineEdit()
        self.parameters.setPlaceholderText("first_name, appointment_time")
        self.parameters.textEdited.connect(lambda t: self._write("parameters", _parameters(t)))
        self.mapping = QPlainTextEdit()
        self.mapping.setPlaceholderText("slot = reply.slot.time (one field = path a line)")
        self.mapping.setMaximumHeight(70)
        self.mapping.textChanged.connect(
            lambda: self._write("response_fields", _response_fields(self.mapping.toPlainText()))
        )
        self.test = QPushButton("Test")
        self.test.clicked.connect(self.run_test)
        self.test_result = QPlainTextEdit()
        self.test_result.setReadOnly(True)
        self.test_result.setMaximumHeight(120)
        self.test_result.setPlaceholderText("Test sends a sample request and shows the reply.")
        self.form.addRow("Body: the fields it sends", self.parameters)
        self.form.addRow("Reply: fields it captures", self.mapping)
        self.form.addRow(self.test, self.test_result)
        self.no_settings = QLabel("This tool has nothing to set besides its name.")
        self.form.addRow(self.no_settings)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tools the steps can use"))
        layout.addWidget(self.tools)
        layout.addLayout(row)
        layout.addWidget(self.form_box)
        layout.addStretch(1)
        controller.draft_changed.connect(self.show_draft)

    def _tool(self) -> dict[str, Any] | None:
        tools = (self.controller.data or {}).get("tools", [])
        row = self.tools.currentRow()
        return tools[row] if 0 <= row < len(tools) else None

    def _write(self, key: str, value: Any) -> None:
        row = self.tools.currentRow()
        if self._filling or row < 0:
            return
        self.controller.set_value(("tools", row, key), value)

    def _write_choice(self, key: str, text: str) -> None:
        self._write(key, None if text == "(none)" else text)

    def add_tool(self, kind: str) -> None:
        tools = (self.controller.data or {}).get("tools", [])
        names = {t.get("name") or t["type"] for t in tools}
        name = kind if kind not in names else f"{kind}_{len(tools) + 1}"
        tool = {"type": kind, "name": name, **NEW_TOOL.get(kind, {})}
        self.controller.edit(lambda d: d.setdefault("tools", []).append(tool))
        self.tools.setCurrentRow(len(tools))

    def _delete(self) -> None:
        row = self.tools.currentRow()
        if self._tool() is not None:
            self.controller.edit(lambda d: d["tools"].pop(row))

    # -- the webhook test ------------------------------------------------------------------------
    def run_test(self) -> None:
        tool = self._tool()
        if tool is None or tool["type"] != "webhook":
            return
        try:
            webhook = WebhookTool.model_validate(tool)
        except ValueError as exc:
            self.test_result.setPlainText(f"Fix the tool first: {exc}")
            return
        # A sample callee's values; "sample" for a field only a call would capture.
        request = webhook_request(webhook, self.controller.sample_variables(), "sample")
        self.test.setEnabled(False)
        self.test_result.setPlainText(f"{request.method} {request.url}\n{json.dumps(request.body)}")

        def done(result: tuple[bool, Any]) -> None:
            self.test.setEnabled(True)
            self.show_test_result(webhook, *result)

        run_op(self, lambda *_: call_webhook(request), kind="thread", on_success=done)

    def show_test_result(self, tool: WebhookTool, ok: bool, data: Any) -> None:
        if not ok:
            self.test_result.setPlainText(
                "The request failed (no answer, a time-out or an error status): "
                "a call would take the tool's failure step."
            )
            return
        lines = ["Reply:", json.dumps(data, indent=2) if data is not None else "(no JSON body)"]
        mapping = response_mapping(tool, data)
        if mapping:
            lines.append("Captured fields:")
            lines += [f"  {field} = {value!r}" for field, value in mapping.items()]
        self.test_result.setPlainText("\n".join(lines))

    # -- from the draft ------------------------------------------------------------------------------
    def _fill(self, data: dict[str, Any]) -> None:
        tools = data.get("tools", [])
        row = self.tools.currentRow()
        self.tools.blockSignals(True)
        self.tools.clear()
        for tool in tools:
            self.tools.addItem(f"{tool.get('name') or tool['type']} — {TOOL_KINDS[tool['type']]}")
        self.tools.setCurrentRow(min(max(row, 0), len(tools) - 1))
        self.tools.blockSignals(False)
        tool = self._tool()
        self.form_box.setVisible(tool is not None)
        self.delete.setEnabled(tool is not None)
        if tool is None:
            return
        self.form_box.setTitle(TOOL_KINDS[tool["type"]])
        keys = FORM_KEYS.get(tool["type"], ("name",))
        steps = [s["id"] for s in data["flow"]["steps"] + data["flow"].get("global", [])]
        for key, editor in self.editors.items():
            self.form.setRowVisible(editor, key in keys)
            value = tool.get(key)
            if isinstance(editor, QLineEdit):
                if not editor.hasFocus():
                    editor.setText("" if value is None else str(value))
            else:
                if KEYS[key][1] == "step":
                    editor.clear()
                    editor.addItems(["(none)", *steps])
                editor.setCurrentText("(none)" if value is None else str(value))
        webhook = tool["type"] == "webhook"
        for widget in (self.parameters, self.mapping, self.test):
            self.form.setRowVisible(widget, webhook)
        self.form.setRowVisible(self.no_settings, keys == ("name",))
        if webhook:
            if not self.parameters.hasFocus():
                names = (tool.get("parameters") or {}).get("properties", {})
                self.parameters.setText(", ".join(names))
            if not self.mapping.hasFocus():
                fields = tool.get("response_fields") or {}
                self.mapping.setPlainText("\n".join(f"{k} = {v}" for k, v in fields.items()))
