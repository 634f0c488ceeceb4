"""The demo city's double-random inspections and petitions in the enforcement service, through its API:
an inspector roster, this quarter's plan with a draw on a pre-published seed and published results,
and petitions in every state of 信访工作条例 (2022).

Resumable like the rest of the loader: the roster and the plan have fixed ids (created or already
there), the draw is made only when the plan has none, a result only on a task still assigned, and
each demo petition is found by its enterprise and category and only brought forward to its state.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import grpc

from deploy.demo import city
from deploy.demo.registry import created
from eco.v1 import common_pb2, enforcement_pb2, enforcement_pb2_grpc
from shared.china_time import local_day
from shared.grpc.client import call_metadata, channel
from shared.settings import service_address

S = enforcement_pb2
TARGETS_WAIT_SECONDS = 60
# (id, name, home town): each inspector is kept out of their own town's grid by the draw.
INSPECTORS = [
    ("ZF-01", "陈建国", "浒山"),
    ("ZF-02", "林晓燕", "浒山"),
    ("ZF-03", "王志强", "坎墩"),
    ("ZF-04", "周丽", "观海卫"),
    ("ZF-05", "孙立新", "周巷"),
    ("ZF-06", "胡海涛", "新浦"),
    ("ZF-07", "沈敏", "长河"),
    ("ZF-08", "吴斌", "古塘"),
]
OUTCOMES = [
    S.INSPECTION_OUTCOME_COMPLIANT,
    S.INSPECTION_OUTCOME_VIOLATION,
    S.INSPECTION_OUTCOME_NOT_OPERATING,
]


@dataclass(frozen=True)
class DemoPetition:
    serial: int  # the demo enterprise it is about
    category: str
    text: str
    target: int  # PetitionStatus to bring it to


DECLINE_REASON = "不属于生态环境部门职责，已告知向住建部门反映"
# The steps that bring a new petition to each demo state, in order.
PATHS: dict[int, tuple[str, ...]] = {
    S.PETITION_STATUS_RECEIVED: (),
    S.PETITION_STATUS_ACCEPTED: ("accept",),
    S.PETITION_STATUS_EXTENDED: ("accept", "extend"),
    S.PETITION_STATUS_ANSWERED: ("accept", "answer"),
    S.PETITION_STATUS_DECLINED: ("decline",),
    S.PETITION_STATUS_CLOSED: ("accept", "answer", "close"),
}
PETITIONS = [
    DemoPetition(
        105, "air", "周巷家电厂晚上十点后有刺鼻油漆味，持续一个多小时。", S.PETITION_STATUS_RECEIVED
    ),
    DemoPetition(107, "water", "长河造纸厂旁的河沟水发黑发臭，疑似偷排。", S.PETITION_STATUS_ACCEPTED),
    DemoPetition(110, "water", "新浦金属表面处理厂雨水口流出绿色的水。", S.PETITION_STATUS_EXTENDED),
    DemoPetition(114, "noise", "崇寿塑料厂夜间机器噪声很大，影响睡眠。", S.PETITION_STATUS_ANSWERED),
    DemoPetition(104, "other", "反映邻居家装修噪声扰民，希望环保局处理。", S.PETITION_STATUS_DECLINED),
    DemoPetition(101, "water", "浒山印染厂排口颜色异常，已整改，请核实。", S.PETITION_STATUS_CLOSED),
]


def _quarter(now: datetime) -> tuple[str, common_pb2.Date, common_pb2.Date]:
    day = local_day(now)
    q = (day.month - 1) // 3
    first, last = 3 * q + 1, 3 * q + 3
    last_day = 31 if last in (3, 12) else 30
    return (
        f"demo-{day.year}-q{q + 1}",
        common_pb2.Date(year=day.year, month=first, day=1),
        common_pb2.Date(year=day.year, month=last, day=last_day),
    )


def load_roster(stub: enforcement_pb2_grpc.EnforcementServiceStub, md: tuple[tuple[str, str], ...]) -> str:
    """The inspector roster; says how many were created."""
    made = 0
    for n, (inspector_id, name, town) in enumerate(INSPECTORS):
        inspector = S.Inspector(
            inspector_id=inspector_id,
            name=name,
            badge_number=f"33028220{n:02d}",
            department="慈溪市生态环境执法大队",
            town=town,
            home_grid_id=f"{town}-1",
            qualifications=["water", "air"] if n % 2 else ["solid_waste"],
            active=True,
        )
        made += created(
            partial(stub.CreateInspector, S.CreateInspectorRequest(inspector=inspector), metadata=md)
        )
    return f"inspectors: {made} of {len(INSPECTORS)} created"


def load_draw(
    stub: enforcement_pb2_grpc.EnforcementServiceStub, md: tuple[tuple[str, str], ...], now: datetime
) -> Iterator[str]:
    """This quarter's plan, its draw on a seed published beforehand, and published results."""
    plan_id, starts, ends = _quarter(now)
    plan = S.InspectionPlan(
        plan_id=plan_id,
        name=f"{starts.year}年第{plan_id[-1]}季度双随机抽查",
        starts_on=starts,
        ends_on=ends,
        classes=[
            S.InspectionClass(code="key", name="重点排污单位", ratio=0.5),
            S.InspectionClass(code="ordinary", name="一般排污单位", ratio=0.2),
            S.InspectionClass(code="special", name="特殊监管对象", always_include=True),
        ],
        team_size=2,
        max_tasks_per_inspector=6,
    )
    done = created(partial(stub.CreateInspectionPlan, S.CreateInspectionPlanRequest(plan=plan), metadata=md))
    yield f"plan {plan_id}: {'created' if done else 'already there'}"
    draws = stub.ListDraws(S.ListDrawsRequest(plan_id=plan_id), metadata=md).draws
    if draws:
        draw = draws[0]
    else:
        # The seed is published before the draw (here: the SHA-256 of the plan's id, announced with it).
        seed = hashlib.sha256(f"{plan_id} published seed".encode()).hexdigest()
        draw = _draw_when_targets_known(stub, md, plan_id, seed)
    yield (
        f"draw {draw.draw_id}: {len(draw.selections)} units, seed {draw.seed[:12]}…,"
        f" inputs {draw.inputs_sha256[:12]}…"
    )
    tasks = stub.ListInspectionTasks(S.ListInspectionTasksRequest(draw_id=draw.draw_id), metadata=md).tasks
    recorded = 0
    for n, task in enumerate(tasks[: len(OUTCOMES)]):
        if task.status != S.INSPECTION_TASK_STATUS_ASSIGNED:
            continue
        outcome = OUTCOMES[n]
        findings = "危废暂存间未按规范设置标识" if outcome == S.INSPECTION_OUTCOME_VIOLATION else ""
        result = S.InspectionResult(
            outcome=outcome, findings=findings, inspector_ids=list(task.inspector_ids)
        )
        stub.RecordInspectionResult(
            S.RecordInspectionResultRequest(task_id=task.task_id, result=result), metadata=md
        )
        recorded += 1
    published = stub.PublishInspectionResults(
        S.PublishInspectionResultsRequest(draw_id=draw.draw_id), metadata=md
    ).tasks
    yield f"results: {recorded} recorded, {len(published)} published (一公开)"


