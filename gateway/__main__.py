"""python -m gateway: serve the REST API (port 8000 by default)."""

from gateway import config
from gateway.app import create_app
from gateway.serve import GatewayServer, server_config
from shared import logs

if __name__ == "__main__":
    settings = config.load()
    logs.configure("gateway", settings.base.log_level)
    GatewayServer(server_config(create_app(settings), settings)).run()
