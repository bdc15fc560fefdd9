"""Charts drawn on the server as inline SVG: readable without JavaScript, each with a text alternative.

Pure functions of plain numbers (no models, no request). The SVG carries only class names and
geometry; colours and type come from static/css/site.css, so the page needs no inline style.
"""

import math
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH, HEIGHT = 480, 180
TOP, BOTTOM, SIDE = 24, 28, 8  # room for value labels above the bars and year labels below
PLOT_HEIGHT = HEIGHT - TOP - BOTTOM
BASELINE = TOP + PLOT_HEIGHT
MAX_BAR_WIDTH = 48
MAX_YEAR_LABELS = 10  # more would crowd a phone's width; the table below the chart has them all
MAX_VALUE_LABELS = 16
ZERO_HEIGHT = 1.5  # a zero year still shows a sliver on the baseline, so the gap reads as a year


@dataclass(frozen=True)
class Bar:
    """A year's bar: the items dated by their text, with those whose year is estimated stacked on top."""

    year: int
    value: int
    x: float
    width: float
    height: float
    estimated: int = 0
    estimated_height: float = 0

    @property
    def y(self) -> float:
        return BASELINE - self.height

    @property
    def total(self) -> int:
        return self.value + self.estimated

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def fill_years(counts: dict[int, int], estimated: dict[int, int] | None = None) -> list[tuple[int, int]]:
    """Every year from the first to the last (of either count) with its count; years without articles
    count zero."""
    years = {*counts, *(estimated or {})}
    if not years:
        return []
    return [(year, counts.get(year, 0)) for year in range(min(years), max(years) + 1)]


def layout_bars(counts: dict[int, int], estimated: dict[int, int] | None = None) -> list[Bar]:
    """One bar per year, heights proportional to the counts (stated and estimated together), the
    tallest filling the plot."""
    estimated = estimated or {}
    years = fill_years(counts, estimated)
    if not years:
        return []
    highest = max(value + estimated.get(year, 0) for year, value in years) or 1
    slot = (WIDTH - 2 * SIDE) / len(years)
    width = min(slot * 0.75, MAX_BAR_WIDTH)
    return [
        Bar(
            year=year,
            value=value,
            x=round(SIDE + index * slot + (slot - width) / 2, 2),
            width=round(width, 2),
            height=round(value / highest * PLOT_HEIGHT, 2),
            estimated=estimated.get(year, 0),
            estimated_height=round(estimated.get(year, 0) / highest * PLOT_HEIGHT, 2),
        )
        for index, (year, value) in enumerate(years)
    ]


def describe(counts: dict[int, int], unit: str = "篇", estimated: dict[int, int] | None = None) -> str:
    """The chart in words: span, total, the busiest year and every year's count (estimated ones apart)."""
    estimated = estimated or {}
    years = [(year, value + estimated.get(year, 0)) for year, value in fill_years(counts, estimated)]
    if not years:
        return ""
    total = sum(value for _, value in years)
    busiest, most = max(years, key=lambda pair: (pair[1], -pair[0]))
    span = f"{years[0][0]}年" if len(years) == 1 else f"{years[0][0]}年至{years[-1][0]}年"
    each = "，".join(
        f"{year}年 {value} {unit}" + (f"（其中推断 {estimated[year]} {unit}）" if estimated.get(year) else "")
        for year, value in years
    )
    guessed = f"，其中 {sum(estimated.values())} {unit}的年份是由文中推断的（浅色）" if estimated else ""
    return f"{span}共 {total} {unit}{guessed}，最多的是{busiest}年（{most} {unit}）。逐年：{each}。"


def _label_every(count: int) -> int:
    return max(1, math.ceil(count / MAX_YEAR_LABELS))


def _svg(bars: list[Bar], title: str, description: str, chart_id: str, unit: str) -> SafeString:
    every = _label_every(len(bars))
    highest = max(bar.total for bar in bars)
    rects = format_html_join(
        "",
        '<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}年：{} {}</title></rect>',
        (
            ("bar" if bar.total else "bar bar-zero", bar.x, bar.y if bar.total else BASELINE - ZERO_HEIGHT,
             bar.width, bar.height if bar.total else ZERO_HEIGHT, bar.year, bar.value, unit)
            for bar in bars
            if bar.value or not bar.estimated
        ),
    )
    # Estimated years stacked on the stated ones, in a lighter shade of their own.
    estimated_rects = format_html_join(
        "",
        '<rect class="bar bar-estimated" x="{}" y="{}" width="{}" height="{}"><title>{}年：推断 {} {}</title></rect>',
        (
            (bar.x, round(bar.y - bar.estimated_height, 2), bar.width, bar.estimated_height, bar.year, bar.estimated,
             unit)
            for bar in bars
            if bar.estimated
        ),
    )
    values = format_html_join(
        "",
        '<text class="chart-value" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (bar.centre, round(bar.y - bar.estimated_height - 6, 2), bar.total)
            for bar in bars
            if bar.total and (len(bars) <= MAX_VALUE_LABELS or bar.total == highest)
        ),
    )
    labels = format_html_join(
        "",
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        (
            (bar.centre, HEIGHT - 8, bar.year)
            for index, bar in enumerate(bars)
            if index % every == 0
        ),
    )
    return format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" '
        'focusable="false"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
        '<g class="chart-bars">{}</g><g class="chart-values" aria-hidden="true">{}</g>'
        '<g class="chart-labels" aria-hidden="true">{}</g></svg>',
        WIDTH, HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description,
        SIDE, BASELINE, WIDTH - SIDE, BASELINE, rects + estimated_rects, values, labels,
    )


