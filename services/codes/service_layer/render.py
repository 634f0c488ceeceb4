"""Rendering codes as images and printable sheets, in the enterprise's current credit colour."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.codes.adapters.repository import CodeRepository, StatusRepository
from services.codes.domain import image, sheet
from services.codes.domain.credit import look
from services.codes.domain.model import Code, CodeStatus
from services.codes.domain.status import CreditLevel, EnterpriseStatus
from services.codes.service_layer.codes import present
from services.codes.service_layer.context import Context
from shared.errors import FailedPrecondition, InvalidArgument, NotFound
from shared.uscc import validate_uscc

MAX_SHEET_CODES = 300


class Format(StrEnum):
    PNG = "png"
    SVG = "svg"


CONTENT_TYPES = {Format.PNG: "image/png", Format.SVG: "image/svg+xml"}


@dataclass(frozen=True)
class RenderedCode:
    content_type: str
    content: bytes
    version: int
    credit_level: CreditLevel


@dataclass(frozen=True)
class RenderedSheet:
    pdf: bytes
    codes: int
    pages: int


def _display_name(status: EnterpriseStatus | None, uscc: str) -> str:
    return status.name if status and status.name else uscc


def _refuse_retired(ctx: Context, printing: list[Code]) -> None:
    # A retired key signs nothing new, and a sticker printed now would be superseded at the next
    # RotateCodes: rotate first, then print.
    stale = [c for c in printing if ctx.keys.is_retired(c.key_id)]
    if stale:
        names = ", ".join(f"{c.uscc} ({c.key_id})" for c in stale)
        raise FailedPrecondition(f"codes signed with a retired key: {names}; rotate them before printing")


def render_code(ctx: Context, *, uscc: str, fmt: Format, module_pixels: int = 0) -> RenderedCode:
    """The enterprise's active code as PNG or SVG, framed in its credit colour as of now."""
    key = validate_uscc(uscc)
    if module_pixels < 0 or module_pixels > image.MAX_MODULE_PIXELS:
        raise InvalidArgument("module_pixels", f"must be 0 (default) to {image.MAX_MODULE_PIXELS}")
    with ctx.engine.connect() as conn:
        code = CodeRepository(conn).get_or_raise(uscc=key)
        status = StatusRepository(conn).get(uscc=key)
    if code.status is not CodeStatus.ACTIVE:
        raise FailedPrecondition(f"code of {key} is revoked: reissue it before printing")
    _refuse_retired(ctx, [code])
    level = status.credit_level if status else CreditLevel.UNRATED
    art = image.Artwork(present(ctx, code).url, _display_name(status, key), look(level).colour, ctx.font_path)
    content = image.png(art, module_pixels) if fmt is Format.PNG else image.svg(art)
    return RenderedCode(CONTENT_TYPES[fmt], content, code.version, level)


def render_sheet(ctx: Context, *, usccs: list[str], town: str) -> RenderedSheet:
    """A PDF of the listed enterprises' codes, or of every active code in a town."""
    if bool(usccs) == bool(town.strip()):
        raise InvalidArgument("uscc", "give either a list of enterprises or a town, not both or neither")
    keys = list(dict.fromkeys(validate_uscc(u) for u in usccs))
    if len(keys) > MAX_SHEET_CODES:
        raise InvalidArgument("uscc", f"at most {MAX_SHEET_CODES} codes per sheet, got {len(keys)}")
    with ctx.engine.connect() as conn:
        statuses = StatusRepository(conn).get_all(usccs=keys, town=town.strip())
        by_uscc = {s.uscc: s for s in statuses}
        wanted = keys or [s.uscc for s in statuses]
        codes = CodeRepository(conn).get_all(usccs=wanted)
    if keys:
        missing = [k for k in keys if k not in codes]
        if missing:
            raise NotFound("code of enterprise", ", ".join(missing))
        revoked = [k for k in keys if codes[k].status is not CodeStatus.ACTIVE]
        if revoked:
            raise FailedPrecondition(
                f"codes of {', '.join(revoked)} are revoked: reissue them before printing"
            )
    active = [k for k in wanted if k in codes and codes[k].status is CodeStatus.ACTIVE]
    if not active:
        raise NotFound("active codes of town", town.strip())
    _refuse_retired(ctx, [codes[k] for k in active])
    if len(active) > MAX_SHEET_CODES:
        raise InvalidArgument(
            "town", f"has {len(active)} codes; at most {MAX_SHEET_CODES} per sheet: list them in parts"
        )
    entries = []
    for key in active:
        status = by_uscc.get(key)
        level_look = look(status.credit_level if status else CreditLevel.UNRATED)
        entries.append(
            sheet.SheetEntry(
                url=present(ctx, codes[key]).url,
                name=_display_name(status, key),
                uscc=key,
                version=codes[key].version,
                colour=level_look.colour,
                label=level_look.label,
            )
        )
    rendered = sheet.render(entries, title=f"一码 codes {town.strip()}".strip())
    return RenderedSheet(pdf=rendered.pdf, codes=len(entries), pages=rendered.pages)
