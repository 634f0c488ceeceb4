"""gRPC methods of the evidence chain: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import enforcement_pb2 as pb
from services.enforcement.entrypoints import messages
from services.enforcement.entrypoints import requests as req
from services.enforcement.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.enforcement.service_layer import evidence


class EvidenceRpcs(RpcBase):
    """AddEvidence, ListEvidence, GetEvidence, VerifyEvidenceChain."""

    def AddEvidence(self, request: pb.AddEvidenceRequest, context: Ctx) -> pb.Evidence:
        """Append an item to a case's chain."""
        item = evidence.add(
            self.deps, case_id=request.case_id, evidence_in=req.evidence(request, self._now())
        )
        return messages.evidence(item)

    def ListEvidence(self, request: pb.ListEvidenceRequest, context: Ctx) -> pb.ListEvidenceResponse:
        """A case's chain in order."""
        page = evidence.get_all(
            self.deps,
            case_id=request.case_id,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        items = [
            messages.evidence(i, evidence.content_of(self.deps, i) if request.include_content else None)
            for i in page.items
        ]
        return pb.ListEvidenceResponse(evidence=items, page=page_info(page.next_token, page.total))

    def GetEvidence(self, request: pb.GetEvidenceRequest, context: Ctx) -> pb.Evidence:
        """One item, with its content when asked."""
        item, content = evidence.get(self.deps, evidence_id=request.evidence_id)
        return messages.evidence(item, content if request.include_content else None)

    def VerifyEvidenceChain(
        self, request: pb.VerifyEvidenceChainRequest, context: Ctx
    ) -> pb.VerifyEvidenceChainResponse:
        """Recompute the chain; name the first broken link."""
        v = evidence.verify(self.deps, case_id=request.case_id)
        return pb.VerifyEvidenceChainResponse(
            intact=v.intact,
            items=v.items,
            head_sha256=v.head_sha256,
            first_broken_sequence=v.first_broken_sequence,
            problem=v.problem,
        )
