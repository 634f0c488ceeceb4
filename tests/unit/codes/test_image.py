"""QR images: a real decoder reads the URL back, through damage, in the credit colour's frame."""

import io
import os
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw, ImageFont
from pyzbar.pyzbar import decode

from services.codes.config import FONT_CANDIDATES
from services.codes.domain import image

URL = "https://eco.example.cn/c/AQAAAAEGdGVzdC0xOTEzMzAyODJNQTI4VDNZNDVVoTdt7tU0RvTkq9jYPkAdzA"
NAME = "慈溪市绿水化工有限公司"
GREEN = "#1a9850"


def _art() -> image.Artwork:
    font = next((f for f in FONT_CANDIDATES if os.path.isfile(f)), None)
    return image.Artwork(URL, NAME, GREEN, font)


def _erase_centre(picture: Image.Image, modules: int, px: int, offset: int, fraction: float) -> None:
    side = fraction * (modules - 2 * image.QUIET_ZONE_MODULES) * px
    centre = offset + modules * px / 2
    ImageDraw.Draw(picture).rectangle(
        [centre - side / 2, centre - side / 2, centre + side / 2, centre + side / 2], fill="white"
    )


def test_png_decodes_to_the_url_and_has_the_coloured_frame() -> None:
    picture = Image.open(io.BytesIO(image.png(_art()))).convert("RGB")
    assert [d.data.decode() for d in decode(picture)] == [URL]
    assert picture.getpixel((2, 2)) == (0x1A, 0x98, 0x50)
    assert picture.getpixel((picture.width - 3, picture.height - 3)) == (0x1A, 0x98, 0x50)


def _caption_band(art: image.Artwork) -> bytes:
    picture = Image.open(io.BytesIO(image.png(art))).convert("L")
    n, px, frame = len(image.matrix(art.url)), image.DEFAULT_MODULE_PIXELS, image.FRAME_MODULES
    top = frame * px + n * px
    return picture.crop((frame * px, top, picture.width - frame * px, picture.height - frame * px)).tobytes()


def test_the_caption_draws_real_chinese_glyphs_not_missing_glyph_boxes() -> None:
    art = _art()
    assert art.font_path, f"no CJK font installed (one of {FONT_CANDIDATES}; see services/codes/README.md)"
    font = ImageFont.truetype(art.font_path, 26)
    # A font without these glyphs draws both as the same .notdef box: their masks would be equal.
    ci, xi = font.getmask("慈"), font.getmask("溪")
    assert (ci.size, bytes(ci)) != (xi.size, bytes(xi))
    # The caption as rendered differs from the same caption made of characters no font has (U+E000,
    # private use), which is exactly what boxes would look like; and it is not blank.
    caption = _caption_band(replace(art, name="慈溪"))
    assert caption != _caption_band(replace(art, name="\ue000\ue000"))
    assert caption != _caption_band(replace(art, name=""))


def test_a_damaged_sticker_still_reads_where_a_low_correction_code_would_not() -> None:
    px = image.DEFAULT_MODULE_PIXELS
    frame = image.FRAME_MODULES * px
    picture = Image.open(io.BytesIO(image.png(_art()))).convert("RGB")
    modules = len(image.matrix(URL))
    _erase_centre(picture, modules, px, frame, 0.3)
    assert [d.data.decode() for d in decode(picture)] == [URL]
    # The same damage on a level-L code is unreadable: the level is what saves the sticker.
    weak = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, border=4, box_size=px)
    weak.add_data(URL)
    weak.make(fit=True)
    weak_picture = weak.make_image().get_image().convert("RGB")
    _erase_centre(weak_picture, len(weak.get_matrix()), px, 0, 0.3)
    assert decode(weak_picture) == []


def test_svg_draws_exactly_the_qr_modules_with_frame_and_name() -> None:
    document = ET.fromstring(image.svg(_art()))
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert document.find("s:rect", ns).get("fill") == GREEN  # type: ignore[union-attr]
    assert "".join(t.text or "" for t in document.findall("s:text", ns)) == NAME
    path = document.find("s:path", ns).get("d")  # type: ignore[union-attr]
    expected = image.matrix(URL)
    drawn = [[False] * len(expected) for _ in expected]
    for x, y, length in re.findall(r"M(\d+),(\d+)h(\d+)", path or ""):
        for dx in range(int(length)):
            drawn[int(y) - image.FRAME_MODULES][int(x) - image.FRAME_MODULES + dx] = True
    assert drawn == expected


def test_long_names_wrap_to_two_lines_with_an_ellipsis() -> None:
    lines = image.wrap("慈" * 30, lambda s: len(s) <= 10)
    assert lines == ["慈" * 10, "慈" * 9 + "…"]
    assert image.wrap("短名", lambda s: len(s) <= 10) == ["短名"]
