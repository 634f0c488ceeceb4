"""The demo city's risk part (services/risk) through its gRPC API, safe to load again: supply depots
with stock across the towns, HJ 941-2018 assessments of the chemical and electroplating plants, hidden
hazards (one overdue, one rectified and verified, one open), hazardous-waste manifests (one whose
received weight does not match), disused radioactive sources (one disposed, one held) and one past
emergency whose dispatches were delivered and closed
(the data: risk_data.py).

The risk API has no natural keys (its ids are the server's UUIDs), so each step first lists what
exists and matches it by what the demo names it: a depot's name, an assessment's filing number, a
hazard's or an emergency's title, a manifest's producer and waste code, a source's serial.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from deploy.demo.registry import DEMO_ACTOR, pb_date
from deploy.demo.risk_data import (
    ASSESSMENTS,
    DEPOTS,
    EMERGENCY_DAYS_AGO,
    EMERGENCY_NEEDS,
    EMERGENCY_SERIAL,
    EMERGENCY_TITLE,
    FOLLOW_UP_NEEDS,
    HAZARDS,
    MANIFESTS,
    PAGE,
    RECEIVER,
    SOURCE_RECEIVER,
    SOURCES,
    STEPS,
    DemoAssessment,
    DemoDepot,
    DemoHazard,
    DemoManifest,
    DemoSource,
    amounts,
    enterprise,
    point,
)
from deploy.demo.story import StoryNotTold
from eco.v1 import risk_pb2, risk_pb2_grpc
from shared.china_time import local_day
from shared.grpc.client import call_metadata

R = risk_pb2


def _ts(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


# ----------------------------------------------------------------------------------------- steps
class RiskLoader:
    """Each part of the demo's risk, loaded from wherever an earlier load stopped."""

    def __init__(self, stub: risk_pb2_grpc.RiskServiceStub, token: str, now: datetime) -> None:
        self.stub, self.md, self.now = stub, call_metadata(token), now

    def _ago(self, days: float) -> Timestamp:
        return _ts(self.now - timedelta(days=days))

    def wait_until_known(self, serials: list[int], timeout: float = 60) -> None:
        """Until risk heard of these enterprises from the registry (their towns and sites), so that
        what the demo records there is placed in its town."""
        deadline = time.monotonic() + timeout
        waiting = sorted(set(serials))
        while waiting:
            for serial in list(waiting):
                try:
                    request = R.GetEnterpriseRiskRequest(uscc=enterprise(serial).uscc)
                    self.stub.GetEnterpriseRisk(request, metadata=self.md)
                    waiting.remove(serial)
                except grpc.RpcError as exc:
                    if exc.code() != grpc.StatusCode.NOT_FOUND:  # type: ignore[attr-defined]
                        raise
            if waiting and time.monotonic() > deadline:
                names = ", ".join(enterprise(s).uscc for s in waiting)
                raise TimeoutError(f"risk did not learn of {names} from the registry in {timeout:g} s")
            if waiting:
                time.sleep(0.5)

    def depot(self, d: DemoDepot) -> str:
        """The depot with its stock (created once)."""
        found = self.stub.ListDepots(R.ListDepotsRequest(town=d.town, page=PAGE), metadata=self.md)
        if any(x.name == d.name for x in found.depots):
            return f"{d.name} ({d.town}): already there"
        stock = [R.StockLine(amount=a) for a in amounts(d.stock)]
        depot = R.SupplyDepot(
            name=d.name, location=d.location, town=d.town, department=d.department, stock=stock, active=True
        )
        self.stub.CreateDepot(R.CreateDepotRequest(depot=depot), metadata=self.md)
        return f"{d.name} ({d.town}): created with {len(stock)} items"

    def assessment(self, a: DemoAssessment) -> str:
        """The plant's filed assessment (recorded once); raises when its level is not the expected."""
        e = enterprise(a.serial)
        held = self.stub.ListAssessments(R.ListAssessmentsRequest(uscc=e.uscc, page=PAGE), metadata=self.md)
        found = next((x for x in held.assessments if x.document_ref == a.filing), None)
        if found is None:
            assessed_on = local_day(self.now) - timedelta(days=60)
            # 突发环境事件应急预案管理暂行办法 art. 12: the plan and its assessment are revised every 3 years.
            review_by = assessed_on + timedelta(days=3 * 365)
            record = R.RiskAssessment(
                uscc=e.uscc,
                source=R.ASSESSMENT_SOURCE_SELF,
                assessed_on=pb_date(assessed_on),
                review_by=pb_date(review_by),
                document_ref=a.filing,
                assessor=DEMO_ACTOR,
                inputs=a.inputs,
            )
            found = self.stub.RecordAssessment(R.RecordAssessmentRequest(assessment=record), metadata=self.md)
        if found.level != a.expected:
            raise StoryNotTold(
                f"{e.name}: assessed {R.RiskLevel.Name(found.level)}, the demo expects"
                f" {R.RiskLevel.Name(a.expected)} ({found.code})"
            )
        return f"{e.name}: {found.code}"

    def hazard(self, h: DemoHazard) -> str:
        """The hazard reported (once) and brought to its state: open, overdue, or rectified and verified."""
        e = enterprise(h.serial)
        listed = self.stub.ListHazards(R.ListHazardsRequest(uscc=e.uscc, page=PAGE), metadata=self.md)
        found = next((x for x in listed.hazards if x.title == h.title), None)
        if found is None:
            lat, lon = e.location
            found = self.stub.ReportHazard(
                R.ReportHazardRequest(
                    uscc=e.uscc,
                    title=h.title,
                    description=h.title,
                    grade=h.grade,
                    source=h.source,
                    location=point(lat, lon),
                    found_at=self._ago(h.found_days_ago),
                    rectify_by=self._ago(-h.due_in_days),
                    required_measures=h.measures,
                    actor=DEMO_ACTOR,
                ),
                metadata=self.md,
            )
        if h.rectified_days_ago is not None and found.status == R.HAZARD_STATUS_OPEN:
            found = self.stub.RecordHazardRectification(
                R.RecordHazardRectificationRequest(
                    hazard_id=found.hazard_id,
                    measures=h.measures,
                    evidence_refs=[f"整改照片 {h.serial}-1", f"验收报告 {h.serial}-2"],
                    completed_at=self._ago(h.rectified_days_ago),
                    actor=DEMO_ACTOR,
                ),
                metadata=self.md,
            )
        if h.rectified_days_ago is not None and found.status == R.HAZARD_STATUS_RECTIFIED:
            found = self.stub.VerifyHazardRectification(
                R.VerifyHazardRectificationRequest(
                    hazard_id=found.hazard_id, accepted=True, note="现场复核合格", actor=DEMO_ACTOR
                ),
                metadata=self.md,
            )
        status = R.HazardStatus.Name(found.status).removeprefix("HAZARD_STATUS_").lower()
        return f"{e.name}: {h.title}: {status}" + (" (overdue)" if found.overdue else "")

    def manifest(self, m: DemoManifest) -> str:
        """The manifest generated (once) and moved to its last demo step with the weights recorded."""
        e = enterprise(m.serial)
        listed = self.stub.ListManifests(
            R.ListManifestsRequest(producer_uscc=e.uscc, page=PAGE), metadata=self.md
        )
        found = next((x for x in listed.manifests if x.waste_code == m.waste_code), None)
        if found is None:
            found = self.stub.CreateManifest(
                R.CreateManifestRequest(
                    producer_uscc=e.uscc,
                    waste_code=m.waste_code,
                    waste_name=m.waste_name,
                    receiver=RECEIVER,
                    quantity_kg=m.generated_kg,
                    actor=DEMO_ACTOR,
                ),
                metadata=self.md,
            )
        for step, kg in zip(STEPS, m.weighed, strict=False):
            if found.status < step:
                request = R.RecordManifestStepRequest(
                    manifest_id=found.manifest_id, step=step, quantity_kg=kg, actor=DEMO_ACTOR
                )
                found = self.stub.RecordManifestStep(request, metadata=self.md)
        status = R.ManifestStatus.Name(found.status).removeprefix("MANIFEST_STATUS_").lower()
        return f"{e.name}: {m.waste_code} {m.waste_name} {m.generated_kg:g} kg, {status}" + (
            " (quantity mismatch)" if found.mismatched else ""
        )

    def source(self, s: DemoSource) -> str:
        """The disused source recorded (once) and, when the demo says so, its safe disposal."""
        e = enterprise(s.serial)
        listed = self.stub.ListDisusedSources(
            R.ListDisusedSourcesRequest(uscc=e.uscc, page=PAGE), metadata=self.md
        )
        found = next((x for x in listed.sources if x.serial == s.source_serial), None)
        if found is None:
            found = self.stub.RecordDisusedSource(
                R.RecordDisusedSourceRequest(
                    uscc=e.uscc,
                    kind="source",
                    nuclide=s.nuclide,
                    category=s.category,
                    serial=s.source_serial,
                    disused_on=pb_date(local_day(self.now) - timedelta(days=s.disused_days_ago)),
                    actor=DEMO_ACTOR,
                ),
                metadata=self.md,
            )
        if s.disposed_days_ago is not None and not found.HasField("disposed_on"):
            found = self.stub.RecordSourceDisposal(
                R.RecordSourceDisposalRequest(
                    source_id=found.source_id,
                    route="returned_to_producer",
                    receiver=SOURCE_RECEIVER,
                    certificate_ref=f"RET-{s.source_serial}",
                    disposed_on=pb_date(local_day(self.now) - timedelta(days=s.disposed_days_ago)),
                    actor=DEMO_ACTOR,
                ),
                metadata=self.md,
            )
        state = "disposed" if found.HasField("disposed_on") else "held"
        return f"{e.name}: {s.nuclide} {s.source_serial}, {state}"

    def emergency(self) -> Iterator[str]:
        """The past emergency: declared (its first dispatch in the same step), a follow-up dispatch,
        both delivered, then closed; says what it did."""
        e = enterprise(EMERGENCY_SERIAL)
        listed = self.stub.ListEmergencies(R.ListEmergenciesRequest(uscc=e.uscc, page=PAGE), metadata=self.md)
        found = next((x for x in listed.emergencies if x.title == EMERGENCY_TITLE), None)
        if found is None:
            lat, lon = e.location
            found = self.stub.DeclareEmergency(
                R.DeclareEmergencyRequest(
                    title=EMERGENCY_TITLE,
                    kind="chemical_leak",
                    grade=R.EMERGENCY_GRADE_IV,
                    location=point(lat, lon),
                    radius_m=500,
                    uscc=e.uscc,
                    description="储罐区法兰垫片老化，约2吨31%盐酸泄漏至围堰内，未流出厂界",
                    needs=amounts(EMERGENCY_NEEDS),
                    occurred_at=self._ago(EMERGENCY_DAYS_AGO),
                    actor=DEMO_ACTOR,
                ),
                metadata=self.md,
            )
            yield f"declared: {EMERGENCY_TITLE} (grade IV, {EMERGENCY_DAYS_AGO} days ago)"
        if found.status != R.EMERGENCY_STATUS_CLOSED and len(found.dispatch_ids) < 2:
            self.stub.DispatchSupplies(
                R.DispatchSuppliesRequest(
                    emergency_id=found.emergency_id, needs=amounts(FOLLOW_UP_NEEDS), actor=DEMO_ACTOR
                ),
                metadata=self.md,
            )
            found = self.stub.GetEmergency(
                R.GetEmergencyRequest(emergency_id=found.emergency_id), metadata=self.md
            )
        for dispatch_id in found.dispatch_ids:
            order = self.stub.GetDispatchOrder(
                R.GetDispatchOrderRequest(dispatch_id=dispatch_id), metadata=self.md
            )
            if order.status == R.DISPATCH_STATUS_DISPATCHED:
                order = self.stub.ConfirmDelivery(
                    R.ConfirmDeliveryRequest(dispatch_id=dispatch_id, actor=DEMO_ACTOR), metadata=self.md
                )
            depots = sorted({line.depot_name for line in order.lines})
            unmet = f", unmet {len(order.unmet)} item(s)" if order.unmet else ""
            status = R.DispatchStatus.Name(order.status).removeprefix("DISPATCH_STATUS_").lower()
            yield f"dispatch from {', '.join(depots)}: {status}{unmet}"
        if found.status != R.EMERGENCY_STATUS_CLOSED:
            found = self.stub.CloseEmergency(
                R.CloseEmergencyRequest(
                    emergency_id=found.emergency_id,
                    summary="泄漏盐酸已中和收集并委托处置，周边水体监测未见异常，应急响应终止",
                    actor=DEMO_ACTOR,
                ),
                metadata=self.md,
            )
        status = R.EmergencyStatus.Name(found.status).removeprefix("EMERGENCY_STATUS_").lower()
        yield f"{EMERGENCY_TITLE}: {status}"


def load(stub: risk_pb2_grpc.RiskServiceStub, token: str, now: datetime) -> Iterator[str]:
    """Every part of the demo's risk, a line for each thing loaded or found."""
    loader = RiskLoader(stub, token, now)
    serials = [a.serial for a in ASSESSMENTS] + [h.serial for h in HAZARDS] + [m.serial for m in MANIFESTS]
    serials += [src.serial for src in SOURCES]
    loader.wait_until_known(serials)
    for d in DEPOTS:
        yield f"depot {loader.depot(d)}"
    for a in ASSESSMENTS:
        yield f"assessment {loader.assessment(a)}"
    for h in HAZARDS:
        yield f"hazard {loader.hazard(h)}"
    for m in MANIFESTS:
        yield f"manifest {loader.manifest(m)}"
    for src in SOURCES:
        yield f"disused source {loader.source(src)}"
    for line in loader.emergency():
        yield f"emergency {line}"
