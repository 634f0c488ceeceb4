"""The status report renders from the read model: a PDF of five pages whose charts have pixels in
their colours and whose Chinese text is set in the CJK font (no missing glyphs), and an HTML page."""

from __future__ import annotations

import subprocess
import warnings
from datetime import date
from pathlib import Path

from PIL import Image

from services.evaluation.adapters import report_render
from services.evaluation.service_layer import report
from services.evaluation.service_layer.unit_of_work import Deps
from tests.unit.evaluation.test_figures import (
    air_story,
    city,  # noqa: F401  (fixture)
)
from tests.unit.evaluation.test_read_model import feed

KPI_BAR = (0x45, 0x75, 0xB4)  # report_render.kpi_chart's bar colour


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


GOOD_BAR, AQI_LINE = _rgb(report_render.GOOD_BAR), _rgb(report_render.AQI_LINE)


def _pixels_near(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> int:
    pixels: list[tuple[int, int, int]] = list(image.convert("RGB").get_flattened_data())  # type: ignore[arg-type]
    return sum(
        1 for pixel in pixels if all(abs(c - t) <= tolerance for c, t in zip(pixel, colour, strict=True))
    )


def test_pdf_has_its_pages_charts_and_chinese_glyphs(city: Deps, tmp_path: Path) -> None:  # noqa: F811
    feed(city, air_story())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rendered = report.render(city, start=date(2025, 1, 1), end=date(2025, 3, 10), pdf=True)
    assert not [w for w in caught if "missing from font" in str(w.message)], "tofu: a glyph had no font"
    assert rendered.media_type == "application/pdf" and rendered.content.startswith(b"%PDF")
    assert b"DroidSansFallback" in rendered.content  # the CJK font is embedded
    path = tmp_path / "report.pdf"
    path.write_bytes(rendered.content)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 5  # text page, KPIs, sections, AQI, problems and credit
    with Image.open(pages[1]) as kpi_page:
        assert _pixels_near(kpi_page, KPI_BAR) > 200  # the KPI bars were drawn
    with Image.open(pages[3]) as aqi_page:
        assert _pixels_near(aqi_page, GOOD_BAR) > 200  # March's good-day share bar (3 of 5 city days)
        assert _pixels_near(aqi_page, AQI_LINE, tolerance=30) > 20  # the daily AQI trend line
    with Image.open(pages[0]) as text_page:
        grey: list[int] = list(text_page.convert("L").get_flattened_data())  # type: ignore[arg-type]
        dark = sum(1 for p in grey if p < 128)
        assert dark > 500  # the title and the KPI table are on the first page


def test_html_embeds_the_charts_and_the_kpi_table(city: Deps) -> None:  # noqa: F811
    rendered = report.render(city, start=None, end=None, pdf=False)
    text = rendered.content.decode()
    assert rendered.media_type.startswith("text/html")
    assert text.count("data:image/png;base64,") == 4
    assert "排污许可持证率" in text and "25.0% (1/4)" in text
