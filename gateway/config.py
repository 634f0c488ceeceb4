"""Gateway settings, from the environment, parsed and checked once at start-up (pydantic-settings).

`GatewaySettings` holds the gateway's own variables; `base` is the shared `Settings` every process
reads (database, Kafka, Elasticsearch, run dir). A bad value stops the gateway naming the variable.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any

from pydantic import field_validator

from gateway.sessions import Policy
from shared import settings as shared_settings
from shared.settings import EnvironmentSettings, env_field
from shared.topology import SERVICES


def _comma_list(raw: Any) -> Any:
    if isinstance(raw, str):
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    return raw


class GatewaySettings(EnvironmentSettings):
    """The gateway's variables, and the shared settings it also reads."""

    component = "gateway"
    base: shared_settings.Settings
    host: str = env_field("ECO_GATEWAY_HOST", default="127.0.0.1")
    port: int = env_field("ECO_GATEWAY_PORT", default=8000, ge=0, le=65535)
    # The gateway's own department token for calling the services.
    service_token: str = env_field("ECO_GATEWAY_TOKEN", default="dev-gateway-token")
    service_addresses: dict[str, str]
    # Public routes (code pages, petitions) allow this many requests per client per minute.
    public_rate_per_minute: int = env_field("ECO_PUBLIC_RATE_PER_MINUTE", default=120, ge=0)
    # The public code page shows a status at most this old (one look-up per token per period), and,
    # while the code service does not answer, the last known one up to `public_stale_seconds` old.
    public_status_ttl_seconds: float = env_field(
        "ECO_PUBLIC_STATUS_TTL_SECONDS", default=2.0, gt=0, lt=3600, allow_inf_nan=False
    )
    public_stale_seconds: float = env_field(
        "ECO_PUBLIC_STALE_SECONDS", default=1800.0, gt=0, lt=3600, allow_inf_nan=False
    )
    # Scans are counted in memory and sent to the code service this often (what a crash loses).
    scan_flush_seconds: float = env_field(
        "ECO_SCAN_FLUSH_SECONDS", default=1.0, gt=0, lt=3600, allow_inf_nan=False
    )
    # How long operators' sessions last (the console's cookie, the API's bearer session), and when
    # repeated failed sign-ins lock an account (0 failures: never) and for how long.
    session_seconds: float = env_field(
        "ECO_GATEWAY_SESSION_SECONDS", default=8 * 3600.0, gt=0, le=24 * 3600, allow_inf_nan=False
    )
    api_session_seconds: float = env_field(
        "ECO_GATEWAY_API_SESSION_SECONDS", default=3600.0, gt=0, le=24 * 3600, allow_inf_nan=False
    )
    lockout_failures: int = env_field("ECO_GATEWAY_LOCKOUT_FAILURES", default=5, ge=0)
    lockout_seconds: float = env_field(
        "ECO_GATEWAY_LOCKOUT_SECONDS", default=900.0, gt=0, le=24 * 3600, allow_inf_nan=False
    )
    # A machine token for the first administrator ("admin"), made at start-up when no account of that
    # name exists, so that the account API can be used at all on a new database; empty: none.
    admin_token: str = env_field("ECO_GATEWAY_ADMIN_TOKEN", default="")
    # The search indexer (gateway.search) runs in the gateway process unless ECO_GATEWAY_INDEXER=0.
    indexer_enabled: bool = env_field("ECO_GATEWAY_INDEXER", default=True)
    # Prefix of the search index's name (tests take their own so they never collide).
    search_index_prefix: str = env_field("ECO_SEARCH_INDEX_PREFIX", default="eco-")
    # Topics the indexer reads; empty: every service's topic (tests isolate themselves on their own).
    search_topics: tuple[str, ...] = env_field("ECO_SEARCH_TOPICS", default=())
    # Reverse proxies (addresses or networks) whose X-Forwarded-For/-Proto are believed; empty: none,
    # so the client address is always the connection's peer (rate limits cannot be reset by a header).
    trusted_proxies: tuple[str, ...] = env_field("ECO_GATEWAY_TRUSTED_PROXIES", default=())
    # Identical searches within this many seconds share one answer (gateway.search.recent); 0: off.
    search_recent_seconds: float = env_field(
        "ECO_SEARCH_RECENT_SECONDS", default=0.5, ge=0, lt=3600, allow_inf_nan=False
    )
    # The console map's tile URL template ({z}/{x}/{y}); empty (the default): no tiles, the grid
    # polygons are the base. Tiles from another origin are allowed by the console's CSP, and only them.
    console_tile_url: str = env_field("ECO_CONSOLE_TILE_URL", default="")
    console_tile_attribution: str = env_field("ECO_CONSOLE_TILE_ATTRIBUTION", default="")

    @field_validator("port", mode="before")
    @classmethod
    def _a_port(cls, raw: Any) -> Any:
        if isinstance(raw, str) and (not raw.isdigit() or not 0 < int(raw) < 65536):
            raise ValueError("expected a port number 1..65535")
        return raw

    @field_validator("public_rate_per_minute", mode="before")
    @classmethod
    def _whole(cls, raw: Any) -> Any:
        if isinstance(raw, str) and not raw.isdigit():
            raise ValueError("expected an integer")
        return raw

    @field_validator("indexer_enabled", mode="before")
    @classmethod
    def _one_or_zero(cls, raw: Any) -> Any:
        if isinstance(raw, str):
            if raw not in ("0", "1"):
                raise ValueError("expected 0 or 1")
            return raw == "1"
        return raw

    @field_validator("search_topics", mode="before")
    @classmethod
    def _topics(cls, raw: Any) -> Any:
        return _comma_list(raw)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _networks(cls, raw: Any) -> Any:
        proxies = _comma_list(raw)
        for proxy in proxies:
            try:
                ipaddress.ip_network(proxy, strict=False)
            except ValueError:
                raise ValueError(f"expected addresses or networks ({proxy!r} is neither)") from None
        return proxies

    @property
    def sessions(self) -> Policy:
        """How long sessions last and when failures lock an account (gateway.sessions)."""
        return Policy(
            cookie_seconds=self.session_seconds,
            bearer_seconds=self.api_session_seconds,
            lockout_failures=self.lockout_failures,
            lockout_seconds=self.lockout_seconds,
        )

    @field_validator("console_tile_url", mode="before")
    @classmethod
    def _tile_template(cls, raw: Any) -> Any:
        url = raw.strip() if isinstance(raw, str) else raw
        if url and not (
            url.startswith(("https://", "http://", "/"))
            and not url.startswith("//")
            and all(part in url for part in ("{z}", "{x}", "{y}"))
        ):
            raise ValueError("expected an http(s) URL or a /path with {z}, {x} and {y}")
        return url


def load(env: Mapping[str, str] = os.environ) -> GatewaySettings:
    """Read the gateway's settings; SettingsError stops the gateway naming the variable."""
    return GatewaySettings.from_env(
        env,
        base=shared_settings.load("gateway", env),
        service_addresses={name: shared_settings.service_address(name, env) for name in SERVICES},
    )
