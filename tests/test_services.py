"""app.services: one choice of where calls go, one wiring of provider, emulator and dialer."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from app.headless import EXIT_OK, run_headless
from app.results.calls import call_detail, call_records
from app.secrets import set_auth_token
from app.services import (
    DEMO_EMULATOR_SPEED,
    EMULATOR_SPEED_ENV,
    SetupError,
    choose_connection,
    open_services,
)
from app.settings import set_setting
from app.store.engine import open_store
from app.store.models import Campaign
from tests.dialer.helpers import make_campaign

SID = "AC" + "1" * 32


def configure_account(store, token: str | None) -> None:
    with store.session.begin() as session:
        set_setting(session, "twilio_account_sid", SID)
    if token:
        set_auth_token(SID, token)


def test_no_account_means_demo_in_the_window_and_advice_headless(store, monkeypatch):
    monkeypatch.delenv(EMULATOR_SPEED_ENV, raising=False)
    demo = choose_connection(store, demo_when_unconfigured=True)
    assert demo.kind == "embedded" and demo.simulated
    assert demo.speed == DEMO_EMULATOR_SPEED
    with pytest.raises(SetupError, match="No Twilio account is set up"):
        choose_connection(store)


def test_an_account_whose_token_is_missing_never_falls_back_to_the_emulator(store):
    configure_account(store, token=None)
    for demo_when_unconfigured in (True, False):
        with pytest.raises(SetupError, match="not in the keyring") as raised:
            choose_connection(store, demo_when_unconfigured=demo_when_unconfigured)
        assert "AC…1111" in str(raised.value)


def test_an_account_with_its_token_is_live(store):
    configure_account(store, token="secret-token")
    live = choose_connection(store, demo_when_unconfigured=True)
    assert live.kind == "twilio" and not live.simulated
    assert live.account_sid == SID and live.auth_token == "secret-token"
    assert "secret-token" not in repr(live)
    assert live.label() == "Twilio account AC…1111 (live calls)"


def test_an_emulator_url_takes_its_credentials_from_the_environment(store, monkeypatch):
    monkeypatch.delenv("TWILIO_ACCOUNT_SID", raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    with pytest.raises(SetupError, match="TWILIO_ACCOUNT_SID"):
        choose_connection(store, "http://127.0.0.1:9")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    external = choose_connection(store, "http://127.0.0.1:9")
    assert (external.kind, external.base_url, external.account_sid) == (
        "external",
        "http://127.0.0.1:9",
        SID,
    )


def test_the_embedded_emulator_speed_comes_from_the_environment(store, monkeypatch):
    monkeypatch.setenv(EMULATOR_SPEED_ENV, "25")
    assert choose_connection(store, True).speed == 25.0
    assert choose_connection(store, demo_when_unconfigured=True).speed == 25.0


def test_services_keep_recordings_in_the_data_folder_whatever_the_database(tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    store = open_store(home, f"sqlite:///{elsewhere / 'team.db'}")
    try:
        assert store.home == home and store.backend.sqlite_file == elsewhere / "team.db"

        async def go():
            services = await open_services(store, choose_connection(store, True), cps=5)
            try:
                assert services.emulator is not None and services.emulator.base_url
                assert services.label.startswith("embedded emulator at http://127.0.0.1:")
                assert services.dialer.recordings_dir == home / "recordings"
                assert services.dialer.provider is services.provider
            finally:
                await services.close()
            return services

        services = asyncio.run(go())
        assert services.emulator._thread is not None and not services.emulator._thread.is_alive()
    finally:
        store.dispose()


def test_calldeck_run_downloads_recordings_into_home_not_beside_the_database(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(EMULATOR_SPEED_ENV, "40")
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = f"sqlite:///{elsewhere / 'team.db'}"
    store = open_store(home, url)
    with store.session.begin() as session:
        set_setting(session, "poll_interval_s", 0.05)
    make_campaign(store, "Answered", ["+12125550100"], max_attempts=1)
    store.dispose()

    code = run_headless(
        home=home,
        db_url=url,
        campaign="Answered",
        emulator=True,
        cps=10,
        until_done=True,
        as_json=True,
    )

    out = capsys.readouterr()
    assert code == EXIT_OK, out.err
    (recording,) = (home / "recordings").iterdir()
    assert recording.name.startswith("RE") and recording.stat().st_size > 0
    assert not (elsewhere / "recordings").exists()
    # Calls through the emulator say so wherever they show: they are simulated.
    store = open_store(home, url)
    try:
        with store.session() as session:
            (record,) = call_records(session, session.scalar(select(Campaign.id)))
            assert record["simulated"] is True and record["status"] == "completed"
            assert call_detail(session, record["call_id"]).simulated
    finally:
        store.dispose()
