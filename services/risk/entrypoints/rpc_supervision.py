"""gRPC methods of hazardous-waste manifests and disused radioactive sources."""

from __future__ import annotations

from eco.v1 import risk_pb2
from services.risk.domain.radioactive import DisposalRoute, Kind
from services.risk.entrypoints import messages
from services.risk.entrypoints import requests as req
from services.risk.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.risk.service_layer import manifests, sources
from shared.errors import InvalidArgument


def _choice(field: str, raw: str, enum: type[Kind] | type[DisposalRoute]) -> Kind | DisposalRoute | None:
    if not raw:
        return None
    try:
        return enum(raw)
    except ValueError:
        raise InvalidArgument(field, f"one of {', '.join(e.value for e in enum)}, got {raw!r}") from None


class ManifestRpcs(RpcBase):
    """CreateManifest, RecordManifestStep, GetManifest, ListManifests, ReconcileCollectionRun."""

    def CreateManifest(self, request: risk_pb2.CreateManifestRequest, context: Ctx) -> risk_pb2.WasteManifest:
        """A generated manifest."""
        return messages.manifest(
            manifests.create(
                self.deps,
                producer_uscc=request.producer_uscc,
                waste_code=request.waste_code,
                waste_name=request.waste_name,
                receiver=request.receiver,
                quantity_kg=request.quantity_kg,
                run_id=request.run_id,
                actor=req.caller(request.actor),
            )
        )

    def RecordManifestStep(
        self, request: risk_pb2.RecordManifestStepRequest, context: Ctx
    ) -> risk_pb2.WasteManifest:
        """The next step with its quantity."""
        return messages.manifest(
            manifests.record_step(
                self.deps,
                manifest_id=request.manifest_id,
                step=req.enum_value("step", request.step, req.MANIFEST_STATUS),
                quantity_kg=request.quantity_kg,
                actor=req.caller(request.actor),
            )
        )

    def GetManifest(self, request: risk_pb2.GetManifestRequest, context: Ctx) -> risk_pb2.WasteManifest:
        """One manifest."""
        return messages.manifest(manifests.get(self.deps, manifest_id=request.manifest_id))

    def ListManifests(
        self, request: risk_pb2.ListManifestsRequest, context: Ctx
    ) -> risk_pb2.ListManifestsResponse:
        """Manifests by producer, run, status."""
        page = manifests.get_all(
            self.deps,
            producer_uscc=request.producer_uscc,
            run_id=request.run_id,
            statuses=req.enum_list("statuses", request.statuses, req.MANIFEST_STATUS),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return risk_pb2.ListManifestsResponse(
            manifests=[messages.manifest(m) for m in page.items], page=page_info(page.next_token, page.total)
        )

    def ReconcileCollectionRun(
        self, request: risk_pb2.ReconcileCollectionRunRequest, context: Ctx
    ) -> risk_pb2.CollectionRunReconciliation:
        """A run reconciled per producer."""
        return messages.reconciliation(manifests.reconcile_run(self.deps, run_id=request.run_id))


class SourceRpcs(RpcBase):
    """RecordDisusedSource, RecordSourceDisposal, ListDisusedSources, GetSafeDisposalRate."""

    def RecordDisusedSource(
        self, request: risk_pb2.RecordDisusedSourceRequest, context: Ctx
    ) -> risk_pb2.DisusedSource:
        """A disused source or waste batch."""
        return messages.source(
            sources.record(
                self.deps,
                uscc=request.uscc,
                kind=_choice("kind", request.kind, Kind),  # type: ignore[arg-type]
                nuclide=request.nuclide,
                category=request.category,
                serial=request.serial,
                disused_on=req.day("disused_on", request.disused_on, request.HasField("disused_on")),
            )
        )

    def RecordSourceDisposal(
        self, request: risk_pb2.RecordSourceDisposalRequest, context: Ctx
    ) -> risk_pb2.DisusedSource:
        """The source went to safe disposal."""
        return messages.source(
            sources.dispose(
                self.deps,
                source_id=request.source_id,
                route=_choice("route", request.route, DisposalRoute),  # type: ignore[arg-type]
                receiver=request.receiver,
                certificate_ref=request.certificate_ref,
                on=req.day("disposed_on", request.disposed_on, request.HasField("disposed_on")),
            )
        )

    def ListDisusedSources(
        self, request: risk_pb2.ListDisusedSourcesRequest, context: Ctx
    ) -> risk_pb2.ListDisusedSourcesResponse:
        """Disused sources by enterprise."""
        page = sources.get_all(
            self.deps,
            uscc=request.uscc,
            undisposed_only=request.undisposed_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return risk_pb2.ListDisusedSourcesResponse(
            sources=[messages.source(s) for s in page.items], page=page_info(page.next_token, page.total)
        )

    def GetSafeDisposalRate(
        self, request: risk_pb2.GetSafeDisposalRateRequest, context: Ctx
    ) -> risk_pb2.SafeDisposalRate:
        """The safe-disposal rate at a date."""
        return messages.disposal_rate(
            sources.rate(self.deps, on=req.day("on", request.on, request.HasField("on")))
        )
