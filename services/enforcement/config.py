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

from pydantic import field_validator

from services.enforcement.adapters.data_files import DATA
from services.enforcement.adapters.s3_store import S3Settings
from shared.settings import EnvironmentSettings, SettingsError, env_field, service_address

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


class EnforcementSettings(EnvironmentSettings):
    """Enforcement's variables (ECO_ENFORCEMENT_*), checked at start-up."""

    component = "enforcement"
    evidence_dir: Path | None = env_field("ECO_ENFORCEMENT_EVIDENCE_DIR", default=None)
    rivers: Path = env_field("ECO_ENFORCEMENT_RIVERS", default=DATA / "rivers.json")
    trace_max_m: float = env_field("ECO_ENFORCEMENT_TRACE_MAX_M", default=20_000.0, ge=100, le=200_000)
    trace_window_hours: float = env_field("ECO_ENFORCEMENT_TRACE_WINDOW_HOURS", default=6, ge=1, le=168)
    escalation_seconds: float = env_field(
        "ECO_ENFORCEMENT_ESCALATION_SECONDS", default=60.0, ge=0.05, le=86_400
    )
    service_token: str = env_field("ECO_ENFORCEMENT_SERVICE_TOKEN", default=DEV_SERVICE_TOKEN)
    s3_endpoint: str = env_field("ECO_ENFORCEMENT_EVIDENCE_S3_ENDPOINT", default="")
    s3_bucket: str = env_field("ECO_ENFORCEMENT_EVIDENCE_S3_BUCKET", default="")
    s3_prefix: str = env_field("ECO_ENFORCEMENT_EVIDENCE_S3_PREFIX", default="evidence/")
    s3_region: str = env_field("ECO_ENFORCEMENT_EVIDENCE_S3_REGION", default="us-east-1")
    s3_access_key: str = env_field("ECO_ENFORCEMENT_EVIDENCE_S3_ACCESS_KEY", "AWS_ACCESS_KEY_ID", default="")
    s3_secret_key: str = env_field(
        "ECO_ENFORCEMENT_EVIDENCE_S3_SECRET_KEY", "AWS_SECRET_ACCESS_KEY", default=""
    )

    @field_validator("s3_endpoint")
    @classmethod
    def _url(cls, endpoint: str) -> str:
        endpoint = endpoint.strip()
        if endpoint and not endpoint.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return endpoint

    def _s3(self) -> S3Settings | None:
        """The object store's settings when its endpoint is set; bucket and keys are then required."""
        if not self.s3_endpoint:
            return None
        for field in ("s3_bucket", "s3_access_key", "s3_secret_key"):
            if not getattr(self, field).strip():
                raise SettingsError(
                    self.variable(field), "required with ECO_ENFORCEMENT_EVIDENCE_S3_ENDPOINT"
                )
        return S3Settings(
            endpoint=self.s3_endpoint,
            bucket=self.s3_bucket.strip(),
            access_key=self.s3_access_key.strip(),
            secret_key=self.s3_secret_key.strip(),
            region=self.s3_region.strip() or "us-east-1",
            prefix=self.s3_prefix.strip(),
        )

    @field_validator("rivers")
    @classmethod
    def _a_file(cls, rivers: Path) -> Path:
        if not rivers.is_file():
            raise ValueError(f"no file {rivers}")
        return rivers

    @field_validator("service_token")
    @classmethod
    def _token(cls, token: str) -> str:
        return token.strip() or DEV_SERVICE_TOKEN

    def config(self, env: Mapping[str, str], run_dir: Path) -> EnforcementConfig:
        """The values the service runs with (the evidence store defaults under the run dir)."""
        return EnforcementConfig(
            evidence_dir=self.evidence_dir or run_dir / "evidence" / "enforcement",
            rivers_file=self.rivers,
            trace_max_m=self.trace_max_m,
            trace_window_hours=int(self.trace_window_hours),
            escalation_seconds=self.escalation_seconds,
            monitoring_address=service_address("monitoring", env),
            service_token=self.service_token,
            evidence_s3=self._s3(),
        )


def load(env: Mapping[str, str], run_dir: Path) -> EnforcementConfig:
    """Read enforcement's settings; SettingsError stops the process naming the variable."""
    return EnforcementSettings.from_env(env).config(env, run_dir)
