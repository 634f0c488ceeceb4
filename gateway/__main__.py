"""python -m gateway: serve the REST API (port 8000 by default)."""

import uvicorn

from gateway import config
from gateway.app import create_app
from shared import logs

if __name__ == "__main__":
    settings = config.load()
    logs.configure("gateway", settings.base.log_level)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
