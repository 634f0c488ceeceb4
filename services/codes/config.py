"""The code service's own settings (beyond shared Settings): signing keys, dev mode, peers, font.

Outside development mode the service refuses to start with a setting that would print forgeable or
unreachable codes: no signing keys (the development key is public), or a public base URL that is
not https or points at this machine. ECO_CODES_ALLOW_DEV_KEY=1 allows both, loudly.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import field_validator

from services.codes.domain.token import KeyRing, SigningKey
from shared.settings import EnvironmentSettings, SettingsError, env_field, service_address

log = logging.getLogger(__name__)

KEYS_VARIABLE = "ECO_CODES_KEYS"
RETIRED_VARIABLE = "ECO_CODES_RETIRED_KEYS"
DEV_VARIABLE = "ECO_CODES_ALLOW_DEV_KEY"
TOKEN_VARIABLE = "ECO_CODES_SERVICE_TOKEN"
FONT_VARIABLE = "ECO_CODES_FONT"
PUBLIC_URL_VARIABLE = "ECO_PUBLIC_BASE_URL"
# The development key is derived from a public string: anyone can forge codes signed with it. Its id
# says so, and it is refused unless development mode is switched on.
DEV_KEY_ID = "dev-insecure"
DEV_KEY = SigningKey(DEV_KEY_ID, hashlib.sha256(b"eco-platform local development codes key").digest())
# The code service's department token in deploy/local/grants.json (development only).
DEV_SERVICE_TOKEN = "dev-platform-token"
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
    dev_mode: bool
    # Where PermitsService listens, and the token this service calls it with (on-demand IssueCode).
    permits_address: str
    service_token: str


def parse_keys(raw: str, retired: str = "") -> KeyRing:
    """A key ring from "kid1:secret1,kid2:secret2" (the first not retired signs; all verify)."""
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
    retired_ids = {kid.strip() for kid in retired.split(",") if kid.strip()}
    unknown = sorted(retired_ids - {k.kid for k in keys})
    if unknown:
        # A retired key keeps its secret so that its stickers read as superseded, not tampered.
        raise SettingsError(
            RETIRED_VARIABLE, f"{', '.join(unknown)} not in {KEYS_VARIABLE}: a retired key keeps its secret"
        )
    try:
        return KeyRing(keys, retired=retired_ids)
    except ValueError as exc:
        raise SettingsError(RETIRED_VARIABLE if retired_ids else KEYS_VARIABLE, str(exc)) from None


def check_public_url(url: str, *, dev: bool) -> None:
    """SettingsError unless the URL printed on stickers is https and not this machine (dev mode aside)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    problem = ""
    if parts.scheme != "https":
        problem = "not https"
    elif not host or host == "localhost" or host.endswith(".localhost"):
        problem = "a loopback host"
    else:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            address = None
        if address is not None and (address.is_loopback or address.is_unspecified):
            problem = "a loopback host"
    if not problem:
        return
    if dev:
        log.warning(
            "%s=%s is %s: printed codes will not open from a phone", PUBLIC_URL_VARIABLE, url, problem
        )
        return
    raise SettingsError(
        PUBLIC_URL_VARIABLE,
        f"{url!r} is {problem}: codes printed with it would not open on a phone; set the public https "
        f"URL of the gateway, or {DEV_VARIABLE}=1 for development",
    )


def find_font(explicit: str) -> str | None:
    """The caption font: ECO_CODES_FONT if set (it must exist), else the first CJK font found."""
    if explicit:
        if not Path(explicit).is_file():
            raise SettingsError(FONT_VARIABLE, f"no font file at {explicit}")
        return explicit
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    log.warning("no CJK font found (set %s): Chinese names on PNG codes will not render", FONT_VARIABLE)
    return None


def _keys(raw: str, retired: str, dev: bool) -> KeyRing:
    if raw:
        return parse_keys(raw, retired)
    if not dev:
        raise SettingsError(
            KEYS_VARIABLE,
            f"is required: without it codes would be signed with a public development key anyone can "
            f"forge ({DEV_VARIABLE}=1 allows that for development)",
        )
    log.warning(
        "!!! DEVELOPMENT MODE (%s=1): %s is not set, so codes are signed with the PUBLIC key %r. "
        "Anyone can forge them. Never print or publish these codes. !!!",
        DEV_VARIABLE,
        KEYS_VARIABLE,
        DEV_KEY_ID,
    )
    return KeyRing([DEV_KEY])


class CodesSettings(EnvironmentSettings):
    """The code service's variables (ECO_CODES_*), checked at start-up; `config` applies the rules
    between them (keys required outside development mode, a sticker URL that opens on a phone)."""

    component = "codes"
    allow_dev_key: bool = env_field(DEV_VARIABLE, default=False)
    keys: str = env_field(KEYS_VARIABLE, default="")
    retired_keys: str = env_field(RETIRED_VARIABLE, default="")
    service_token: str = env_field(TOKEN_VARIABLE, default="")
    font: str = env_field(FONT_VARIABLE, default="")

    @field_validator("allow_dev_key", mode="before")
    @classmethod
    def _one_or_zero(cls, raw: object) -> object:
        text = str(raw).strip()
        if text not in ("", "0", "1"):
            raise ValueError("expected 1 (development) or 0")
        return text == "1"

    def config(self, env: Mapping[str, str], *, public_base_url: str) -> CodesConfig:
        """The keys, font and peers the service runs with; SettingsError names what is wrong."""
        dev = self.allow_dev_key
        keys = _keys(self.keys.strip(), self.retired_keys, dev)
        check_public_url(public_base_url, dev=dev)
        token = self.service_token.strip()
        if not token:
            if not dev:
                raise SettingsError(
                    TOKEN_VARIABLE, "is required: the department token for calling PermitsService"
                )
            token = DEV_SERVICE_TOKEN
        return CodesConfig(
            keys=keys,
            font_path=find_font(self.font),
            dev_mode=dev,
            permits_address=service_address("permits", env),
            service_token=token,
        )


def load(env: Mapping[str, str] = os.environ, *, public_base_url: str) -> CodesConfig:
    """Read the code service's settings; SettingsError stops the process naming the variable."""
    return CodesSettings.from_env(env).config(env, public_base_url=public_base_url)
