"""How uvicorn serves the gateway: no forwarded headers of its own, no Server header, header limits."""

from __future__ import annotations

from fastapi import FastAPI
from uvicorn import Config

from gateway.config import GatewaySettings
from gateway.edge.limits import HEADER_LIMIT


def server_config(app: FastAPI, settings: GatewaySettings) -> Config:
    """The uvicorn configuration of the gateway process."""
    return Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        # Uvicorn believes X-Forwarded-For from 127.0.0.1 by default, which lets any local caller (or
        # a proxy that passes the header on) choose its own address. The app decides instead, from
        # ECO_GATEWAY_TRUSTED_PROXIES (gateway.app), so the default trusts nobody.
        proxy_headers=False,
        forwarded_allow_ips="",
        server_header=False,  # "Server: uvicorn" tells a prober what to try
        # h11 refuses a request head that grows past this while incomplete; the app checks the total.
        h11_max_incomplete_event_size=HEADER_LIMIT + 4096,
    )
