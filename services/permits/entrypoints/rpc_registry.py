"""gRPC methods of the enterprise registry and outlets: protobuf <-> service layer, nothing else."""

from __future__ import annotations

from eco.v1 import permits_pb2
from services.permits.domain import rights as rights_rules
from services.permits.entrypoints import messages
from services.permits.entrypoints import requests as req
from services.permits.entrypoints.rpc_base import Ctx, RpcBase, page_info
from services.permits.service_layer import enterprises


class RegistryRpcs(RpcBase):
    """RegisterEnterprise, UpdateEnterprise, GetEnterprise, ListEnterprises, GetEnterpriseRecord,
    AddOutlet, ListOutlets."""

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
            enterprises=[messages.enterprise(e) for e in page.items],
            page=page_info(page.next_token, page.total),
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
