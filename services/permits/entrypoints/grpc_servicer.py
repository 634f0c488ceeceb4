"""Permits' gRPC layer: translates between protobuf and the service layer, nothing else."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from eco.v1 import common_pb2, permits_pb2, permits_pb2_grpc
from services.permits.adapters import messages
from services.permits.domain import rights as rights_rules
from services.permits.domain.radiation import HOLDING_RATE_TARGET
from services.permits.entrypoints import requests as req
from services.permits.service_layer import eia, enterprises, permits, radiation, rights
from services.permits.service_layer.unit_of_work import Deps

Ctx: TypeAlias = grpc.ServicerContext


def _page(next_token: str, total: int) -> common_pb2.PageInfo:
    return common_pb2.PageInfo(next_page_token=next_token, total=total)


class PermitsServicer(permits_pb2_grpc.PermitsServiceServicer):
    """eco.v1.PermitsService."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def _today(self):  # type: ignore[no-untyped-def]
        return eia.today(self.deps)

    # ---- enterprise registry ----------------------------------------------------------------
    def RegisterEnterprise(
        self, request: permits_pb2.RegisterEnterpriseRequest, context: Ctx
    ) -> permits_pb2.Enterprise:
        """Register one enterprise."""
        fields = req.enterprise_fields(request.fields)
        return messages.enterprise(enterprises.register(self.deps, uscc=request.uscc, fields_in=fields))

    def UpdateEnterprise(
        self, request: permits_pb2.UpdateEnterpriseRequest, context: Ctx
    ) -> permits_pb2.Enterprise:
        """Change the masked fields."""
        paths = list(request.update_mask.paths)
        fields = req.enterprise_fields(request.fields, required=set(paths))
        return messages.enterprise(
            enterprises.update(self.deps, uscc=request.uscc, fields_in=fields, paths=paths)
        )

    def GetEnterprise(
        self, request: permits_pb2.GetEnterpriseRequest, context: Ctx
    ) -> permits_pb2.Enterprise:
        """One enterprise."""
        return messages.enterprise(enterprises.get(self.deps, uscc=request.uscc))

    def ListEnterprises(
        self, request: permits_pb2.ListEnterprisesRequest, context: Ctx
    ) -> permits_pb2.ListEnterprisesResponse:
        """Enterprises by town, industry, flag and class."""
        page = enterprises.get_all(
            self.deps,
            town=request.town,
            industry_prefix=request.industry_code,
            flag=req.risk_flag(request.risk_flag),
            permit_class=req.permit_class(request.permit_class),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListEnterprisesResponse(
            enterprises=[messages.enterprise(e) for e in page.items], page=_page(page.next_token, page.total)
        )

    def GetEnterpriseRecord(
        self, request: permits_pb2.GetEnterpriseRequest, context: Ctx
    ) -> permits_pb2.EnterpriseRecord:
        """Everything permits holds on one enterprise."""
        record = enterprises.record(self.deps, uscc=request.uscc)
        today = self._today()
        return permits_pb2.EnterpriseRecord(
            enterprise=messages.enterprise(record.enterprise),
            outlets=[messages.outlet(o) for o in record.outlets],
            permits=[messages.permit(p) for p in record.permits],
            eia_applications=[messages.eia(a, today) for a in record.eia_applications],
            radiation_permits=[messages.radiation_permit(p) for p in record.radiation_permits],
            rights_holdings=[
                permits_pb2.RightsHolding(
                    uscc=record.enterprise.uscc, pollutant=p, tonnes=rights_rules.to_tonnes(g)
                )
                for p, g in record.holdings.items()
            ],
        )

    # ---- outlets ---------------------------------------------------------------------------
    def AddOutlet(self, request: permits_pb2.AddOutletRequest, context: Ctx) -> permits_pb2.Outlet:
        """Add an outlet."""
        outlet = enterprises.add_outlet(
            self.deps,
            uscc=request.uscc,
            kind=req.outlet_kind(request.kind),
            name=request.name,
            location=req.geo(request.location),
            receiving_river=request.receiving_river,
            pollutants=list(request.monitored_pollutants),
        )
        return messages.outlet(outlet)

    def ListOutlets(
        self, request: permits_pb2.ListOutletsRequest, context: Ctx
    ) -> permits_pb2.ListOutletsResponse:
        """An enterprise's outlets."""
        return permits_pb2.ListOutletsResponse(
            outlets=[messages.outlet(o) for o in enterprises.get_outlets(self.deps, uscc=request.uscc)]
        )

    # ---- discharge permits -----------------------------------------------------------------
    def ApplyPermit(self, request: permits_pb2.ApplyPermitRequest, context: Ctx) -> permits_pb2.Permit:
        """Apply for a permit."""
        permit = permits.apply(
            self.deps,
            uscc=request.uscc,
            outlets_in=req.outlet_limits(list(request.outlets)),
            applied_on=req.day("applied_on", request.applied_on, request.HasField("applied_on")),
            actor=req.caller(common_pb2.Actor()),
        )
        return messages.permit(permit)

    def StartPermitReview(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """applied -> under review."""
        number = request.permit_number.strip().upper()
        return messages.permit(
            permits.start_review(self.deps, permit_number=number, actor=req.caller(request.actor))
        )

    def IssuePermit(self, request: permits_pb2.IssuePermitRequest, context: Ctx) -> permits_pb2.Permit:
        """under review -> issued."""
        permit = permits.issue(
            self.deps,
            permit_number=request.permit_number.strip().upper(),
            valid_from=req.day("valid_from", request.valid_from, request.HasField("valid_from")),
            outlets_in=req.outlet_limits(list(request.outlets)),
            actor=req.caller(request.actor),
        )
        return messages.permit(permit)

    def RenewPermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """Renew inside the window."""
        number = request.permit_number.strip().upper()
        return messages.permit(
            permits.renew(self.deps, permit_number=number, actor=req.caller(request.actor))
        )

    def RevokePermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """Revoke."""
        number = request.permit_number.strip().upper()
        return messages.permit(
            permits.revoke(self.deps, permit_number=number, actor=req.caller(request.actor))
        )

    def SuspendPermit(self, request: permits_pb2.PermitActionRequest, context: Ctx) -> permits_pb2.Permit:
        """Suspend."""
        number = request.permit_number.strip().upper()
        return messages.permit(
            permits.suspend(self.deps, permit_number=number, actor=req.caller(request.actor))
        )

    def GetPermit(self, request: permits_pb2.GetPermitRequest, context: Ctx) -> permits_pb2.Permit:
        """One permit."""
        return messages.permit(permits.get(self.deps, permit_number=request.permit_number))

    def ListPermits(
        self, request: permits_pb2.ListPermitsRequest, context: Ctx
    ) -> permits_pb2.ListPermitsResponse:
        """Permits by enterprise and state."""
        page = permits.get_all(
            self.deps,
            uscc=request.uscc,
            status=req.permit_status(request.status),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListPermitsResponse(
            permits=[messages.permit(p) for p in page.items], page=_page(page.next_token, page.total)
        )

    def ListExpiringPermits(
        self, request: permits_pb2.ListExpiringPermitsRequest, context: Ctx
    ) -> permits_pb2.ListPermitsResponse:
        """Permits in force ending within a date range."""
        page = permits.expiring(
            self.deps,
            start=req.day("from", getattr(request, "from"), request.HasField("from")),
            end=req.day("to", request.to, request.HasField("to")),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListPermitsResponse(
            permits=[messages.permit(p) for p in page.items], page=_page(page.next_token, page.total)
        )

    # ---- EIA ---------------------------------------------------------------------------------
    def AcceptEia(self, request: permits_pb2.AcceptEiaRequest, context: Ctx) -> permits_pb2.EiaApplication:
        """Record an accepted application."""
        application = eia.accept(
            self.deps,
            uscc=request.uscc,
            project_name=request.project_name,
            document_type=req.eia_type(request.document_type),
            accepted_on=req.day("accepted_on", request.accepted_on, request.HasField("accepted_on")),
            green_channel=request.green_channel,
            actor=req.caller(request.actor),
        )
        return messages.eia(application, self._today())

    def StartEiaReview(
        self, request: permits_pb2.EiaActionRequest, context: Ctx
    ) -> permits_pb2.EiaApplication:
        """accepted -> under review."""
        application = eia.start_review(
            self.deps, eia_id=request.eia_id.strip(), actor=req.caller(request.actor)
        )
        return messages.eia(application, self._today())

    def DecideEia(self, request: permits_pb2.DecideEiaRequest, context: Ctx) -> permits_pb2.EiaApplication:
        """Approve or reject."""
        application = eia.decide(
            self.deps,
            eia_id=request.eia_id.strip(),
            approved=request.approved,
            decided_on=req.day("decided_on", request.decided_on, request.HasField("decided_on")),
            note=request.note,
            actor=req.caller(request.actor),
        )
        return messages.eia(application, self._today())

    def GetEia(self, request: permits_pb2.GetEiaRequest, context: Ctx) -> permits_pb2.EiaApplication:
        """One application with its deadline."""
        return messages.eia(eia.get(self.deps, eia_id=request.eia_id), self._today())

    def ListEia(self, request: permits_pb2.ListEiaRequest, context: Ctx) -> permits_pb2.ListEiaResponse:
        """Applications by enterprise and state, or the overdue ones."""
        page = eia.get_all(
            self.deps,
            uscc=request.uscc,
            status=req.eia_status(request.status),
            overdue_only=request.overdue_only,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        today = self._today()
        return permits_pb2.ListEiaResponse(
            applications=[messages.eia(a, today) for a in page.items], page=_page(page.next_token, page.total)
        )

    # ---- radiation-safety permits ---------------------------------------------------------------
    def IssueRadiationPermit(
        self, request: permits_pb2.IssueRadiationPermitRequest, context: Ctx
    ) -> permits_pb2.RadiationPermit:
        """Issue a radiation permit."""
        permit = radiation.issue(
            self.deps,
            uscc=request.uscc,
            permit_number=request.permit_number,
            scope=request.scope,
            valid_from=req.day("valid_from", request.valid_from, request.HasField("valid_from")),
            actor=req.caller(request.actor),
        )
        return messages.radiation_permit(permit)

    def RenewRadiationPermit(
        self, request: permits_pb2.RadiationPermitActionRequest, context: Ctx
    ) -> permits_pb2.RadiationPermit:
        """Renew a radiation permit inside its window."""
        number = request.permit_number.strip().upper()
        return messages.radiation_permit(
            radiation.renew(self.deps, permit_number=number, actor=req.caller(request.actor))
        )

    def GetRadiationPermit(
        self, request: permits_pb2.RadiationPermitActionRequest, context: Ctx
    ) -> permits_pb2.RadiationPermit:
        """One radiation permit."""
        return messages.radiation_permit(radiation.get(self.deps, permit_number=request.permit_number))

    def ListRadiationPermits(
        self, request: permits_pb2.ListRadiationPermitsRequest, context: Ctx
    ) -> permits_pb2.ListRadiationPermitsResponse:
        """Radiation permits by enterprise and state."""
        page = radiation.get_all(
            self.deps,
            uscc=request.uscc,
            status=req.radiation_status(request.status),
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListRadiationPermitsResponse(
            permits=[messages.radiation_permit(p) for p in page.items],
            page=_page(page.next_token, page.total),
        )

    def GetRadiationHoldingRate(
        self, request: permits_pb2.GetRadiationHoldingRateRequest, context: Ctx
    ) -> permits_pb2.RadiationHoldingRate:
        """The holding-rate KPI at a date."""
        rate = radiation.holding_rate(self.deps, at=req.day("at", request.at, request.HasField("at")))
        return messages.holding_rate(rate, HOLDING_RATE_TARGET)

    # ---- discharge-rights ledger ---------------------------------------------------------------
    def SetRightsCap(
        self, request: permits_pb2.SetRightsCapRequest, context: Ctx
    ) -> permits_pb2.RightsPosition:
        """Set a pollutant's city cap."""
        position = rights.set_cap(
            self.deps,
            pollutant=request.pollutant,
            cap_tonnes=request.cap_tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_position(position)

    def AllocateRights(
        self, request: permits_pb2.AllocateRightsRequest, context: Ctx
    ) -> permits_pb2.RightsEntry:
        """Reserve -> enterprise."""
        entry = rights.allocate(
            self.deps,
            pollutant=request.pollutant,
            uscc=request.uscc,
            tonnes=request.tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_entry(entry)

    def TransferRights(
        self, request: permits_pb2.TransferRightsRequest, context: Ctx
    ) -> permits_pb2.RightsEntry:
        """Enterprise -> enterprise."""
        entry = rights.transfer(
            self.deps,
            pollutant=request.pollutant,
            from_uscc=request.from_uscc,
            to_uscc=request.to_uscc,
            tonnes=request.tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_entry(entry)

    def ReturnRights(self, request: permits_pb2.ReturnRightsRequest, context: Ctx) -> permits_pb2.RightsEntry:
        """Enterprise -> reserve."""
        entry = rights.return_to_reserve(
            self.deps,
            pollutant=request.pollutant,
            uscc=request.uscc,
            tonnes=request.tonnes,
            actor=req.caller(request.actor),
        )
        return messages.rights_entry(entry)

    def GetRightsPosition(
        self, request: permits_pb2.GetRightsPositionRequest, context: Ctx
    ) -> permits_pb2.RightsPosition:
        """Cap, reserve and holdings of one pollutant."""
        return messages.rights_position(rights.position(self.deps, pollutant=request.pollutant))

    def ListRightsEntries(
        self, request: permits_pb2.ListRightsEntriesRequest, context: Ctx
    ) -> permits_pb2.ListRightsEntriesResponse:
        """Ledger entries, newest first."""
        page = rights.entries(
            self.deps,
            pollutant=request.pollutant,
            uscc=request.uscc,
            page_size=request.page.page_size,
            page_token=request.page.page_token,
        )
        return permits_pb2.ListRightsEntriesResponse(
            entries=[messages.rights_entry(e) for e in page.items], page=_page(page.next_token, page.total)
        )
