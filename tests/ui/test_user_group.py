"""Settings' "You" group: your name is kept for you, apart from the team's database."""

from __future__ import annotations

import json

from app.settings import get_setting, get_user_setting, operator_name
from app.ui.user_group import UserGroup


def test_your_name_is_saved_for_this_user_not_in_the_database(qtbot, store, user_config):
    group = UserGroup()
    qtbot.addWidget(group)
    assert group.name.text() == ""
    assert operator_name() in group.name.placeholderText()  # who notes are signed by now
    qtbot.keyClicks(group.name, "  Dana   Ruiz ")
    group.save()
    assert group.name.text() == "Dana Ruiz"
    assert group.state.text() == "Saved: your notes say Dana Ruiz."
    assert json.loads((user_config / "user.json").read_text()) == {"operator_name": "Dana Ruiz"}
    with store.session() as session:
        assert get_setting(session, "operator_name") == ""  # the team's stays as it was
    again = UserGroup()
    qtbot.addWidget(again)
    assert again.name.text() == get_user_setting("operator_name") == "Dana Ruiz"


def test_a_folder_that_cannot_be_written_is_said(qtbot, user_config):
    user_config.write_text("a file where the folder should be")
    group = UserGroup()
    qtbot.addWidget(group)
    group.name.setText("Dana")
    group.save()
    assert group.state.text().startswith("Could not save your name: ")
