"""Gateway settings, from the environment, parsed once at start-up."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from shared import settings as shared_settings
from shared.topology import SERVICES


@dataclass(frozen=True)
class GatewaySettings:
    base: shared_settings.Settings
    host: str
    port: int
    # The gateway's own department token for calling the services.
    service_token: str
    service_addresses: dict[str, str]
    # Public routes (code pages, petitions) allow this many requests per client per minute.
    public_rate_per_minute: int
    # The public code page shows a status at most this old (one look-up per token per period), and,
    # while the code service does not answer, the last known one up to `public_stale_seconds` old.
    public_status_ttl_seconds: float
    public_stale_seconds: float
    # Scans are counted in memory and sent to the code service this often (what a crash loses).
    scan_flush_seconds: float
    # Signs operators' session cookies; the same on every replica. Empty: a key made per process.
    session_key: str
    # The search indexer (gateway.search) runs in the gateway process unless ECO_GATEWAY_INDEXER=0.
    indexer_enabled: bool
    # Prefix of the search index's name (tests take their own so they never collide).
    search_index_prefix: str
    # Topics the indexer reads; empty: every service's topic (tests isolate themselves on their own).
    search_topics: tuple[str, ...]
    # Reverse proxies (addresses or networks) whose X-Forwarded-For/-Proto are believed; empty: none,
    # so the client address is always the connection's peer (rate limits cannot be reset by a header).
    trusted_proxies: tuple[str, ...] = ()
    # Identical searches within this many seconds share one answer (gateway.search.recent); 0: off.
    search_recent_seconds: float = 0.5


def load(env: Mapping[str, str] = os.environ) -> GatewaySettings:
    """Read the gateway's settings."""
    port_raw = env.get("ECO_GATEWAY_PORT", "8000")
    if not port_raw.isdigit() or not 0 < int(port_raw) < 65536:
        raise shared_settings.SettingsError(
            "ECO_GATEWAY_PORT", f"expected a port number 1..65535, got {port_raw!r}"
        )
    rate_raw = env.get("ECO_PUBLIC_RATE_PER_MINUTE", "120")
    if not rate_raw.isdigit():
        raise shared_settings.SettingsError(
            "ECO_PUBLIC_RATE_PER_MINUTE", f"expected an integer, got {rate_raw!r}"
        )
    indexer_raw = env.get("ECO_GATEWAY_INDEXER", "1")
    if indexer_raw not in ("0", "1"):
        raise shared_settings.SettingsError("ECO_GATEWAY_INDEXER", f"expected 0 or 1, got {indexer_raw!r}")
    topics = tuple(t.strip() for t in env.get("ECO_SEARCH_TOPICS", "").split(",") if t.strip())
    proxies = tuple(p.strip() for p in env.get("ECO_GATEWAY_TRUSTED_PROXIES", "").split(",") if p.strip())
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise shared_settings.SettingsError(
                "ECO_GATEWAY_TRUSTED_PROXIES", f"expected addresses or networks, got {proxy!r}"
            ) from None
    return GatewaySettings(
        base=shared_settings.load("gateway", env),
        host=env.get("ECO_GATEWAY_HOST", "127.0.0.1"),
        port=int(port_raw),
        service_token=env.get("ECO_GATEWAY_TOKEN", "dev-gateway-token"),
        service_addresses={name: shared_settings.service_address(name, env) for name in SERVICES},
        public_rate_per_minute=int(rate_raw),
        public_status_ttl_seconds=shared_settings.seconds(env, "ECO_PUBLIC_STATUS_TTL_SECONDS", 2.0),
        public_stale_seconds=shared_settings.seconds(env, "ECO_PUBLIC_STALE_SECONDS", 1800.0),
        scan_flush_seconds=shared_settings.seconds(env, "ECO_SCAN_FLUSH_SECONDS", 1.0),
        session_key=env.get("ECO_GATEWAY_SESSION_KEY", ""),
        indexer_enabled=indexer_raw == "1",
        search_index_prefix=env.get("ECO_SEARCH_INDEX_PREFIX", "eco-"),
        search_topics=topics,
        trusted_proxies=proxies,
        search_recent_seconds=(
            0.0
            if env.get("ECO_SEARCH_RECENT_SECONDS", "").strip() == "0"
            else shared_settings.seconds(env, "ECO_SEARCH_RECENT_SECONDS", 0.5)
        ),
    )
