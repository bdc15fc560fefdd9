"""The server-drawn SVG charts: pure functions of counts, no database."""

import re

import pytest

from archive import charts


def test_bar_heights_are_proportional_to_the_counts():
    bars = charts.layout_bars({2015: 2, 2016: 4, 2017: 1})
    heights = {bar.year: bar.height for bar in bars}
    assert heights[2016] == charts.PLOT_HEIGHT  # the tallest fills the plot
    assert heights[2015] == pytest.approx(heights[2016] / 2)
    assert heights[2017] == pytest.approx(heights[2016] / 4)


def test_bars_stand_on_the_baseline_and_stay_inside_the_drawing():
    bars = charts.layout_bars({year: year % 5 + 1 for year in range(1990, 2025)})
    for bar in bars:
        assert bar.y + bar.height == pytest.approx(charts.BASELINE)
        assert bar.x >= 0 and bar.x + bar.width <= charts.WIDTH
    assert all(left.x + left.width <= right.x for left, right in zip(bars, bars[1:], strict=False))


def test_years_without_articles_between_the_first_and_last_are_zero_bars():
    assert charts.fill_years({2012: 1, 2015: 3}) == [(2012, 1), (2013, 0), (2014, 0), (2015, 3)]
    svg = str(charts.bar_chart({2012: 1, 2015: 3}, "每年的文章数"))
    assert svg.count('class="bar bar-zero"') == 2
    assert svg.count("<rect") == 4
    assert "<title>2013年：0 篇</title>" in svg


def test_text_alternative_names_the_chart_and_holds_every_number():
    svg = str(charts.bar_chart({2012: 1, 2014: 7}, "三亚每年的文章数", chart_id="city-years"))
    assert 'role="img"' in svg
    assert 'aria-labelledby="city-years-title city-years-desc"' in svg
    assert '<title id="city-years-title">三亚每年的文章数</title>' in svg
    description = re.search(r'<desc id="city-years-desc">(.*?)</desc>', svg).group(1)
    assert "共 8 篇" in description
    assert "最多的是2014年（7 篇）" in description
    for part in ("2012年 1 篇", "2013年 0 篇", "2014年 7 篇"):
        assert part in description
    table = re.search(r"<table>.*</table>", svg).group(0)
    assert '<tr><th scope="row">2013</th><td>0</td></tr>' in table
    assert '<tr><th scope="row">2014</th><td>7</td></tr>' in table


def test_no_data_gives_a_sentence_instead_of_a_chart():
    html = str(charts.bar_chart({}, "每年的文章数", empty="没有数据。"))
    assert html == '<p class="chart-empty">没有数据。</p>'
    assert charts.layout_bars({}) == []
    assert charts.describe({}) == ""


def test_a_single_year_is_one_bar_no_wider_than_the_limit():
    (bar,) = charts.layout_bars({2019: 3})
    assert bar.width == charts.MAX_BAR_WIDTH
    assert bar.height == charts.PLOT_HEIGHT
    assert "2019年共 3 篇" in charts.describe({2019: 3})


def test_long_spans_label_only_some_years_but_the_table_has_all():
    counts = {year: 1 for year in range(1990, 2025)}
    svg = str(charts.bar_chart(counts, "每年的文章数"))
    labels = re.findall(r'<text class="chart-label"[^>]*>(\d{4})</text>', svg)
    assert 1 < len(labels) <= charts.MAX_YEAR_LABELS
    assert labels[0] == "1990"
    assert len(re.findall(r'<th scope="row">\d{4}</th>', svg)) == 35


def test_titles_are_escaped():
    svg = str(charts.bar_chart({2019: 1}, "<script>x</script>"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_charts_carry_no_inline_style():
    svg = str(charts.bar_chart({2012: 1, 2015: 3}, "每年的文章数"))
    assert "style" not in svg


def test_undated_items_are_counted_beside_the_chart_not_in_it():
    html = str(charts.bar_chart({2019: 1}, "每年的文章数", undated=2))
    assert '<p class="chart-note">另有 2 篇日期不详，未计入。</p>' in html
    assert "chart-note" not in str(charts.bar_chart({2019: 1}, "每年的文章数"))
