"""The report's pictures (PNG, matplotlib's Agg backend, no display needed): each indicator's last six
periods against its target lines, and the units side by side for the period. What is drawn is computed
first (`trend_points`, `unit_points`) so tests read the same numbers the picture shows; a withheld figure
(people's answers below the group-size floor) is None there and is never drawn.

Text in the picture uses a CJK font when the machine has one; without one, indicator names are drawn in
English and units by number (the caption or the page beside the chart names them), so no glyph is a box.
Units are numbered too when there are more than fit under a bar chart.
"""
from __future__ import annotations

import io
import math
import warnings
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from storage import kpi  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "AR PL UMing CN", "Droid Sans Fallback")
COLUMNS = 4


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The first CJK font installed, or None."""
    found = _installed_cjk()
    if found is None:
        # A font installed after matplotlib cached its font list is not in that list: add the system's files.
        for path in font_manager.findSystemFonts():
            if any(mark in path.lower() for mark in ("wqy", "cjk", "sourcehan", "simhei", "msyh", "droidsansfallback")):
                font_manager.fontManager.addfont(path)
        found = _installed_cjk()
    return found


def _installed_cjk() -> str | None:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def _scale(measure: kpi.Measure, value: float | None) -> float | None:
    """Percentages drawn as 0-100."""
    if value is None:
        return None
    return value * 100 if measure.unit == "%" else value


def trend_points(report) -> list[tuple[kpi.Measure, list[tuple[str, float | None]], list[tuple[str, float]]]]:
    """Per indicator: (period, figure) for the last periods (None: no figure or withheld), and its targets."""
    return [(m, [(p, _scale(m, m.value(board))) for p, board in report.history],
             [(name, _scale(m, v)) for name, v in report.target_lines.get(m.key, [])]) for m in report.measures]


def unit_points(report) -> list[tuple[kpi.Measure, list[tuple[str, float | None]]]]:
    """Per indicator: (unit path, figure) for the period (None: no figure or withheld)."""
    return [(m, [(r.unit.path, _scale(m, m.value(r.board))) for r in report.unit_rows]) for m in report.measures]


NAMED_UNITS = 8  # more units than this are numbered under the bars (names would not fit, and cost time)


def unit_key(report) -> list[tuple[int, str]]:
    """How units are numbered in the picture (many units, or no CJK font to draw their names); else empty."""
    if cjk_font() and len(report.unit_rows) <= NAMED_UNITS:
        return []
    return [(i, r.unit.path) for i, r in enumerate(report.unit_rows, start=1)]


def _figure(count: int) -> tuple[Figure, list]:
    rows = max(1, math.ceil(count / COLUMNS))
    # Fixed spacing rather than a constrained layout: the layout engine costs more than the drawing.
    fig = Figure(figsize=(3.2 * COLUMNS, 2.6 * rows), dpi=80)
    axes = fig.subplots(rows, COLUMNS, squeeze=False, gridspec_kw={"hspace": 0.75, "wspace": 0.3}).flatten().tolist()
    fig.subplots_adjust(left=0.05, right=0.98, top=1 - 0.3 / rows, bottom=0.6 / rows)
    for ax in axes[count:]:
        ax.set_visible(False)
    return fig, axes[:count]


def y_range(measure: kpi.Measure, values: list[float | None]) -> tuple[float, float]:
    """The value axis: from 0 (no indicator is negative), percentages to 100, else a little above the largest
    figure or target; matplotlib's own choice for an empty or all-zero panel is -0.04 to 0.04."""
    if measure.unit == "%":
        return 0.0, 100.0
    drawn = [v for v in values if v is not None and not math.isnan(v)]
    return 0.0, max([1.0, *drawn]) * 1.15


def _y_axis(ax, measure: kpi.Measure, values: list[float | None]) -> None:
    ax.set_ylim(*y_range(measure, values))
    if measure.unit == "count":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # 1 task, not 0.8 or 1.0


def _title(measure: kpi.Measure, lang: str) -> str:
    name = measure.name(lang) if cjk_font() or lang == "en" else measure.en
    return f"{name} (%)" if measure.unit == "%" else name


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _render(draw) -> bytes:
    font = cjk_font()
    with warnings.catch_warnings(), matplotlib.rc_context(
            {"font.family": [font, "DejaVu Sans"] if font else ["DejaVu Sans"], "axes.titlesize": 9,
             "xtick.labelsize": 7, "ytick.labelsize": 7}):
        warnings.simplefilter("ignore")  # a missing glyph must not break a report
        return draw()


def trend_png(report) -> bytes:
    """Each indicator's last periods (a line; gaps where there is no figure) against its target lines."""
    points = trend_points(report)

    def draw() -> bytes:
        fig, axes = _figure(len(points))
        for ax, (m, series, lines) in zip(axes, points):
            ax.set_title(_title(m, report.lang))
            labels = [p[2:] for p, _ in series]  # 26-12: short enough for six under one chart
            ax.plot(range(len(series)), [math.nan if v is None else v for _, v in series], marker="o")
            for _, value in lines:
                ax.axhline(value, linestyle="--", color="tab:red", linewidth=1)
            ax.set_xticks(range(len(series)), labels)
            _y_axis(ax, m, [v for _, v in series] + [v for _, v in lines])
            ax.grid(alpha=0.3)
        return _png(fig)

    return _render(draw)


def units_png(report) -> bytes:
    """The units side by side for the period, one bar each; no bar where the figure is withheld or missing."""
    points = unit_points(report)
    numbered = bool(unit_key(report))

    def draw() -> bytes:
        fig, axes = _figure(len(points))
        for ax, (m, bars) in zip(axes, points):
            ax.set_title(_title(m, report.lang))
            drawn = [(i, v) for i, (_, v) in enumerate(bars) if v is not None]
            if drawn:
                ax.bar([i + 1 for i, _ in drawn], [v for _, v in drawn], color="tab:blue")
            if numbered:  # many units: every fifth number is enough to find a unit by its number
                step = 1 if len(bars) <= 15 else 5
                ax.set_xticks([i for i in range(1, len(bars) + 1) if i == 1 or i % step == 0])
            else:
                ax.set_xticks(range(1, len(bars) + 1), [name for name, _ in bars], rotation=45)
            ax.set_xlim(0.4, len(bars) + 0.6)
            _y_axis(ax, m, [v for _, v in bars])
            ax.grid(axis="y", alpha=0.3)
        return _png(fig)

    return _render(draw)
