"""Who may call which route: the one table of the gateway's roles and route rules.

Every route of the app is looked up here by one dependency (gateway.access.authorize): by its method
and path template first, then by its router's tag, and a route found nowhere is for administrators
only (tests/unit/gateway/test_route_rules.py lists such routes, so a router added without a rule
fails a test rather than opening itself). A rule names the roles admitted and, for grid
commissioners, how their area applies to the route (`Scope`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

ADMIN = "admin"
DISPATCHER = "dispatcher"  # the command centre: problems, cases, emergencies (一中心)
INSPECTOR = "inspector"  # on-site inspections, evidence
PERMIT_OFFICER = "permit_officer"  # registry, discharge permits, EIA, radiation permits, rights
RISK_OFFICER = "risk_officer"  # risk assessments, hidden hazards, depots
EVALUATOR = "evaluator"  # credit, KPIs, scorecards
GRID_COMMISSIONER = "grid_commissioner"  # one town or grid: sees and acts on that area only
VIEWER = "viewer"  # reads, changes nothing

ROLES = (ADMIN, DISPATCHER, INSPECTOR, PERMIT_OFFICER, RISK_OFFICER, EVALUATOR, GRID_COMMISSIONER, VIEWER)
# The first release's role names, as the roles that took over their work (accounts are migrated,
# and `require("officer")` in a router written before the split still means something).
LEGACY = {"officer": DISPATCHER, "grid": GRID_COMMISSIONER}


class Scope(enum.Enum):
    """How a grid commissioner's area applies to a route they are admitted to."""

    # The route lists records and has a `town` query parameter: it is set to their town (another
    # town asked for: 403).
    FILTER = "filter"
    # The route names one enterprise (`{uscc}`): its town and grid (permits) must be theirs, else 403.
    ENTERPRISE = "enterprise"
    # The route names one station (`{station_id}`): its town (monitoring) must be theirs, else 403.
    STATION = "station"
    # Their own session or account, not about an area: nothing to check.
    OWN = "own"
    # City-wide: grid commissioners are not admitted.
    CITY = "city"
    # The route checks a commissioner's area itself (a rule taken from the route's own
    # `operators.require(...)`, gateway.access.route_rule).
    ROUTE = "route"


@dataclass(frozen=True)
class Rule:
    """The roles a route admits (empty: public, no sign-in) and how a grid commissioner is scoped."""

    roles: frozenset[str]
    scope: Scope = Scope.CITY

    @property
    def public(self) -> bool:
        """Whether the route needs no sign-in at all."""
        return not self.roles


def rule(*roles: str, scope: Scope = Scope.CITY) -> Rule:
    """A rule admitting `roles` (legacy names mapped); one admitting grid commissioners says how their
    area applies (a scope other than CITY), one that does not has none."""
    names = frozenset(normalise(r) for r in roles)
    if (GRID_COMMISSIONER in names) == (scope is Scope.CITY):
        raise ValueError(
            f"roles {sorted(names)} with scope {scope.name}: grid commissioners need an area rule"
        )
    return Rule(names, scope)


def normalise(role: str) -> str:
    """A role's current name (a first-release name mapped); ValueError for a name that is no role."""
    name = LEGACY.get(role, role)
    if name not in ROLES:
        raise ValueError(f"no role {role!r}; roles are {', '.join(ROLES)}")
    return name


PUBLIC = Rule(frozenset())
ADMIN_ONLY = Rule(frozenset({ADMIN}))
EVERYONE_BUT_GRID = frozenset(ROLES) - {GRID_COMMISSIONER}
ALL = tuple(ROLES)
READERS = tuple(EVERYONE_BUT_GRID)  # city-wide readers
# Who reads the registry and the record (一企一档), contacts included: not a viewer.
RECORD_ROLES = tuple(r for r in ROLES if r != VIEWER)


def _everyone(scope: Scope) -> Rule:
    return rule(*ALL, scope=scope)


