"""The demo city's center (一中心) in the enforcement service: grids, commissioners and a ledger with
cases at every stage of the closed loop, all through its gRPC API and safe to load again.

Towns are cut from the city's rectangle (REFERENCE.md: 121.0–121.55° E, 30.0–30.4° N) by a Voronoi
diagram of their centres, so the grids tile the city without overlap; each town has one grid below
it, `<town>-1`, the grid the registry names for its enterprises.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import shapely
from google.protobuf.timestamp_pb2 import Timestamp
from shapely.geometry import MultiPoint, Polygon, box

from deploy.demo import city
from deploy.demo.registry import created
from deploy.demo.story import StoryNotTold
from eco.v1 import common_pb2, enforcement_pb2, enforcement_pb2_grpc
from shared.grpc.client import call_metadata

CITY_BOX = (121.0, 30.0, 121.55, 30.4)  # min lon, min lat, max lon, max lat
# Town grids stay this far inside the city's edge, so that floating-point cuts never cross it.
INSET = 1e-5
CITY_GRID = "330282"
BUREAU = "慈溪市生态环境局"
ACTOR = common_pb2.Actor(department="bureau", user="demo-loader", reason="demo city")
OFFICERS = ["I-DEMO-01", "I-DEMO-02"]
Stage = enforcement_pb2.CaseStage
S = enforcement_pb2


def town_cells() -> dict[str, Polygon]:
    """Each town's part of the city: its Voronoi cell, cut to the city's rectangle."""
    inner = box(CITY_BOX[0] + INSET, CITY_BOX[1] + INSET, CITY_BOX[2] - INSET, CITY_BOX[3] - INSET)
    centres = {town: (lon, lat) for town, (lat, lon) in city.TOWNS.items()}
    cells = shapely.voronoi_polygons(MultiPoint(list(centres.values())), extend_to=inner)
    found: dict[str, Polygon] = {}
    for cell in cells.geoms:
        town = next(t for t, c in centres.items() if cell.contains(shapely.Point(c)))
        found[town] = cell.intersection(inner)
    return found


def town_of(lat: float, lon: float) -> str:
    """The town whose demo grid holds a point (the nearest centre: the Voronoi cell)."""
    return min(city.TOWNS, key=lambda t: (city.TOWNS[t][0] - lat) ** 2 + (city.TOWNS[t][1] - lon) ** 2)


def _ring(polygon: Polygon) -> list[common_pb2.GeoPoint]:
    """The boundary as the contract wants it: WGS84 points, the first not repeated at the end."""
    return [common_pb2.GeoPoint(lat=lat, lon=lon) for lon, lat in polygon.exterior.coords[:-1]]


def load_grids(stub: enforcement_pb2_grpc.EnforcementServiceStub, token: str) -> Iterator[str]:
    """The city grid, a grid per town and one below each, with a commissioner each; says what it did."""
    md = call_metadata(token)
    whole = box(*CITY_BOX)
    city_grid = S.Grid(grid_id=CITY_GRID, name="慈溪市", level=1, boundary=_ring(whole))
    done = created(partial(stub.CreateGrid, S.CreateGridRequest(grid=city_grid), metadata=md))
    yield f"city grid {CITY_GRID}: {'created' if done else 'already there'}"
    for n, (town, cell) in enumerate(sorted(town_cells().items()), start=1):
        ring = _ring(cell)
        made = 0
        for grid in (
            S.Grid(grid_id=town, name=f"{town}", town=town, level=2, parent_grid_id=CITY_GRID, boundary=ring),
            S.Grid(
                grid_id=f"{town}-1",
                name=f"{town}第一网格",
                town=town,
                level=3,
                parent_grid_id=town,
                boundary=ring,
            ),
        ):
            request = S.CreateGridRequest(grid=grid)
            made += created(partial(stub.CreateGrid, request, metadata=md))
        commissioner = S.Commissioner(
            commissioner_id=f"GC-{n:02d}",
            name=f"{town}网格员",
            phone=f"0574-6301{n:04d}",
            grid_ids=[f"{town}-1"],
            department=f"{town}网格办",
            active=True,
        )
        request_c = S.CreateCommissionerRequest(commissioner=commissioner)
        made += created(partial(stub.CreateCommissioner, request_c, metadata=md))
        yield f"{town}: {made} of 3 created (grids {town}, {town}-1, commissioner GC-{n:02d})"


@dataclass(frozen=True)
class DemoCase:
    ref: str
    serial: int  # the demo enterprise concerned
    title: str
    category: str
    target: enforcement_pb2.CaseStage  # the stage to bring it to
    outcome: enforcement_pb2.CaseOutcome = S.CASE_OUTCOME_UNSPECIFIED
    waiver: str = ""  # minor-violation list item: a waived decision
    escalate: bool = False


CASES = [
    DemoCase("demo:1", 105, "群众反映周巷家电厂夜间异味", "air", Stage.CASE_STAGE_DISCOVERED),
    DemoCase(
        "demo:2",
        110,
        "新浦金属表面处理厂雨水口疑似含镍废水",
        "water",
        Stage.CASE_STAGE_DISCOVERED,
        escalate=True,
    ),
    DemoCase("demo:3", 107, "长河造纸厂废水总排口色度异常", "water", Stage.CASE_STAGE_TRACED),
    DemoCase(
        "demo:4", 108, "横河医药化工危废暂存间标识缺失", "solid_waste", Stage.CASE_STAGE_EVIDENCE_LOCKED
    ),
    DemoCase("demo:5", 114, "崇寿塑料厂废气收集设施未运行", "air", Stage.CASE_STAGE_INVESTIGATED),
    DemoCase("demo:6", 104, "坎墩纺织印染厂COD超标排放", "water", Stage.CASE_STAGE_DECIDED),
    DemoCase(
        "demo:7",
        117,
        "古塘汽车零部件厂排污口标志牌缺失",
        "water",
        Stage.CASE_STAGE_RECTIFIED,
        waiver="ZJ-W-01",
    ),
    DemoCase(
        "demo:8",
        101,
        "浒山印染厂超标排放已整改",
        "water",
        Stage.CASE_STAGE_CLOSED,
        outcome=S.CASE_OUTCOME_PENALIZED,
    ),
    DemoCase(
        "demo:9",
        113,
        "胜山电器厂噪声投诉经核查不属实",
        "noise",
        Stage.CASE_STAGE_CLOSED,
        outcome=S.CASE_OUTCOME_NO_VIOLATION,
    ),
]


def _ts(when: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(when)
    return stamp


class Ledger:
    """Opens the demo's problems and walks their cases through the loop, from wherever they are."""

    def __init__(self, stub: enforcement_pb2_grpc.EnforcementServiceStub, token: str, now: datetime) -> None:
        self.stub, self.md, self.now = stub, call_metadata(token), now

    def load(self, c: DemoCase) -> str:
        """Bring one demo case to its stage; says where it is."""
        e = next(x for x in city.ENTERPRISES if x.serial == c.serial)
        lat, lon = e.location
        problem = self.stub.OpenProblem(
            S.OpenProblemRequest(
                source=S.PROBLEM_SOURCE_MANUAL,
                source_ref=c.ref,
                title=c.title,
                description=c.title,
                category=c.category,
                uscc=e.uscc,
                location=common_pb2.GeoPoint(lat=lat, lon=lon),
                occurred_at=_ts(self.now - timedelta(days=3)),
                actor=ACTOR,
            ),
            metadata=self.md,
        )
        case = self.stub.GetCase(S.GetCaseRequest(case_id=problem.case_id), metadata=self.md)
        while case.stage < c.target and case.stage != Stage.CASE_STAGE_CLOSED:
            case = self._step(case, c, e.uscc)
        if c.escalate and case.escalation_level == 0:
            case = self.stub.EscalateCase(
                S.EscalateCaseRequest(
                    case_id=case.case_id,
                    reason=S.ESCALATION_REASON_MANUAL,
                    owner=S.Assignee(department=f"{e.town}人民政府"),
                    actor=ACTOR,
                ),
                metadata=self.md,
            )
        stage = Stage.Name(case.stage).removeprefix("CASE_STAGE_").lower()
        return f"{case.case_number} {c.title}: {stage}" + (" (escalated)" if case.escalation_level else "")

    def _step(self, case: enforcement_pb2.Case, c: DemoCase, uscc: str) -> enforcement_pb2.Case:
        """The one step that takes `case` from its stage to the next."""
        stub, md, cid = self.stub, self.md, case.case_id
        if case.stage == Stage.CASE_STAGE_DISCOVERED:
            return stub.TraceCase(
                S.TraceCaseRequest(case_id=cid, responsible_uscc=uscc, note="现场核实", actor=ACTOR),
                metadata=md,
            )
        if case.stage == Stage.CASE_STAGE_TRACED and c.outcome == S.CASE_OUTCOME_NO_VIOLATION:
            return stub.CloseCase(
                S.CloseCaseRequest(case_id=cid, outcome=c.outcome, note="核查不属实", actor=ACTOR),
                metadata=md,
            )
        if case.stage == Stage.CASE_STAGE_TRACED:
            if case.evidence_count == 0:
                stub.AddEvidence(
                    S.AddEvidenceRequest(
                        case_id=cid,
                        kind=S.EVIDENCE_KIND_RECORD,
                        description="现场检查笔录",
                        media_type="text/plain",
                        content=f"{c.title}\n现场检查笔录".encode(),
                        collected_at=_ts(self.now - timedelta(days=2)),
                        collected_by=ACTOR,
                    ),
                    metadata=md,
                )
            head = stub.GetCase(S.GetCaseRequest(case_id=cid), metadata=md).evidence_head_sha256
            return stub.LockEvidence(
                S.LockEvidenceRequest(case_id=cid, expected_head_sha256=head, actor=ACTOR), metadata=md
            )
        if case.stage == Stage.CASE_STAGE_EVIDENCE_LOCKED:
            minor = bool(c.waiver)
            investigation = S.CaseInvestigation(
                findings=c.title,
                violations=[c.title],
                first_violation=True,
                harm=S.HARM_LEVEL_NONE if minor else S.HARM_LEVEL_SLIGHT,
                corrected_in_time=minor,
                inspector_ids=OFFICERS,
                investigated_at=_ts(self.now - timedelta(days=1)),
                actor=ACTOR,
            )
            return stub.RecordInvestigation(
                S.RecordInvestigationRequest(case_id=cid, investigation=investigation), metadata=md
            )
        if case.stage == Stage.CASE_STAGE_INVESTIGATED:
            decision = S.CaseDecision(
                uscc=uscc,
                violation=c.title,
                rectify_by=_ts(self.now + timedelta(days=30)),
                decided_by=ACTOR,
                document_number=f"慈环罚〔{self.now.year}〕{c.ref.split(':')[1]}号",
            )
            if c.waiver:
                decision.waived, decision.waiver_list_item = True, c.waiver
            else:
                decision.legal_basis = "WPPL-83-2"
                decision.penalties.append(S.PENALTY_KIND_FINE)
                decision.fine_fen = 20_000_000  # 200,000 yuan, within art. 83's range
            return stub.DecideCase(S.DecideCaseRequest(case_id=cid, decision=decision), metadata=md)
        if case.stage == Stage.CASE_STAGE_DECIDED:
            done = S.CaseRectification(
                measures="已完成整改并经复查",
                completed_at=_ts(self.now - timedelta(hours=2)),
                verified_by=ACTOR,
                verified_at=_ts(self.now - timedelta(hours=1)),
            )
            return stub.RecordRectification(
                S.RecordRectificationRequest(case_id=cid, rectification=done), metadata=md
            )
        outcome = S.CASE_OUTCOME_WAIVED if c.waiver else S.CASE_OUTCOME_PENALIZED
        return stub.CloseCase(
            S.CloseCaseRequest(case_id=cid, outcome=outcome, note="销号", actor=ACTOR), metadata=md
        )


def wait_for_alarm_problem(
    stub: enforcement_pb2_grpc.EnforcementServiceStub, token: str, station_id: str, grid_id: str
) -> enforcement_pb2.Problem:
    """The problem the story's river exceedance opened (monitoring → Kafka → enforcement), once it is
    in the ledger; raises when it is missing or routed to another grid."""
    md, deadline = call_metadata(token), time.monotonic() + 60
    request = S.ListProblemsRequest(source=S.PROBLEM_SOURCE_EXCEEDANCE, station_id=station_id)
    while not (found := list(stub.ListProblems(request, metadata=md).problems)):
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"the exceedance on {station_id} opened no problem within 60 s (enforcement's log?)"
            )
        time.sleep(0.5)
    if found[0].grid_id != grid_id:
        raise StoryNotTold(f"the exceedance on {station_id} went to grid {found[0].grid_id!r}, not {grid_id}")
    return found[0]
