"""Checks that hold for every test session, before any test module is imported."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop with the install command, not an ImportError deep in a test module, when a system
    package of deploy/system-packages.txt is missing (`make test` installs them as root)."""
    script = REPO / "deploy" / "local" / "system-packages.sh"
    missing = subprocess.run(["bash", str(script), "missing"], capture_output=True, text=True, check=True)
    packages = missing.stdout.split()
    if packages:
        pytest.exit(
            f"system packages missing: {' '.join(packages)}; install them with\n"
            f"    sudo apt-get install -y --no-install-recommends {' '.join(packages)}\n"
            "(or run `make test` as root, which installs them)",
            returncode=4,
        )
