"""What the risk service announces, as plain domain values; entrypoints/messages.py turns each into
its protobuf payload (risk.proto's events)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from services.risk.domain.emergencies import Emergency
from services.risk.domain.hazards import Hazard, HazardStatus
from services.risk.domain.manifests import Manifest, Mismatch
from services.risk.domain.radioactive import DisusedSource
from services.risk.domain.records import Assessment, Depot, DispatchOrder, DispatchStatus, StockLine
from services.risk.domain.supplies import Amount
from services.risk.domain.values import RiskLevel


class ChangeCause(enum.Enum):
    """Why an enterprise's effective level changed (the contract's RiskChangeCause)."""

    ASSESSMENT = "assessment"
    HAZARD_OVERDUE = "hazard_overdue"
    HAZARD_CLOSED = "hazard_closed"
    PENALTY = "penalty"
    EXCEEDANCE = "exceedance"
    MANUAL = "manual"


@dataclass(frozen=True)
class RiskAssessed:
    assessment: Assessment


@dataclass(frozen=True)
class RiskLevelChanged:
    uscc: str
    previous: RiskLevel | None
    level: RiskLevel | None
    cause: ChangeCause
    source_ref: str
    town: str


@dataclass(frozen=True)
class HazardReported:
    hazard: Hazard


@dataclass(frozen=True)
class HazardOverdue:
    hazard: Hazard


@dataclass(frozen=True)
class HazardUpdated:
    hazard: Hazard
    previous_status: HazardStatus


@dataclass(frozen=True)
class HazardClosed:
    hazard: Hazard


@dataclass(frozen=True)
class EmergencyDeclared:
    emergency: Emergency


@dataclass(frozen=True)
class EmergencyRegraded:
    emergency: Emergency
    previous_grade: int
    reason: str


@dataclass(frozen=True)
class EmergencyClosed:
    emergency: Emergency


@dataclass(frozen=True)
class SuppliesDispatched:
    order: DispatchOrder
    emergency: Emergency


@dataclass(frozen=True)
class SupplyShortage:
    emergency_id: str
    dispatch_id: str
    unmet: tuple[Amount, ...]


@dataclass(frozen=True)
class DispatchUpdated:
    order: DispatchOrder
    previous_status: DispatchStatus


@dataclass(frozen=True)
class DepotChanged:
    depot: Depot


@dataclass(frozen=True)
class StockChanged:
    depot_id: str
    item_code: str
    previous: float
    quantity: float
    reason: str
    dispatch_id: str = ""


@dataclass(frozen=True)
class StockLow:
    depot: Depot
    line: StockLine


@dataclass(frozen=True)
class ManifestChanged:
    manifest: Manifest


@dataclass(frozen=True)
class ManifestMismatched:
    manifest: Manifest
    mismatch: Mismatch


@dataclass(frozen=True)
class ManifestStuck:
    manifest: Manifest


@dataclass(frozen=True)
class DisusedSourceChanged:
    source: DisusedSource