# Routes by (method, path template). HEAD is looked up as GET.
ROUTES: dict[tuple[str, str], Rule] = {
    # Public: the code page a scan opens, a petition from it, the health check, signing in.
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/c/{token}"): PUBLIC,
    ("POST", "/c/{token}/petitions"): PUBLIC,
    # 双随机、一公开: published draws and results are for anyone; a petitioner tracks by code.
    ("GET", "/public/inspections/draws"): PUBLIC,
    ("GET", "/public/inspections/draws/{draw_id}"): PUBLIC,
    ("GET", "/public/inspections/results"): PUBLIC,
    ("GET", "/petitions/track/{tracking_code}"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,  # clears whatever session the browser has; harmless without one
    ("POST", "/api/v1/session"): PUBLIC,
    # The console's pages send a signed-out browser to /login themselves (a 303, not a 401).
    ("GET", "/console"): PUBLIC,
    ("GET", "/console/map"): PUBLIC,
    ("GET", "/console/dashboard"): PUBLIC,
    ("GET", "/console/search"): PUBLIC,
    ("GET", "/console/enterprises/{uscc}"): PUBLIC,
    # One's own session.
    ("GET", "/api/v1/session"): rule(*ALL, scope=Scope.OWN),
    ("DELETE", "/api/v1/session"): rule(*ALL, scope=Scope.OWN),
    # Accounts and their audit: administrators.
    ("GET", "/api/v1/accounts"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts"): ADMIN_ONLY,
    ("GET", "/api/v1/accounts/{username}"): ADMIN_ONLY,
    ("PATCH", "/api/v1/accounts/{username}"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts/{username}/disable"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts/{username}/enable"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts/{username}/password"): ADMIN_ONLY,
    ("POST", "/api/v1/accounts/{username}/token"): ADMIN_ONLY,
    ("DELETE", "/api/v1/accounts/{username}/token"): ADMIN_ONLY,
    ("GET", "/api/v1/audit/accounts"): ADMIN_ONLY,
    # Search and the map: everyone; a grid commissioner's results are their town's.
    ("GET", "/api/v1/search"): _everyone(Scope.FILTER),
    ("GET", "/api/v1/map/{layer}.geojson"): _everyone(Scope.FILTER),
    ("GET", "/api/v1/map/grids.geojson"): rule(*READERS),
    # The registry and the record (一企一档).
    ("GET", "/api/v1/enterprises"): rule(*RECORD_ROLES, scope=Scope.FILTER),
    ("GET", "/api/v1/enterprises/{uscc}"): rule(*RECORD_ROLES, scope=Scope.ENTERPRISE),
    ("POST", "/api/v1/enterprises"): rule(ADMIN, PERMIT_OFFICER),
    # Changing the registry (fields, outlets) is the bureau's, like registering: outlets carry the
    # permit's limits and the online monitors' thresholds, so a field team does not add them.
    ("PATCH", "/api/v1/enterprises/{uscc}"): rule(ADMIN, PERMIT_OFFICER),
    ("POST", "/api/v1/enterprises/{uscc}/outlets"): rule(ADMIN, PERMIT_OFFICER),
    # Codes: images for everyone who may see the enterprise; print runs and changes are the bureau's.
    ("GET", "/api/v1/enterprises/{uscc}/code.png"): _everyone(Scope.ENTERPRISE),
    ("GET", "/api/v1/enterprises/{uscc}/code.svg"): _everyone(Scope.ENTERPRISE),
    ("GET", "/api/v1/enterprises/{uscc}/code"): _everyone(Scope.ENTERPRISE),
    # A printable sheet names enterprises by USCC as well as by town: city-wide readers only.
    ("GET", "/api/v1/codes/sheet.pdf"): rule(*READERS),
    ("POST", "/api/v1/enterprises/{uscc}/code"): rule(ADMIN, PERMIT_OFFICER, DISPATCHER),
    ("POST", "/api/v1/enterprises/{uscc}/code/rotate"): rule(ADMIN, PERMIT_OFFICER, DISPATCHER),
    ("POST", "/api/v1/enterprises/{uscc}/code/revoke"): rule(ADMIN, PERMIT_OFFICER, DISPATCHER),
    ("POST", "/api/v1/enterprises/{uscc}/code/reissue"): rule(ADMIN, PERMIT_OFFICER, DISPATCHER),
    ("GET", "/api/v1/codes/scans"): rule(*READERS),
    # Retiring a signing key re-prints every sticker it signed: an administrator's decision.
    ("GET", "/api/v1/codes"): ADMIN_ONLY,
    ("POST", "/api/v1/codes/rotate"): ADMIN_ONLY,
    # Monitoring (the tag's rule covers the station list): one station's data for everyone who may
    # see the station; lists across stations without a town filter, city-wide readers only.
    **{
        ("GET", f"/api/v1/monitoring/stations/{{station_id}}{tail}"): _everyone(Scope.STATION)
        for tail in ("", "/status", "/series", "/class-history", "/aqi-history", "/exceedances", "/faults")
    },
    ("GET", "/api/v1/monitoring/status"): rule(*READERS),
    ("GET", "/api/v1/monitoring/coverage"): rule(*READERS),
    ("GET", "/api/v1/monitoring/exceedances"): rule(*READERS),
    ("GET", "/api/v1/monitoring/faults"): rule(*READERS),
    ("GET", "/api/v1/monitoring/outlets/{outlet_id}/thresholds"): rule(*READERS),
    # Permits (the tag's rule covers the changes): an enterprise's permits for whoever reads its
    # record; the city-wide lists and single permits (no town to check) for city-wide readers.
    ("GET", "/api/v1/enterprises/{uscc}/permits"): rule(*RECORD_ROLES, scope=Scope.ENTERPRISE),
    **{
        ("GET", f"/api/v1/{path}"): rule(*READERS)
        for path in (
            "permits",
            "permits/expiring",
            "permits/{permit_number}",
            "eia",
            "eia/{eia_id}",
            "radiation-permits",
            "radiation-permits/holding-rate",
            "radiation-permits/{permit_number}",
            "rights/{pollutant}",
            "rights/{pollutant}/entries",
        )
    },
}


@dataclass(frozen=True)
class TagRule:
    """The rule of every route of a router (by its first tag) not named in ROUTES: one for reads
    (GET), one for changes (any other method)."""

    read: Rule
    change: Rule


# Routers by tag: a router added later is governed here without a line per route (a route that needs
# a narrower rule is named in ROUTES, which wins).
TAGS: dict[str, TagRule] = {
    # Monitoring: everyone reads, a commissioner their town's; changes (thresholds) are the centre's.
    "monitoring": TagRule(_everyone(Scope.FILTER), rule(ADMIN, DISPATCHER)),
    # Permits: city-wide readers read; changes are the permit officers' (and admins'): applications
    # and the permit lifecycle, EIA acceptance and decisions, radiation permits, and the rights
    # ledger (cap, allocations, transfers, returns). The ledger stays with the permit officers
    # because rights and permits are one file: an enterprise's verified rights are confirmed in its
    # discharge permit (排污权有偿使用和交易 guidance, 国办发〔2014〕38号), so the section that issues
    # permits keeps the ledger, and enters the cap from the province's total-quantity plan. No grid
    # commissioner, dispatcher or inspector moves rights: the ledger is city-wide and a movement
    # changes what every holder may discharge.
    "permits": TagRule(rule(*READERS), rule(ADMIN, PERMIT_OFFICER)),
}


def find(method: str, path: str, tags: Iterable[object] = ()) -> Rule | None:
    """The rule of a route (None: it is in no table, so administrators only)."""
    verb = "GET" if method == "HEAD" else method
    named = ROUTES.get((verb, path))
    if named is not None:
        return named
    for tag in tags:
        by_tag = TAGS.get(str(tag))
        if by_tag is not None:
            return by_tag.read if verb == "GET" else by_tag.change
    return None


def rule_for(method: str, path: str, tags: Iterable[object] = ()) -> Rule:
    """The rule a route is held to: its own, else administrators only."""
    return find(method, path, tags) or ADMIN_ONLY