def _draw_when_targets_known(
    stub: enforcement_pb2_grpc.EnforcementServiceStub,
    md: tuple[tuple[str, str], ...],
    plan_id: str,
    seed: str,
) -> S.Draw:
    """MakeDraw once enforcement has learnt the registry's units from permits' events."""
    deadline = time.monotonic() + TARGETS_WAIT_SECONDS
    while True:
        try:
            drawn: S.Draw = stub.MakeDraw(S.MakeDrawRequest(plan_id=plan_id, seed=seed), metadata=md)
            return drawn
        except grpc.RpcError as exc:
            waiting = exc.code() == grpc.StatusCode.FAILED_PRECONDITION  # type: ignore[attr-defined]
            if not waiting or time.monotonic() > deadline:
                raise
            time.sleep(1)


def _steps(
    stub: enforcement_pb2_grpc.EnforcementServiceStub, md: tuple[tuple[str, str], ...], pid: str
) -> dict[str, tuple[tuple[int, ...], Callable[[], S.Petition]]]:
    """Each step of handling: the states it starts from, and the call."""
    received, accepted, extended = (
        S.PETITION_STATUS_RECEIVED,
        S.PETITION_STATUS_ACCEPTED,
        S.PETITION_STATUS_EXTENDED,
    )
    answer = S.AnswerPetitionRequest(
        petition_id=pid, answer="经现场核查，反映情况属实，已立案查处。", substantiated=True
    )
    return {
        "accept": (
            (received,),
            lambda: stub.AcceptPetition(S.AcceptPetitionRequest(petition_id=pid, accept=True), metadata=md),
        ),
        "decline": (
            (received,),
            lambda: stub.AcceptPetition(
                S.AcceptPetitionRequest(petition_id=pid, accept=False, decline_reason=DECLINE_REASON),
                metadata=md,
            ),
        ),
        "extend": (
            (accepted,),
            lambda: stub.ExtendPetition(
                S.ExtendPetitionRequest(petition_id=pid, days=30, reason="需委托第三方检测"), metadata=md
            ),
        ),
        "answer": ((accepted, extended), lambda: stub.AnswerPetition(answer, metadata=md)),
        "close": (
            (S.PETITION_STATUS_ANSWERED, S.PETITION_STATUS_DECLINED),
            lambda: stub.ClosePetition(S.ClosePetitionRequest(petition_id=pid), metadata=md),
        ),
    }


def _bring(
    stub: enforcement_pb2_grpc.EnforcementServiceStub, md: tuple[tuple[str, str], ...], p: DemoPetition
) -> str:
    """Find or submit the petition, then take the steps of its path that its state has not passed."""
    uscc = next(e.uscc for e in city.ENTERPRISES if e.serial == p.serial)
    listed = stub.ListPetitions(S.ListPetitionsRequest(uscc=uscc), metadata=md).petitions
    found = [x for x in listed if x.category == p.category]
    request = S.SubmitPetitionRequest(
        uscc=uscc, source="hotline_12369", category=p.category, text=p.text, contact="13900000000"
    )
    petition = found[0] if found else stub.SubmitPetition(request, metadata=md)
    steps = _steps(stub, md, petition.petition_id)
    for name in PATHS[p.target]:
        starts_from, call = steps[name]
        if petition.status in starts_from:
            petition = call()
    state = S.PetitionStatus.Name(petition.status).removeprefix("PETITION_STATUS_").lower()
    return f"petition {petition.tracking_code}: {state}"


def load_all(now: datetime, token: str) -> None:
    """Roster, plan, draw, results and petitions; prints what each step did."""
    print("Double-random inspections and petitions (enforcement service)")
    md = call_metadata(token)
    with channel(service_address("enforcement")) as ch:
        stub = enforcement_pb2_grpc.EnforcementServiceStub(ch)
        print(f"  {load_roster(stub, md)}", flush=True)
        for line in load_draw(stub, md, now):
            print(f"  {line}", flush=True)
        for p in PETITIONS:
            print(f"  {_bring(stub, md, p)}", flush=True)
