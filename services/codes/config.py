"""The code service's own settings (beyond shared Settings): signing keys and the caption font."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.codes.domain.token import KeyRing, SigningKey
from shared.settings import SettingsError

log = logging.getLogger(__name__)

KEYS_VARIABLE = "ECO_CODES_KEYS"
FONT_VARIABLE = "ECO_CODES_FONT"
# The development key is derived from a public string: anyone can forge codes signed with it. Its id
# says so, and the service logs a warning whenever it is in use.
DEV_KEY_ID = "dev-insecure"
DEV_KEY = SigningKey(DEV_KEY_ID, hashlib.sha256(b"eco-platform local development codes key").digest())
# Fonts with Chinese glyphs, looked for in this order when ECO_CODES_FONT is not set.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


@dataclass(frozen=True)
class CodesConfig:
    keys: KeyRing
    font_path: str | None


def parse_keys(raw: str) -> KeyRing:
    """A key ring from "kid1:secret1,kid2:secret2" (the first signs; all verify)."""
    keys = []
    for item in raw.split(","):
        kid, sep, secret = item.strip().partition(":")
        if not sep or not kid or not secret:
            raise SettingsError(
                KEYS_VARIABLE, f"expected 'kid:secret' items separated by commas, got {item!r}"
            )
        try:
            keys.append(SigningKey(kid, secret.encode("utf-8")))
        except ValueError as exc:
            raise SettingsError(KEYS_VARIABLE, str(exc)) from None
    try:
        return KeyRing(keys)
    except ValueError as exc:
        raise SettingsError(KEYS_VARIABLE, str(exc)) from None


def find_font(env: Mapping[str, str]) -> str | None:
    """The caption font: ECO_CODES_FONT if set (it must exist), else the first CJK font found."""
    explicit = env.get(FONT_VARIABLE)
    if explicit:
        if not Path(explicit).is_file():
            raise SettingsError(FONT_VARIABLE, f"no font file at {explicit}")
        return explicit
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    log.warning("no CJK font found (set %s): Chinese names on PNG codes will not render", FONT_VARIABLE)
    return None


def load(env: Mapping[str, str] = os.environ) -> CodesConfig:
    """Read the code service's settings from the environment."""
    raw = env.get(KEYS_VARIABLE, "").strip()
    if raw:
        keys = parse_keys(raw)
    else:
        log.warning(
            "%s is not set: signing codes with the INSECURE development key %r", KEYS_VARIABLE, DEV_KEY_ID
        )
        keys = KeyRing([DEV_KEY])
    return CodesConfig(keys=keys, font_path=find_font(env))
