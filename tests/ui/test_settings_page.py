import asyncio

import pytest
from sqlalchemy import select

from app.secrets import LLM_KEY_NAME, LLM_SERVICE
from app.settings import get_setting
from app.store.models import Setting
from app.ui.context import AppContext
from app.ui.settings_page import ERROR_STYLE, SettingsPage
from tests.agents.fake_openai import Reply

SID = "AC" + "0123456789abcdef" * 2


def make_page(qtbot, store, home) -> SettingsPage:
    page = SettingsPage(AppContext(store=store, home=home, demo_mode=True))
    qtbot.addWidget(page)
    return page


@pytest.fixture
def fake_llm():
    from tests.agents.fake_openai import FakeOpenAI

    server = FakeOpenAI().start()
    yield server
    server.close()


def wait_for_check(qloop, page) -> str:
    async def answered():
        while page.llm_state.text().startswith("Checking"):
            await asyncio.sleep(0.02)

    qloop.run_until_complete(asyncio.wait_for(answered(), 20))
    return page.llm_state.text()


def test_the_llm_key_goes_to_the_keyring_and_is_never_shown(qtbot, store, home, memory_keyring):
    page = make_page(qtbot, store, home)
    page.llm_base_url.setText("http://127.0.0.1:11434/v1")
    page.llm_model.setText("llama3.1")
    page.llm_embedding_model.setText("nomic-embed-text")
    page.llm_key.setText("sk-llm-secret-abcd1234")
    page.save_llm()
    assert memory_keyring.passwords == {(LLM_SERVICE, LLM_KEY_NAME): "sk-llm-secret-abcd1234"}
    assert page.llm_key.text() == ""
    assert "sk-llm-secret" not in page.llm_key.placeholderText()
    assert page.llm_key.placeholderText().endswith("(sk-…1234)")
    assert page.llm_state.text() == "Saved: agents use llama3.1."
    with store.session() as session:
        assert get_setting(session, "llm_base_url") == "http://127.0.0.1:11434/v1"
        assert get_setting(session, "llm_model") == "llama3.1"
        assert get_setting(session, "llm_embedding_model") == "nomic-embed-text"
        values = [row.value for row in session.scalars(select(Setting))]
    assert "sk-llm-secret" not in repr(values)
    page.llm_model.clear()
    page.save_llm()
    assert "or neither" in page.llm_state.text()
    page.llm_base_url.setText("ftp://x")
    page.llm_model.setText("m")
    page.save_llm()
    assert "http://" in page.llm_state.text()
    reopened = make_page(qtbot, store, home)
    assert reopened.llm_model.text() == "llama3.1" and reopened.llm_key.text() == ""


def test_check_asks_the_model_and_shows_the_answer_or_the_error(
    qtbot, qloop, store, home, fake_llm
):
    page = make_page(qtbot, store, home)
    page.check_llm()
    assert "base URL and the model first" in page.llm_state.text()
    page.llm_base_url.setText(fake_llm.base_url)
    page.llm_model.setText("fake-model")
    fake_llm.summaries.append(Reply("OK"))
    page.check_llm()
    assert wait_for_check(qloop, page) == "fake-model answered: OK"
    assert fake_llm.requests[-1]["model"] == "fake-model"
    fake_llm.summaries.append(Reply(status=401))
    page.check_llm()
    assert wait_for_check(qloop, page) == f"fake-model at {fake_llm.base_url}: HTTP 401."
    assert page.llm_state.styleSheet() == ERROR_STYLE


def test_the_public_address_is_saved_and_the_ngrok_authtoken_goes_to_the_keyring(
    qtbot, store, home, memory_keyring
):
    from app.secrets import NGROK_NAME, NGROK_SERVICE

    page = make_page(qtbot, store, home)
    page.public_url.setText("https://calls.example.com/")
    page.relay_port.setValue(9001)
    page.tunnel.setChecked(True)
    page.ngrok_token.setText("2abcNGROKtoken")
    page.save_address()
    assert memory_keyring.passwords[(NGROK_SERVICE, NGROK_NAME)] == "2abcNGROKtoken"
    assert page.ngrok_token.text() == "" and "keyring" in page.ngrok_token.placeholderText()
    with store.session() as session:
        assert get_setting(session, "public_url") == "https://calls.example.com"
        assert get_setting(session, "relay_port") == 9001
        assert get_setting(session, "ngrok_tunnel") is True
        assert "2abcNGROKtoken" not in repr([r.value for r in session.scalars(select(Setting))])
    assert "next start" in page.address_state.text()


def test_an_address_twilio_cannot_use_or_a_tunnel_without_its_authtoken_is_explained(
    qtbot, store, home
):
    page = make_page(qtbot, store, home)
    page.public_url.setText("http://calls.example.com")
    page.save_address()
    assert "https://" in page.address_state.text()
    assert page.address_state.styleSheet() == ERROR_STYLE
    page.public_url.setText("")
    page.tunnel.setChecked(True)
    page.save_address()
    assert "authtoken" in page.address_state.text()
    with store.session() as session:
        assert get_setting(session, "ngrok_tunnel") is False  # nothing was saved


def test_checking_the_address_in_demo_mode_says_none_is_needed(qtbot, store, home):
    page = make_page(qtbot, store, home)
    page.check_address()
    assert "Demo mode" in page.address_state.text()
