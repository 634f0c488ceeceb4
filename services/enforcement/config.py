"""Enforcement's own settings (beyond shared Settings): evidence store, river lines, tracing, peers.

ECO_ENFORCEMENT_EVIDENCE_DIR       evidence content store (default <run dir>/evidence/enforcement)
ECO_ENFORCEMENT_RIVERS             river centre lines (default services/enforcement/data/rivers.json)
ECO_ENFORCEMENT_TRACE_MAX_M        farthest upstream distance tracing considers, metres (default 20000)
ECO_ENFORCEMENT_TRACE_WINDOW_HOURS each window of readings compared by tracing (default 6)
ECO_ENFORCEMENT_ESCALATION_SECONDS how often overdue cases are escalated (default 60)
ECO_ENFORCEMENT_SERVICE_TOKEN      department token for calling monitoring (dev: dev-platform-token)

Evidence in an S3-compatible object store instead of the directory (all optional; the endpoint
switches it on, and then the bucket and the key pair are required):
ECO_ENFORCEMENT_EVIDENCE_S3_ENDPOINT  e.g. https://minio.bureau.local:9000 (path-style requests)
ECO_ENFORCEMENT_EVIDENCE_S3_BUCKET    the bucket
ECO_ENFORCEMENT_EVIDENCE_S3_PREFIX    key prefix (default "evidence/")
ECO_ENFORCEMENT_EVIDENCE_S3_REGION    signature region (default us-east-1)
ECO_ENFORCEMENT_EVIDENCE_S3_ACCESS_KEY / _SECRET_KEY  the key pair (else AWS_ACCESS_KEY_ID /
                                      AWS_SECRET_ACCESS_KEY)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.enforcement.adapters.data_files import DATA
from services.enforcement.adapters.s3_store import S3Settings
from shared.settings import SettingsError, service_address

DEV_SERVICE_TOKEN = "dev-platform-token"


@dataclass(frozen=True)
class EnforcementConfig:
    evidence_dir: Path
    rivers_file: Path
    trace_max_m: float
    trace_window_hours: int
    escalation_seconds: float
    monitoring_address: str
    service_token: str
    # None: evidence content in evidence_dir.
    evidence_s3: S3Settings | None = None


def _number(env: Mapping[str, str], name: str, default: float, *, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(name, f"expected a number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(name, f"expected {low:g} to {high:g}, got {raw!r}")
    return value


def _s3(env: Mapping[str, str]) -> S3Settings | None:
    prefix = "ECO_ENFORCEMENT_EVIDENCE_S3_"
    endpoint = env.get(f"{prefix}ENDPOINT", "").strip()
    if not endpoint:
        return None
    if not endpoint.startswith(("http://", "https://")):
        raise SettingsError(f"{prefix}ENDPOINT", f"expected an http(s) URL, got {endpoint!r}")
    values = {
        "bucket": env.get(f"{prefix}BUCKET", "").strip(),
        "access_key": (env.get(f"{prefix}ACCESS_KEY") or env.get("AWS_ACCESS_KEY_ID") or "").strip(),
        "secret_key": (env.get(f"{prefix}SECRET_KEY") or env.get("AWS_SECRET_ACCESS_KEY") or "").strip(),
    }
    for name, value in values.items():
        if not value:
            raise SettingsError(f"{prefix}{name.upper()}", f"required with {prefix}ENDPOINT")
    return S3Settings(
        endpoint=endpoint,
        region=env.get(f"{prefix}REGION", "").strip() or "us-east-1",
        prefix=env.get(f"{prefix}PREFIX", "evidence/").strip(),
        **values,
    )


def load(env: Mapping[str, str], run_dir: Path) -> EnforcementConfig:
    """Read enforcement's settings; SettingsError stops the process naming the variable."""
    rivers = Path(env.get("ECO_ENFORCEMENT_RIVERS") or DATA / "rivers.json")
    if not rivers.is_file():
        raise SettingsError("ECO_ENFORCEMENT_RIVERS", f"no file {rivers}")
    return EnforcementConfig(
        evidence_dir=Path(env.get("ECO_ENFORCEMENT_EVIDENCE_DIR") or run_dir / "evidence" / "enforcement"),
        rivers_file=rivers,
        trace_max_m=_number(env, "ECO_ENFORCEMENT_TRACE_MAX_M", 20_000.0, low=100, high=200_000),
        trace_window_hours=int(_number(env, "ECO_ENFORCEMENT_TRACE_WINDOW_HOURS", 6, low=1, high=168)),
        escalation_seconds=_number(env, "ECO_ENFORCEMENT_ESCALATION_SECONDS", 60.0, low=0.05, high=86_400),
        monitoring_address=service_address("monitoring", env),
        service_token=env.get("ECO_ENFORCEMENT_SERVICE_TOKEN", "").strip() or DEV_SERVICE_TOKEN,
        evidence_s3=_s3(env),
    )
