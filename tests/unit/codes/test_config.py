"""The code service's settings: signing keys and font."""

import pytest

from services.codes import config
from shared.settings import SettingsError


def test_keys_parse_in_order_and_the_first_signs() -> None:
    ring = config.parse_keys("k2:second-secret-long-enough, k1:first-secret-long-enough")
    assert ring.signer.kid == "k2"
    assert ring.get("k1") is not None


@pytest.mark.parametrize(
    "raw", ["k1", "k1:", ":secret-long-enough-1", "k1:short", "k1:a-long-secret-xx,k1:another-long-one"]
)
def test_bad_keys_stop_the_service_naming_the_variable(raw: str) -> None:
    with pytest.raises(SettingsError, match="ECO_CODES_KEYS"):
        config.parse_keys(raw)


def test_without_keys_the_insecure_dev_key_is_used_and_named_so() -> None:
    loaded = config.load({})
    assert loaded.keys.signer.kid == config.DEV_KEY_ID == "dev-insecure"


def test_a_missing_font_file_is_a_configuration_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SettingsError, match="ECO_CODES_FONT"):
        config.load({"ECO_CODES_FONT": str(tmp_path / "none.ttf")})
