"""The printable sheet: pages of codes as vector PDF, each one readable once printed."""

import re
import subprocess
from pathlib import Path

from PIL import Image
from pyzbar.pyzbar import decode

from services.codes.domain import sheet


def _entry(i: int) -> sheet.SheetEntry:
    return sheet.SheetEntry(
        url=f"https://eco.example.cn/c/token{i:03d}",
        name=f"慈溪市第{i}号企业 Cixi Works",
        uscc="91330100716105852F",
        version=1,
        colour="#e6ab02",
        label="环保警示企业",
    )


def test_thirteen_codes_make_two_a4_pages() -> None:
    rendered = sheet.render([_entry(i) for i in range(13)], title="一码 codes 观海卫")
    assert rendered.pdf.startswith(b"%PDF-")
    assert rendered.pages == 2
    assert len(re.findall(rb"/Type /Page\b", rendered.pdf)) == 2


def test_twelve_fit_on_one_page() -> None:
    assert sheet.render([_entry(i) for i in range(12)], title="t").pages == 1


def test_mixed_text_is_split_between_latin_and_cjk_fonts() -> None:
    assert sheet._runs("v1 环保 ok") == [("Helvetica", "v1 "), ("STSong-Light", "环保"), ("Helvetica", " ok")]


def _rasterise(pdf: bytes, workdir: Path, dpi: int = 200) -> list[Image.Image]:
    """The PDF's pages as grey images, drawn by poppler's pdftoppm (deploy/system-packages.txt)."""
    source = workdir / "sheet.pdf"
    source.write_bytes(pdf)
    command = ["pdftoppm", "-gray", "-png", "-r", str(dpi), str(source), str(workdir / "page")]
    subprocess.run(command, check=True)
    return [Image.open(page) for page in sorted(workdir.glob("page*.png"))]


def test_every_code_on_the_printed_sheet_decodes_to_its_url(tmp_path: Path) -> None:
    entries = [_entry(i) for i in range(13)]
    pages = _rasterise(sheet.render(entries, title="一码 codes 观海卫").pdf, tmp_path)
    assert len(pages) == 2
    decoded = [symbol.data.decode() for page in pages for symbol in decode(page)]
    assert sorted(decoded) == sorted(e.url for e in entries)
