from collections import Counter

import pytest

from archive.ingest.gazetteer import Gazetteer, Place, short_name


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def found(gaz: Gazetteer, text: str) -> list[tuple[str, int, str]]:
    return [(m.text, m.start, m.place.full_name) for m in gaz.find(text)]


def test_default_is_cached(gaz):
    assert Gazetteer.default() is gaz


def test_county_level_city_belongs_to_prefecture_and_province(gaz):
    assert gaz.get("简阳") == Place("510185", "简阳", "简阳市", "簡陽", "county", "四川", "成都")


def test_city_directly_under_province_has_no_prefecture(gaz):
    wanning = gaz.get("万宁")
    assert (wanning.adcode, wanning.level, wanning.province, wanning.prefecture) == (
        "469006", "county", "海南", None,
    )  # fmt: skip
    assert gaz.get("仙桃").prefecture is None
    assert gaz.get("仙桃").province == "湖北"


def test_prefecture_level_cities(gaz):
    sanya = gaz.get("三亚")
    assert (sanya.level, sanya.province, sanya.prefecture) == ("prefecture", "海南", None)
    assert gaz.get("湖州").province == "浙江"
    assert gaz.get("台州").province == "浙江"
    assert gaz.get("温岭").prefecture == "台州"


def test_municipality_is_a_city_and_its_own_province(gaz):
    chongqing = gaz.get("重庆")
    assert (chongqing.adcode, chongqing.full_name, chongqing.level, chongqing.province) == (
        "500000", "重庆市", "prefecture", "重庆",
    )  # fmt: skip
    assert [p.full_name for p in gaz.places() if p.name == "北京"] == ["北京市"]


def test_get_accepts_full_and_traditional_names(gaz):
    assert gaz.get("简阳市") is gaz.get("簡陽") is gaz.get("簡陽市") is gaz.get("简阳")
    assert gaz.get("黔南布依族苗族自治州").name == "黔南"
    assert gaz.get("不存在") is None


def test_traditional_names(gaz):
    assert [gaz.get(n).traditional for n in ("三亚", "简阳", "鹰潭", "台州", "温岭")] == [
        "三亞", "簡陽", "鷹潭", "台州", "溫嶺",
    ]  # fmt: skip


def test_tai_is_accepted_for_tai_in_traditional_names(gaz):
    assert gaz.get("臺灣").traditional == "臺灣"
    assert gaz.get("台灣") is gaz.get("臺灣") is gaz.get("台湾")
    assert gaz.get("煙台").name == "烟台"


@pytest.mark.parametrize(
    ("full", "short"),
    [
        ("三亚市", "三亚"),
        ("黔南布依族苗族自治州", "黔南"),
        ("延边朝鲜族自治州", "延边"),
        ("伊犁哈萨克自治州", "伊犁"),
        ("大兴安岭地区", "大兴安岭"),
        ("锡林郭勒盟", "锡林郭勒"),
        ("浙江省", "浙江"),
        ("广西壮族自治区", "广西"),
        ("内蒙古自治区", "内蒙古"),
        ("新疆维吾尔自治区", "新疆"),
        ("宁夏回族自治区", "宁夏"),
        ("西藏自治区", "西藏"),
        ("香港特别行政区", "香港"),
        ("沙市", "沙市"),
        ("芒市", "芒市"),
    ],
)
def test_short_names(full, short):
    assert short_name(full) == short


def test_no_short_name_has_one_character(gaz):
    assert min(len(p.name) for p in gaz.places()) == 2


def test_counts_per_level(gaz):
    levels = Counter(p.level for p in gaz.places())
    # 30 provinces, autonomous regions, Taiwan and SARs; the 4 municipalities are prefecture-level.
    assert levels["province"] == 30
    assert 330 <= levels["prefecture"] <= 360
    assert 390 <= levels["county"] <= 420
    assert len({p.province for p in gaz.places()}) == 34


def test_places_skip_districts_counties_and_placeholders(gaz):
    names = {p.full_name for p in gaz.places()}
    assert {"朝阳区", "长沙县", "苏鲁交界", "海域", "雄安新区", "澳门特别行政区直辖"}.isdisjoint(names)
    assert {"香港特别行政区", "澳门特别行政区", "阿拉善盟", "和田地区", "和田市"} <= names


@pytest.mark.parametrize("text", ["四方合作", "长治久安", "社会安宁", "东方红", "大好江山", "北京时间"])
def test_ordinary_words_are_not_mentions(gaz, text):
    assert gaz.find(text) == []


def test_longest_match_wins(gaz):
    assert found(gaz, "天津市") == [("天津市", 0, "天津市")]
    assert found(gaz, "内蒙古警方") == [("内蒙古", 0, "内蒙古自治区")]


def test_full_name_then_bare_short_name(gaz):
    assert found(gaz, "简阳市公安局通报，简阳公安提醒") == [
        ("简阳市", 0, "简阳市"),
        ("简阳", 9, "简阳市"),
    ]


def test_short_name_followed_by_institution(gaz):
    assert found(gaz, "湖州警方") == [("湖州", 0, "湖州市")]


def test_short_name_preceded_by_its_province(gaz):
    assert found(gaz, "浙江台州") == [("浙江", 0, "浙江省"), ("台州", 2, "台州市")]
    assert found(gaz, "四川简阳的") == [("四川", 0, "四川省"), ("简阳", 2, "简阳市")]


def test_short_name_backed_by_its_full_name_elsewhere(gaz):
    text = "三亚是知名的滨海旅游城市。三亚市警方"
    assert found(gaz, text) == [("三亚", 0, "三亚市"), ("三亚市", 13, "三亚市")]
    assert found(gaz, "三亚是知名的滨海旅游城市") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("台州市", [("台州市", 0, "台州市")]),
        ("温岭市城东街道", [("温岭市", 0, "温岭市")]),
        ("鹰潭市", [("鹰潭市", 0, "鹰潭市")]),
        ("诸暨市公安局局长", [("诸暨市", 0, "诸暨市")]),
        ("重庆市", [("重庆市", 0, "重庆市")]),
    ],
)
def test_full_names(gaz, text, expected):
    assert found(gaz, text) == expected


def test_city_and_market_words_do_not_make_full_names(gaz):
    assert gaz.find("沿海城市的治安") == []
    assert gaz.find("东方市场") == []
    assert found(gaz, "海城市公安局") == [("海城市", 0, "海城市")]


def test_district_or_county_suffix_needs_a_real_subunit(gaz):
    assert found(gaz, "长沙县") == [("长沙", 0, "长沙市")]
    assert gaz.find("经济合作区") == []
    assert found(gaz, "北京朝阳区") == [("北京", 0, "北京市")]


def test_shared_short_name_prefers_matching_suffix_and_named_province(gaz):
    assert found(gaz, "海南州") == [("海南", 0, "海南藏族自治州")]
    assert found(gaz, "海南警方") == [("海南", 0, "海南省")]
    assert found(gaz, "青海海南") == [("青海", 0, "青海省"), ("海南", 2, "海南藏族自治州")]


def test_shared_short_name_prefers_prefecture_over_its_county_city(gaz):
    assert found(gaz, "恩施警方") == [("恩施", 0, "恩施土家族苗族自治州")]
    assert found(gaz, "和田地区和田市") == [("和田地区", 0, "和田地区"), ("和田市", 4, "和田市")]
    assert gaz.get("和田").level == "prefecture"
