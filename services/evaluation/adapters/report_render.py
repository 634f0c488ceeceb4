"""Drawing the status report: charts with matplotlib (object API, no pyplot state, so requests on
several threads do not share a figure), Chinese text in the CJK font the system-package list brings,
as HTML with embedded PNG charts or as a multi-page PDF."""

from __future__ import annotations

import base64
import html as html_lib
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import matplotlib
from matplotlib import dates as mdates
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from services.evaluation.domain.hotspots import Hotspot, Offender
from services.evaluation.domain.kpis import Kpi

# The credit colours shown on enterprise codes (services/codes/domain/credit.py).
LEVEL_COLOURS = {
    "green": "#1a9850",
    "blue": "#2166ac",
    "yellow": "#e6ab02",
    "red": "#d7301f",
    "black": "#1a1a1a",
}
_fonts_lock = threading.Lock()


@dataclass(frozen=True)
class Month:
    label: str
    section_share: float
    sections: int
    exceedances: int


@dataclass(frozen=True)
class AirDayPoint:
    """One day of the city's air: its city AQI (HJ 663-2013) and how many valid stations it comes from."""

    day: date
    aqi: int
    stations: int


@dataclass(frozen=True)
class AirMonth:
    """One month's share of good-or-excellent city days among its city days with an AQI."""

    label: str
    good_share: float
    valid_days: int


@dataclass(frozen=True)
class ReportData:
    start: date
    end: date
    kpis: list[Kpi]
    months: list[Month]
    credit_levels: list[tuple[str, str, int]]
    problems_by_town: list[tuple[str, int]]
    hotspots: list[Hotspot]
    offenders: list[Offender]
    aqi_note: str
    air_days: list[AirDayPoint] = field(default_factory=list)
    air_months: list[AirMonth] = field(default_factory=list)
    aqi_target: float = 0.0


@contextmanager
def _cjk(font_path: str | None) -> Iterator[None]:
    """Matplotlib settings with the CJK font first (glyphs missing from it fall back to DejaVu)."""
    families = ["DejaVu Sans"]
    if font_path:
        with _fonts_lock:
            font_manager.fontManager.addfont(font_path)
        families.insert(0, font_manager.FontProperties(fname=font_path).get_name())
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False, "pdf.fonttype": 42}):
        yield


def _percent(k: Kpi) -> str:
    return "无数据" if k.undefined else f"{k.value:.1%} ({k.numerator}/{k.denominator})"


def kpi_chart(data: ReportData) -> Figure:
    """KPIs against their targets."""
    fig = Figure(figsize=(8.27, 5.2))
    ax = fig.add_subplot()
    shown = list(reversed(data.kpis))
    ys = range(len(shown))
    ax.barh(ys, [0 if k.undefined else k.value * 100 for k in shown], color="#4575b4", label="实际 actual")
    ax.scatter(
        [k.target * 100 for k in shown], ys, marker="|", s=400, color="#d73027", label="目标 target", zorder=3
    )
    ax.set_yticks(list(ys), [f"{k.title}{' (无数据)' if k.undefined else ''}" for k in shown])
    ax.set_xlim(0, 105)
    ax.set_xlabel("%")
    ax.set_title("主要指标与目标 KPIs against targets")
    ax.legend(loc="lower right")
    fig.tight_layout()
    return fig


def section_chart(data: ReportData) -> Figure:
    """Share of sections at their target class at each month's end, and exceedances per month."""
    fig = Figure(figsize=(8.27, 4.2))
    ax = fig.add_subplot()
    labels = [m.label for m in data.months]
    ax.bar(labels, [m.exceedances for m in data.months], color="#fdae61", label="断面超标次数 exceedances")
    ax.set_ylabel("次")
    twin = ax.twinx()
    twin.plot(
        labels,
        [m.section_share * 100 for m in data.months],
        marker="o",
        color="#1a9850",
        label="达标断面比例 %",
    )
    twin.set_ylim(0, 105)
    twin.set_ylabel("%")
    ax.set_title("地表水断面水质达标情况 Sections at their target class (GB 3838-2002)")
    fig.legend(loc="lower left")
    fig.tight_layout()
    return fig


# HJ 633-2012 table 2: the upper AQI of each level and its colour (the standard's own colours).
AQI_BANDS = ((50, "#00e400"), (100, "#ffff00"), (150, "#ff7e00"), (200, "#ff0000"), (300, "#99004c"))
AQI_LINE = "#08519c"
GOOD_BAR = "#41ab5d"


