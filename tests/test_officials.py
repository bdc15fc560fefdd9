"""find_officials: police officials named in an article, with the role the article gives them."""

import pytest

from archive.ingest.gazetteer import Gazetteer
from archive.ingest.officials import find_officials


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.default()


def officials(text: str, gaz: Gazetteer, default_place=None) -> list[tuple[str, str, str | None]]:
    return [(o.name, o.role, o.place and o.place.name) for o in find_officials(text, gaz, default_place)]


def test_role_then_name(gaz):
    text = "儋州市公安局局长陈海峰:把警力推上街面 让群众安心出行"
    assert officials(text, gaz) == [("陈海峰", "儋州市公安局局长", "儋州")]


def test_role_then_two_character_name_before_a_verb(gaz):
    assert officials("崇仁县公安局治安大队大队长孙立明介绍,今年以来盗窃案件下降三成。", gaz) == [
        ("孙立明", "崇仁县公安局治安大队大队长", None)
    ]
    assert officials("台州市公安局政治部主任王勇说,网上公安局访问量突破百万。", gaz) == [
        ("王勇", "台州市公安局政治部主任", "台州")
    ]


def test_name_is_role(gaz):
    text = "钱永明是秀洲公安分局新塍派出所所长,从警30余年。"
    assert officials(text, gaz) == [("钱永明", "秀洲公安分局新塍派出所所长", None)]


def test_province_prefix_is_trimmed_from_the_role(gaz):
    text = "海南儋州市副市长、公安局局长陈海峰说,要把警力推上街面。"
    assert officials(text, gaz) == [("陈海峰", "儋州市副市长、公安局局长", "儋州")]


@pytest.mark.parametrize(
    "text",
    [
        "县委书记李明说,要把群众的事办好。",
        "社区党支部书记周红介绍,居民满意度明显提升。",
        "卫生院院长王芳表示,将配合做好宣传。",
        "南湖区教育局局长沈丽说,学校周边秩序明显好转。",
    ],
)
def test_non_police_roles_are_ignored(text, gaz):
    assert officials(text, gaz) == []


def test_police_posts_count_without_a_police_word(gaz):
    assert officials("石桥派出所所长刘建国说,小分队还在场口设立警务咨询台。", gaz) == [
        ("刘建国", "石桥派出所所长", None)
    ]
    assert officials("四号桥警务室警长周海威说,要建立长效机制。", gaz) == [("周海威", "四号桥警务室警长", None)]


def test_one_entry_per_name_with_the_first_role(gaz):
    text = "儋州市公安局局长陈海峰说,要拉近警民距离。陈海峰是市政法委副书记,局长陈海峰还提出。"
    assert officials(text, gaz) == [("陈海峰", "儋州市公安局局长", "儋州")]


def test_officials_in_order_of_first_mention(gaz):
    text = (
        "抚州市公安局局长赵卫东接受专访时说,要做好民生警务。"
        "南城县株良派出所副所长黄志刚说,园区企业多。"
        "崇仁县公安局治安大队大队长孙立明介绍,县局组建了夜巡队。"
    )
    assert [name for name, _, _ in officials(text, gaz)] == ["赵卫东", "黄志刚", "孙立明"]


def test_a_role_without_a_place_takes_the_default_place(gaz):
    jianyang = gaz.get("简阳")
    assert officials("石桥派出所所长刘建国说。", gaz, default_place=jianyang) == [("刘建国", "石桥派出所所长", "简阳")]


def test_three_character_name_ending_in_a_character_that_also_ends_names(gaz):
    assert officials("嘉兴市公安局局长沈国强认为,群众最有发言权。", gaz) == [("沈国强", "嘉兴市公安局局长", "嘉兴")]


def test_an_adverb_after_the_post_is_not_a_name(gaz):
    assert officials("接到报警后,派出所所长马上带领民警赶到现场。", gaz) == []


def test_this_stations_head_is_resolved_to_the_station_named_before(gaz):
    text = "余江县中童派出所副所长黄勇介绍了经验。该所所长王贵兴说,要把小事办好。"
    assert [(name, role) for name, role, _place in officials(text, gaz)] == [
        ("黄勇", "余江县中童派出所副所长"), ("王贵兴", "余江县中童派出所所长")
    ]


def test_this_bureaus_head_takes_the_bureau_of_the_official_before(gaz):
    text = "台州市公安局政治部主任王勇说,网上公安局访问量突破百万。该局局长蒋明表示,还要再提速。"
    assert officials(text, gaz)[1][:2] == ("蒋明", "台州市公安局局长")


def test_a_this_unit_role_without_a_unit_named_before_stays_as_written(gaz):
    assert [role for _name, role, _place in officials("该所所长王贵兴说,要把小事办好。", gaz)] == ["该所所长"]
