"""QR code images (PNG, SVG): the public URL, a frame in the credit colour, the name underneath.

Error correction level H restores up to about 30% of damaged modules (ISO/IEC 18004, table 13),
which is what a printed sticker outdoors needs. The white quiet zone is 4 modules wide, the
minimum ISO/IEC 18004 requires for a reader to find the code; the coloured frame sits outside it.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont

QUIET_ZONE_MODULES = 4
FRAME_MODULES = 3
CAPTION_MODULES = 9  # room for two lines of the name under the code
DEFAULT_MODULE_PIXELS = 10
MAX_MODULE_PIXELS = 40
SVG_FONTS = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, sans-serif"


@dataclass(frozen=True)
class Artwork:
    """What goes on a code image."""

    url: str
    name: str
    colour: str  # frame colour, "#rrggbb"
    font_path: str | None = None  # a TrueType font with CJK glyphs; None: Pillow's default


def matrix(url: str) -> list[list[bool]]:
    """The QR modules (True = dark) including the quiet zone, at error-correction level H."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_H, border=QUIET_ZONE_MODULES)
    qr.add_data(url)
    qr.make(fit=True)
    return [list(row) for row in qr.get_matrix()]


def dark_runs(modules: list[list[bool]]) -> Iterator[tuple[int, int, int]]:
    """Horizontal runs of dark modules as (row, first column, length), so drawings stay small."""
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y, start, x - start
            else:
                x += 1


def _font(art: Artwork, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if art.font_path:
        return ImageFont.truetype(art.font_path, size)
    return ImageFont.load_default(size)


def wrap(text: str, fits: Callable[[str], bool], max_lines: int = 2) -> list[str]:
    """Split text into at most `max_lines` lines that `fits(line)` accepts, character by character
    (Chinese names have no spaces); the last line ends with an ellipsis if text remains."""
    lines: list[str] = []
    rest = text.strip()
    while rest and len(lines) < max_lines:
        cut = len(rest)
        while cut > 1 and not fits(rest[:cut]):
            cut -= 1
        lines.append(rest[:cut])
        rest = rest[cut:].lstrip()
    if rest and lines:
        last = lines[-1]
        while len(last) > 1 and not fits(last + "…"):
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def png(art: Artwork, module_pixels: int = DEFAULT_MODULE_PIXELS) -> bytes:
    """The code as a PNG."""
    px = max(2, min(module_pixels or DEFAULT_MODULE_PIXELS, MAX_MODULE_PIXELS))
    modules = matrix(art.url)
    n = len(modules)
    frame, caption = FRAME_MODULES * px, CAPTION_MODULES * px
    width, height = n * px + 2 * frame, n * px + caption + 2 * frame
    image = Image.new("RGB", (width, height), art.colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([frame, frame, width - frame - 1, height - frame - 1], fill="white")
    for y, x, length in dark_runs(modules):
        left, top = frame + x * px, frame + y * px
        draw.rectangle([left, top, left + length * px - 1, top + px - 1], fill="black")
    font = _font(art, int(px * 2.6))
    usable = n * px - 2 * px
    lines = wrap(art.name, lambda s: draw.textlength(s, font=font) <= usable)
    line_height = int(px * 3.2)
    top = frame + n * px + (caption - line_height * len(lines)) // 2
    for i, line in enumerate(lines):
        draw.text((width / 2, top + i * line_height), line, fill="black", font=font, anchor="ma")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def svg(art: Artwork) -> bytes:
    """The code as an SVG, drawn in module units so it scales to any print size."""
    modules = matrix(art.url)
    n = len(modules)
    f = FRAME_MODULES
    width, height = n + 2 * f, n + CAPTION_MODULES + 2 * f
    path = "".join(f"M{f + x},{f + y}h{length}v1h-{length}z" for y, x, length in dark_runs(modules))
    # About 2.2 module widths per CJK character at font size 2.6 keeps two lines inside the code's width.
    per_line = max(4, int((n - 2) / 2.7))
    lines = wrap(art.name, lambda s: len(s) <= per_line)
    text = "".join(
        f'<text x="{width / 2}" y="{f + n + 3.2 + i * 3.2}" font-size="2.6" text-anchor="middle" '
        f'font-family="{SVG_FONTS}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    document = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width * 8}" height="{height * 8}" shape-rendering="crispEdges">'
        f"<title>{escape(art.name)}</title>"
        f'<rect width="{width}" height="{height}" fill="{escape(art.colour)}"/>'
        f'<rect x="{f}" y="{f}" width="{n}" height="{n + CAPTION_MODULES}" fill="#ffffff"/>'
        f'<path d="{path}" fill="#000000"/>{text}</svg>'
    )
    return document.encode("utf-8")
