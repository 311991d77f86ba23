from sqlalchemy import select

from app.secrets import SERVICE, get_auth_token
from app.settings import get_setting
from app.store.models import Setting
from app.ui.context import AppContext
from app.ui.settings_page import SettingsPage

SID = "AC" + "0123456789abcdef" * 2


def make_page(qtbot, store, home) -> SettingsPage:
    page = SettingsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    return page


def test_the_auth_token_goes_to_the_keyring_and_nowhere_else(qtbot, store, home, memory_keyring):
    page = make_page(qtbot, store, home)
    page.account_sid.setText(SID)
    page.auth_token.setText("s3cret-token")
    page.save_account()
    assert memory_keyring.passwords == {(SERVICE, SID): "s3cret-token"}
    assert get_auth_token(SID) == "s3cret-token"
    assert page.auth_token.text() == ""
    with store.session() as session:
        values = [row.value for row in session.scalars(select(Setting))]
        assert get_setting(session, "twilio_account_sid") == SID
    assert "s3cret-token" not in repr(values)
    for path in home.rglob("*"):
        if path.is_file():
            assert b"s3cret-token" not in path.read_bytes(), path


def test_bad_account_and_region_are_explained(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.account_sid.setText("nope")
    page.save_account()
    assert "starts with AC" in page.account_state.text()
    for bad in ("1", "ZZ"):  # not a code at all, and a code no country has
        page.region.setText(bad)
        page.save_settings()
        assert f"unknown region '{bad}'" in page.saved.text()
        assert "two-letter country code" in page.saved.text()
    page.region.setText("gb")
    page.cps.setValue(2.5)
    page.save_settings()
    with store.session() as session:
        assert get_setting(session, "default_region") == "GB"
        assert get_setting(session, "calls_per_second") == 2.5


def test_forgetting_the_account_removes_the_token(qtbot, store, home, memory_keyring):
    page = make_page(qtbot, store, home)
    page.account_sid.setText(SID)
    page.auth_token.setText("tok")
    page.save_account()
    page.forget_account()
    assert memory_keyring.passwords == {}
    with store.session() as session:
        assert get_setting(session, "twilio_account_sid") is None
