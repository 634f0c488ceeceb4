"""python -m services.permits (ECO_PERMITS_EXPIRY_SECONDS: how often the expiry scheduler runs)."""

from services.permits.bootstrap import build
from shared import runtime, settings

if __name__ == "__main__":
    runtime.run(build(settings.load("permits")))
