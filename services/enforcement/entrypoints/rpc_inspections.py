"""gRPC methods of inspectors and double-random inspections: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import enforcement_pb2 as pb
from services.enforcement.entrypoints import inspection_messages as msg
from services.enforcement.entrypoints.requests import caller
from services.enforcement.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.enforcement.service_layer import inspection_tasks as tasks
from services.enforcement.service_layer import inspections
from shared.grpc.auth import current_department


class InspectionRpcs(RpcBase):
    """CreateInspector through PublishInspectionResults."""

    def CreateInspector(self, request: pb.CreateInspectorRequest, context: Ctx) -> pb.Inspector:
        """A new inspector of the roster."""
        i = msg.inspector_in(request.inspector, current_department(), self._now())
        return msg.inspector(inspections.create_inspector(self.deps, i))

    def UpdateInspector(self, request: pb.UpdateInspectorRequest, context: Ctx) -> pb.Inspector:
        """Change the masked fields of an inspector (e.g. declared conflicts, active)."""
        current = inspections.get_inspector(self.deps, inspector_id=request.inspector.inspector_id.strip())
        changes = pb.Inspector()
        changes.CopyFrom(request.inspector)
        if not changes.department:
            changes.department = current.department
        # Unmasked required fields come from the current record, so a partial message checks.
        for name in ("name", "badge_number", "home_grid_id"):
            if name not in request.update_mask.paths:
                setattr(changes, name, getattr(current, name))
        i = msg.inspector_in(changes, current.department, self._now())
        return msg.inspector(inspections.update_inspector(self.deps, i, list(request.update_mask.paths)))

    def GetInspector(self, request: pb.GetInspectorRequest, context: Ctx) -> pb.Inspector:
        """One inspector."""
        return msg.inspector(inspections.get_inspector(self.deps, inspector_id=request.inspector_id.strip()))

    def ListInspectors(self, request: pb.ListInspectorsRequest, context: Ctx) -> pb.ListInspectorsResponse:
        """The roster by department, town, active."""
        page = inspections.get_inspectors(
            self.deps,
            department=request.department.strip(),
            town=request.town.strip(),
            active_only=request.active_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return pb.ListInspectorsResponse(
            inspectors=[msg.inspector(i) for i in page.items], page=page_info(page.next_token, page.total)
        )

    def CreateInspectionPlan(
        self, request: pb.CreateInspectionPlanRequest, context: Ctx
    ) -> pb.InspectionPlan:
        """A new plan."""
        p = msg.plan_in(request.plan, caller(request.plan.created_by, "plan.created_by"), self._now())
        return msg.plan(inspections.create_plan(self.deps, p))

    def GetInspectionPlan(self, request: pb.GetInspectionPlanRequest, context: Ctx) -> pb.InspectionPlan:
        """One plan."""
        return msg.plan(inspections.get_plan(self.deps, plan_id=request.plan_id.strip()))

    def ListInspectionPlans(
        self, request: pb.ListInspectionPlansRequest, context: Ctx
    ) -> pb.ListInspectionPlansResponse:
        """Plans by department."""
        page = inspections.get_plans(
            self.deps,
            department=request.department.strip(),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return pb.ListInspectionPlansResponse(
            plans=[msg.plan(p) for p in page.items], page=page_info(page.next_token, page.total)
        )

    def MakeDraw(self, request: pb.MakeDrawRequest, context: Ctx) -> pb.Draw:
        """Draw for a plan with its published seed."""
        made = inspections.make_draw(
            self.deps, plan_id=request.plan_id.strip(), seed=request.seed, actor=caller(request.actor)
        )
        return msg.draw(made)

    def GetDraw(self, request: pb.GetDrawRequest, context: Ctx) -> pb.Draw:
        """One recorded draw."""
        return msg.draw(inspections.get_draw(self.deps, draw_id=request.draw_id.strip()))

    def ListDraws(self, request: pb.ListDrawsRequest, context: Ctx) -> pb.ListDrawsResponse:
        """Recorded draws by plan."""
        page = inspections.get_draws(
            self.deps,
            plan_id=request.plan_id.strip(),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return pb.ListDrawsResponse(
            draws=[msg.draw(r) for r in page.items], page=page_info(page.next_token, page.total)
        )

    def VerifyDraw(self, request: pb.VerifyDrawRequest, context: Ctx) -> pb.VerifyDrawResponse:
        """Recompute a recorded draw and say whether it is the same."""
        result, mismatch = inspections.verify_draw(self.deps, draw_id=request.draw_id.strip())
        return pb.VerifyDrawResponse(
            reproduced=not mismatch,
            inputs_sha256=result.inputs_sha256,
            selections=[msg.selection(s, {}) for s in result.selections],
            mismatch=mismatch,
        )

    def GetInspectionTask(self, request: pb.GetInspectionTaskRequest, context: Ctx) -> pb.InspectionTask:
        """One task."""
        return msg.task(tasks.get_task(self.deps, task_id=request.task_id.strip()))

    def ListInspectionTasks(
        self, request: pb.ListInspectionTasksRequest, context: Ctx
    ) -> pb.ListInspectionTasksResponse:
        """Tasks by draw, plan, enterprise, inspector, status."""
        page = tasks.get_tasks(
            self.deps,
            draw_id=request.draw_id.strip(),
            plan_id=request.plan_id.strip(),
            uscc=request.uscc.strip().upper(),
            inspector_id=request.inspector_id.strip(),
            status=msg.task_status(request.status),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return pb.ListInspectionTasksResponse(
            tasks=[msg.task(t) for t in page.items], page=page_info(page.next_token, page.total)
        )

    def RecordInspectionResult(
        self, request: pb.RecordInspectionResultRequest, context: Ctx
    ) -> pb.InspectionTask:
        """A task's on-site result; a violation opens a problem."""
        result = msg.result_in(request.result, self._now())
        done = tasks.record_result(
            self.deps, task_id=request.task_id.strip(), result=result, actor=caller(request.actor)
        )
        return msg.task(done)

    def PublishInspectionResults(
        self, request: pb.PublishInspectionResultsRequest, context: Ctx
    ) -> pb.PublishInspectionResultsResponse:
        """Make inspected results public."""
        done = tasks.publish(
            self.deps, draw_id=request.draw_id.strip(), task_ids=[t.strip() for t in request.task_ids]
        )
        return pb.PublishInspectionResultsResponse(tasks=[msg.task(t) for t in done])
