"""The code service's settings: signing keys, retired keys, dev mode, the public URL, the font."""

import logging

import pytest

from services.codes import config
from shared.settings import SettingsError

PUBLIC = "https://eco.cixi.gov.cn"
KEYS = "k2:second-secret-long-enough, k1:first-secret-long-enough"
PRODUCTION = {"ECO_CODES_KEYS": KEYS, "ECO_CODES_SERVICE_TOKEN": "codes-dept-token"}


def test_keys_parse_in_order_and_the_first_signs() -> None:
    ring = config.parse_keys(KEYS)
    assert ring.signer.kid == "k2"
    assert ring.get("k1") is not None


def test_a_retired_key_verifies_but_never_signs() -> None:
    ring = config.parse_keys(KEYS, retired="k2")
    assert ring.signer.kid == "k1"
    assert ring.get("k2") is not None and ring.is_retired("k2") and not ring.is_retired("k1")


@pytest.mark.parametrize(
    ("retired", "variable"),
    [("k3", "ECO_CODES_RETIRED_KEYS"), ("k1,k2", "ECO_CODES_RETIRED_KEYS")],
)
def test_retiring_an_unknown_key_or_every_key_stops_the_service(retired: str, variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        config.parse_keys(KEYS, retired=retired)


@pytest.mark.parametrize(
    "raw", ["k1", "k1:", ":secret-long-enough-1", "k1:short", "k1:a-long-secret-xx,k1:another-long-one"]
)
def test_bad_keys_stop_the_service_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="ECO_CODES_KEYS"):
        config.parse_keys(raw)


def test_without_keys_the_service_refuses_to_start_and_names_the_dev_flag() -> None:
    with pytest.raises(SettingsError, match=r"ECO_CODES_KEYS.*ECO_CODES_ALLOW_DEV_KEY=1"):
        config.load({"ECO_CODES_SERVICE_TOKEN": "t"}, public_base_url=PUBLIC)


def test_dev_mode_allows_the_public_dev_key_and_says_so_loudly(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        loaded = config.load({"ECO_CODES_ALLOW_DEV_KEY": "1"}, public_base_url="http://127.0.0.1:8000")
    assert loaded.keys.signer.kid == config.DEV_KEY_ID == "dev-insecure"
    assert loaded.dev_mode and loaded.service_token == "dev-platform-token"
    assert any("DEVELOPMENT MODE" in r.message and "forge" in r.message for r in caplog.records)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://127.0.0.1:8000", "not https"),
        ("http://eco.cixi.gov.cn", "not https"),
        ("https://localhost:8443", "loopback"),
        ("https://127.0.0.2", "loopback"),
        ("https://[::1]:8443", "loopback"),
        ("https://0.0.0.0", "loopback"),
    ],
)
def test_a_sticker_url_that_would_not_open_on_a_phone_stops_the_service(url: str, problem: str) -> None:
    with pytest.raises(SettingsError) as err:
        config.load(PRODUCTION, public_base_url=url)
    message = str(err.value)
    assert "ECO_PUBLIC_BASE_URL" in message and problem in message and "ECO_CODES_ALLOW_DEV_KEY=1" in message
    # The same URL is accepted in development mode.
    assert config.load({**PRODUCTION, "ECO_CODES_ALLOW_DEV_KEY": "1"}, public_base_url=url).dev_mode


def test_production_settings_load() -> None:
    loaded = config.load({**PRODUCTION, "ECO_PERMITS_ADDR": "permits:50051"}, public_base_url=PUBLIC)
    assert (loaded.dev_mode, loaded.keys.signer.kid, loaded.permits_address) == (False, "k2", "permits:50051")
    assert loaded.service_token == "codes-dept-token"


def test_outside_dev_mode_the_service_token_is_required() -> None:
    with pytest.raises(SettingsError, match="ECO_CODES_SERVICE_TOKEN"):
        config.load({"ECO_CODES_KEYS": KEYS}, public_base_url=PUBLIC)


def test_a_dev_flag_other_than_0_or_1_is_refused() -> None:
    with pytest.raises(SettingsError, match="ECO_CODES_ALLOW_DEV_KEY"):
        config.load({**PRODUCTION, "ECO_CODES_ALLOW_DEV_KEY": "yes"}, public_base_url=PUBLIC)


def test_a_missing_font_file_is_a_configuration_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError, match="ECO_CODES_FONT"):
        config.load({**PRODUCTION, "ECO_CODES_FONT": str(tmp_path / "none.ttf")}, public_base_url=PUBLIC)
