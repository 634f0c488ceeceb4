"""python -m services.permits (ECO_PERMITS_EXPIRY_SECONDS: how often the expiry scheduler runs)."""

import os

from services.permits.bootstrap import DEFAULT_EXPIRY_SECONDS, build
from shared import runtime, settings

if __name__ == "__main__":
    raw = os.environ.get("ECO_PERMITS_EXPIRY_SECONDS", "")
    try:
        every = float(raw) if raw else DEFAULT_EXPIRY_SECONDS
    except ValueError:
        raise settings.SettingsError(
            "ECO_PERMITS_EXPIRY_SECONDS", f"expected a number, got {raw!r}"
        ) from None
    if every <= 0:
        raise settings.SettingsError("ECO_PERMITS_EXPIRY_SECONDS", f"must be positive, got {every}")
    runtime.run(build(settings.load("permits"), expiry_every=every))
