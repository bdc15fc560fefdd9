"""How an initiative spread: cities in the order they first reported it, and provinces by first year."""

from datetime import date

from archive.spread import PROVINCE_TILES, cities_in_order, first_years, new_cities_per_year, tile_grid

ROWS = [
    ("台州", "/cities/taizhou/", "浙江", date(2013, 11, 22)),
    ("三亚", "/cities/sanya/", "海南", date(2018, 10, 21)),
    ("台州", "/cities/taizhou/", "浙江", date(2011, 6, 1)),
    ("湖州", "/cities/huzhou/", "浙江", date(2014, 3, 1)),
    ("儋州", "/cities/danzhou/", "海南", None),
]


def test_cities_come_in_the_order_they_first_reported_with_their_counts():
    cities = cities_in_order(ROWS)
    assert [(city.name, city.first, city.count) for city in cities] == [
        ("台州", date(2011, 6, 1), 2), ("湖州", date(2014, 3, 1), 1), ("三亚", date(2018, 10, 21), 1),
        ("儋州", None, 1),
    ]


def test_a_province_first_appears_with_its_earliest_city():
    assert first_years(cities_in_order(ROWS)) == {"浙江": 2011, "海南": 2018}
    assert new_cities_per_year(cities_in_order(ROWS)) == {2011: 1, 2014: 1, 2018: 1}


def test_the_tile_grid_has_a_square_per_province_shaded_by_first_year():
    svg = str(tile_grid({"浙江": 2011, "海南": 2018, "四川": 2014}, "各省"))
    assert svg.count("<rect") == len(PROVINCE_TILES) == 34
    assert '<g class="tile tile-0">' in svg and '<g class="tile tile-4">' in svg
    assert "<title>浙江：2011 年首次报道</title>" in svg and "<title>西藏：没有报道</title>" in svg
    assert "首次报道的年份：浙江 2011，四川 2014，海南 2018。" in svg


def test_no_two_provinces_share_a_square():
    assert len(set(PROVINCE_TILES.values())) == len(PROVINCE_TILES)