def aqi_chart(data: ReportData) -> Figure:
    """The city's daily AQI (HJ 663-2013, on the level bands of HJ 633-2012) and each month's share of
    good-or-excellent city days against the target."""
    fig = Figure(figsize=(8.27, 7.5))
    top, bottom = fig.subplots(2, 1)
    low = 0
    for high, colour in AQI_BANDS:
        top.axhspan(low, high, color=colour, alpha=0.15, lw=0)
        low = high
    if data.air_days:
        top.plot(
            [d.day for d in data.air_days],
            [d.aqi for d in data.air_days],
            marker="o",
            markersize=3,
            color=AQI_LINE,
            label="城市日AQI city daily AQI",
        )
        top.legend(loc="upper left")
        top.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        top.set_ylim(0, max(160.0, max(d.aqi for d in data.air_days) * 1.1))
    else:
        top.text(0.5, 0.5, "本期无城市日AQI no city daily AQI", ha="center", transform=top.transAxes)
    top.set_title("空气质量指数趋势 AQI trend (HJ 633-2012)")
    top.tick_params(axis="x", labelrotation=30)
    labels = [m.label for m in data.air_months]
    bottom.bar(labels, [m.good_share * 100 for m in data.air_months], color=GOOD_BAR, label="优良天数比例 %")
    if data.aqi_target:
        bottom.axhline(data.aqi_target * 100, color="#d73027", ls="--", label="目标 target")
    bottom.set_ylim(0, 105)
    bottom.set_ylabel("%")
    bottom.set_title("优良天数比例 Share of good-or-excellent city days")
    bottom.legend(loc="lower right")
    fig.tight_layout()
    return fig


def problems_chart(data: ReportData) -> Figure:
    """Problems by town, and the credit distribution."""
    fig = Figure(figsize=(8.27, 7.5))
    top, bottom = fig.subplots(2, 1)
    towns = data.problems_by_town[:15]
    top.bar([t for t, _ in towns], [n for _, n in towns], color="#74add1")
    top.set_title("各镇街问题数 Problems by town")
    top.tick_params(axis="x", labelrotation=45)
    levels = data.credit_levels
    bottom.bar(
        [label for _, label, _ in levels],
        [n for _, _, n in levels],
        color=[LEVEL_COLOURS[code] for code, _, _ in levels],
    )
    bottom.set_title("企业环境信用等级分布 Credit levels (企业环境信用评价办法（试行）, 2013)")
    fig.tight_layout()
    return fig


def text_page(data: ReportData, title: str) -> Figure:
    """The first page: title, period, the KPI table, the AQI note and the hotspots."""
    fig = Figure(figsize=(8.27, 11.69))
    fig.text(0.5, 0.95, title, ha="center", fontsize=16)
    lines = [f"报告期 Period: {data.start.isoformat()} — {data.end.isoformat()}", "", "主要指标 KPIs:"]
    lines += [f"  {k.title}: {_percent(k)}  目标 {k.target:.0%}" for k in data.kpis]
    lines += ["", f"空气质量 AQI: {data.aqi_note}", "", "矛盾焦点 Hotspots (by town):"]
    lines += [
        f"  {h.rank}. {h.key}: {h.total} (上期 {h.previous_total}, 变化 {h.trend:+d})" for h in data.hotspots
    ]
    if data.offenders:
        lines += ["", "多次发生问题的企业 Repeat offenders:"]
        lines += [f"  {o.name or o.uscc} ({o.town}): {o.problems}" for o in data.offenders[:10]]
    fig.text(0.06, 0.9, "\n".join(lines), va="top", fontsize=9, linespacing=1.5)
    return fig


def _charts(data: ReportData) -> list[Figure]:
    return [kpi_chart(data), section_chart(data), aqi_chart(data), problems_chart(data)]


def pdf(data: ReportData, title: str, font_path: str | None) -> bytes:
    """The report as a PDF: a text page and one page per chart."""
    out = io.BytesIO()
    with _cjk(font_path), PdfPages(out, metadata={"Title": title}) as pages:
        for fig in [text_page(data, title), *_charts(data)]:
            pages.savefig(fig)
    return out.getvalue()


def _png(fig: Figure) -> str:
    out = io.BytesIO()
    FigureCanvasAgg(fig).print_png(out)
    return base64.b64encode(out.getvalue()).decode()


def _newest(k: Kpi) -> str:
    return k.newest_event_at.isoformat() if k.newest_event_at else ""


def html(data: ReportData, title: str, font_path: str | None) -> str:
    """The report as one HTML page with its charts embedded."""
    esc = html_lib.escape
    with _cjk(font_path):
        images = [_png(fig) for fig in _charts(data)]
    rows = "".join(
        f"<tr><td>{esc(k.title)}</td><td>{esc(_percent(k))}</td><td>{k.target:.0%}</td>"
        f"<td>{esc(_newest(k))}</td><td>{esc(k.note)}</td></tr>"
        for k in data.kpis
    )
    spots = "".join(
        f"<tr><td>{h.rank}</td><td>{esc(h.key)}</td><td>{h.problems}</td><td>{h.petitions}</td>"
        f"<td>{h.previous_total}</td><td>{h.trend:+d}</td></tr>"
        for h in data.hotspots
    )
    charts = "".join(
        f'<img alt="chart" src="data:image/png;base64,{img}" style="max-width:100%">' for img in images
    )
    return (
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{esc(title)}</title></head>'
        f"<body><h1>{esc(title)}</h1><p>报告期 {data.start} — {data.end}</p>"
        f"<h2>主要指标</h2><table><tr><th>指标</th><th>实际</th><th>目标</th><th>最新事件</th><th>说明</th></tr>{rows}</table>"
        f"<p>{esc(data.aqi_note)}</p><h2>图表</h2>{charts}"
        f"<h2>矛盾焦点</h2><table><tr><th>#</th><th>镇街</th><th>问题</th><th>信访</th><th>上期</th><th>变化</th></tr>{spots}</table>"
        "</body></html>"
    )
