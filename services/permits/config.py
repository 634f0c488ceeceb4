"""Permits' own settings (beyond shared Settings): how often the expiry scheduler runs.

ECO_PERMITS_EXPIRY_SECONDS   seconds between expiry runs (default 60)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from shared.settings import EnvironmentSettings, env_field

DEFAULT_EXPIRY_SECONDS = 60.0


class PermitsSettings(EnvironmentSettings):
    """The permits service's variables, checked at start-up."""

    component = "permits"
    expiry_seconds: float = env_field(
        "ECO_PERMITS_EXPIRY_SECONDS", default=DEFAULT_EXPIRY_SECONDS, gt=0, allow_inf_nan=False
    )


def load(env: Mapping[str, str] = os.environ) -> PermitsSettings:
    """Read permits' settings; SettingsError stops the process naming the variable."""
    return PermitsSettings.from_env(env)