def _table(counts: dict[int, int], title: str, unit: str, estimated: dict[int, int] | None = None) -> SafeString:
    if not estimated:
        rows = format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', fill_years(counts))
        head = format_html('<th scope="col">文章（{}）</th>', unit)
    else:
        rows = format_html_join(
            "", '<tr><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            ((year, value, estimated.get(year, 0)) for year, value in fill_years(counts, estimated)),
        )
        head = format_html('<th scope="col">注明日期（{}）</th><th scope="col">推断年份（{}）</th>', unit, unit)
    return format_html(
        '<details class="chart-data"><summary>查看数据</summary><div class="table-wrap"><table>'
        '<caption class="visually-hidden">{}</caption>'
        '<thead><tr><th scope="col">年份</th>{}</tr></thead>'
        "<tbody>{}</tbody></table></div></details>",
        title, head, rows,
    )


def bar_chart(counts: dict[int, int], title: str, *, chart_id: str = "chart", unit: str = "篇", undated: int = 0,
              estimated: dict[int, int] | None = None,
              empty: str = "还没有注明日期的文章，无法按年份统计。") -> SafeString:
    """A figure with a bar per year (zero years included), its description and a table of the values.

    `estimated` items (a year inferred from the text, ingest.dates) are stacked on each year's bar in
    their own shade; `undated` items, left out of the bars, are mentioned under the chart. Without
    data: a sentence instead of a chart. chart_id must be unique on the page.
    """
    bars = layout_bars(counts, estimated)
    if not bars:
        return format_html('<p class="chart-empty">{}</p>', empty)
    description = describe(counts, unit, estimated)
    legend = (format_html('<p class="chart-note"><span class="swatch swatch-estimated"></span>浅色：文中未载明日期、'
                          '由文中推断年份的 {} {}。</p>', sum(estimated.values()), unit) if estimated else "")
    left_out = format_html('<p class="chart-note">另有 {} {}日期不详，未计入。</p>', undated, unit) if undated else ""
    return format_html(
        '<figure class="chart"><figcaption>{}</figcaption>{}{}{}{}</figure>',
        title, _svg(bars, title, description, chart_id, unit), legend, left_out,
        _table(counts, title, unit, estimated),
    )


# Line charts: several series over the same periods (trends.py), one polyline and marker class each.
LINE_SERIES = 6
LINE_MARGIN = 28  # room for the first and the last period's label, centred under their points


def line_chart(periods: list[str], series: list[tuple[str, list[float]]], title: str, *,
               chart_id: str = "line-chart", unit: str = "%") -> SafeString:
    """One line per series over `periods` (values already in `unit`), with a legend; the figures
    are in a table the caller writes beside it. Without periods: a sentence instead."""
    if not periods or not series:
        return format_html('<p class="chart-empty">{}</p>', "所选时间内没有注明日期的文章。")
    highest = max((value for _, values in series for value in values), default=0) or 1
    step = (WIDTH - 2 * LINE_MARGIN) / max(1, len(periods) - 1)

    def point(index: int, value: float) -> tuple[float, float]:
        x = LINE_MARGIN + index * step if len(periods) > 1 else WIDTH / 2
        return round(x, 2), round(BASELINE - value / highest * PLOT_HEIGHT, 2)

    def dots(number: int, label: str, values: list[float]) -> SafeString:
        return format_html_join(
            "", '<circle class="dot line-{}" cx="{}" cy="{}" r="2.5"><title>{} {}：{}{}</title></circle>',
            ((number % LINE_SERIES, *point(i, v), label, periods[i], round(v, 2), unit) for i, v in enumerate(values)),
        )

    lines = format_html_join(
        "",
        '<polyline class="line line-{}" points="{}"><title>{}</title></polyline>{}',
        (
            (number % LINE_SERIES, " ".join(f"{x},{y}" for x, y in (point(i, v) for i, v in enumerate(values))),
             label, dots(number, label, values))
            for number, (label, values) in enumerate(series)
        ),
    )
    every = _label_every(len(periods))
    labels = format_html_join(
        "", '<text class="chart-label" x="{}" y="{}" text-anchor="middle">{}</text>',
        ((point(i, 0)[0], HEIGHT - 8, period) for i, period in enumerate(periods) if i % every == 0),
    )
    scale = format_html('<text class="chart-value" x="{}" y="{}">{}{}</text>', SIDE, TOP - 8, round(highest, 2), unit)
    legend = format_html_join("", '<li><span class="swatch line-{}"></span>{}</li>',
                              ((number % LINE_SERIES, label) for number, (label, _values) in enumerate(series)))
    description = "；".join(
        f"{label}：" + "，".join(f"{period} {round(value, 2)}{unit}"
                                for period, value in zip(periods, values, strict=True))
        for label, values in series
    )
    return format_html(
        '<figure class="chart line-chart"><figcaption>{}</figcaption>'
        '<svg class="chart-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>'
        '<line class="chart-axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>{}<g aria-hidden="true">{}{}</g></svg>'
        '<ul class="legend">{}</ul></figure>',
        title, WIDTH, HEIGHT, chart_id, chart_id, chart_id, title, chart_id, description,
        SIDE, BASELINE, WIDTH - SIDE, BASELINE, lines, labels, scale, legend,
    )
