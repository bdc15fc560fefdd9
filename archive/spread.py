"""How an initiative spread: the cities in the order they first reported it, and the provinces as
a tile grid (one square per province in its rough place, shaded by the year it first appeared).

Pure: the view hands in (city, province, date) rows; the drawing is SVG with class names only.
"""

from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# Each province's square, as (column, row): a rough map, north at the top, no boundary data.
PROVINCE_TILES = {
    "黑龙江": (7, 0),
    "新疆": (0, 1), "内蒙古": (4, 1), "北京": (5, 1), "辽宁": (6, 1), "吉林": (7, 1),
    "甘肃": (2, 2), "宁夏": (3, 2), "山西": (4, 2), "河北": (5, 2), "天津": (6, 2),
    "西藏": (0, 3), "青海": (1, 3), "陕西": (3, 3), "河南": (4, 3), "山东": (5, 3),
    "四川": (2, 4), "重庆": (3, 4), "湖北": (4, 4), "安徽": (5, 4), "江苏": (6, 4), "上海": (7, 4),
    "云南": (2, 5), "贵州": (3, 5), "湖南": (4, 5), "江西": (5, 5), "浙江": (6, 5),
    "广西": (3, 6), "广东": (4, 6), "福建": (5, 6), "台湾": (7, 6),
    "海南": (3, 7), "澳门": (4, 7), "香港": (5, 7),
}
TILE, GAP = 44, 4
SHADES = 5  # classes tile-0 (earliest) … tile-4 (latest)


@dataclass(frozen=True)
class CitySpread:
    name: str
    url: str
    province: str
    first: date | None  # the earliest stated date of its articles naming the initiative
    count: int


def cities_in_order(rows) -> list[CitySpread]:
    """(city name, url, province, published_on) rows, one per article: each city once, in the order
    it first reported (cities whose articles state no date last, by name)."""
    found: dict[str, dict] = {}
    for name, url, province, published_on in rows:
        city = found.setdefault(name, {"url": url, "province": province, "first": None, "count": 0})
        city["count"] += 1
        if published_on and (city["first"] is None or published_on < city["first"]):
            city["first"] = published_on
    cities = [CitySpread(name, **values) for name, values in found.items()]
    return sorted(cities, key=lambda city: (city.first is None, city.first or date.max, city.name))


def first_years(cities: list[CitySpread]) -> dict[str, int]:
    """Each province's first year, from its cities' first dates."""
    years: dict[str, int] = {}
    for city in cities:
        if city.first and (city.province not in years or city.first.year < years[city.province]):
            years[city.province] = city.first.year
    return years


def new_cities_per_year(cities: list[CitySpread]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for city in cities:
        if city.first:
            counts[city.first.year] = counts.get(city.first.year, 0) + 1
    return counts


def _shade(year: int, first: int, last: int) -> int:
    return 0 if last == first else round((year - first) / (last - first) * (SHADES - 1))


def tile_grid(years: dict[str, int], title: str, chart_id: str = "tiles") -> SafeString:
    """The provinces as squares; those where the initiative was reported shaded by first year."""
    first, last = (min(years.values()), max(years.values())) if years else (0, 0)
    columns = 1 + max(column for column, _ in PROVINCE_TILES.values())
    rows = 1 + max(row for _, row in PROVINCE_TILES.values())
    tiles = format_html_join(
        "",
        '<g class="tile {}"><rect x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text x="{}" y="{}" text-anchor="middle">{}</text><title>{}</title></g>',
        (
            (f"tile-{_shade(years[name], first, last)}" if name in years else "tile-none",
             column * (TILE + GAP), row * (TILE + GAP), TILE, TILE,
             column * (TILE + GAP) + TILE / 2, row * (TILE + GAP) + TILE / 2 + 5, name[:2],
             f"{name}：{years[name]} 年首次报道" if name in years else f"{name}：没有报道")
            for name, (column, row) in PROVINCE_TILES.items()
        ),
    )
    reported = "，".join(f"{name} {year}" for name, year in sorted(years.items(), key=lambda item: (item[1], item[0])))
    description = f"首次报道的年份：{reported}。" if years else "还没有注明日期的报道。"
    legend = format_html(
        '<p class="chart-note">颜色越深，首次报道越早（{}–{} 年）；灰色：没有报道。</p>', first, last
    ) if years else ""
    return format_html(
        '<figure class="chart tile-grid"><figcaption>{}</figcaption>'
        '<svg class="chart-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{}-title {}-desc" focusable="false">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>{}</figure>',
        title, columns * (TILE + GAP), rows * (TILE + GAP), chart_id, chart_id, chart_id, title, chart_id,
        description, tiles, legend,
    )
