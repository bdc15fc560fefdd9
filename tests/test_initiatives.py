"""Named policing initiatives: the curated list's matcher, and the new names an article gives."""

from archive.ingest.discovery import find_mentions
from archive.ingest.initiatives import InitiativeMatcher
from archive.ingest.script import to_simplified

CURATED = {
    "路长制": "路长制",
    "路长制+": "路长制",
    "警保联控": "警保联控",
    "枫桥经验": "枫桥经验",
    "警务广场": "警务广场",
    "警务e广场": "警务广场",
    "赶场警务": "赶场警务",
    "逢场警务": "赶场警务",
    "五小": "五小民生警务",
    "五小民生警务": "五小民生警务",
    "五小工程": "五小工程",
}
MATCHER = InitiativeMatcher(CURATED)


def test_aliases_map_to_the_canonical_name():
    assert MATCHER.find("简阳公安推行“逢场警务”,赶场天民警上街。") == ["赶场警务"]
    assert MATCHER.find("依托互联网设立“警务e广场”。") == ["警务广场"]


def test_traditional_text_matches_after_conversion():
    text = "以“路長制”為抓手、以“警保聯控”為延伸,堅持和發展“楓橋經驗”。"
    assert MATCHER.find(to_simplified(text)) == ["路长制", "警保联控", "枫桥经验"]


def test_longest_alias_wins():
    assert MATCHER.find("推行“五小工程”") == ["五小工程"]
    assert MATCHER.find("“五小”民生警务提升公众安全感") == ["五小民生警务"]
    assert MATCHER.find("推行“路长制+”") == ["路长制"]


def test_most_mentioned_first_then_first_mentioned():
    text = "坚持“枫桥经验”,实施“警务广场”战略。“警务广场”三屏联动。推行“路长制”。"
    assert MATCHER.find(text) == ["警务广场", "枫桥经验", "路长制"]


def test_mentions_of_aliases_add_up():
    assert MATCHER.find("枫桥经验。赶场警务。逢场警务。") == ["赶场警务", "枫桥经验"]


def test_one_character_names_and_an_empty_list_match_nothing():
    assert InitiativeMatcher({"警": "警务"}).find("民警上街") == []
    assert InitiativeMatcher({}).find("路长制") == []


def test_knows_names_and_aliases():
    assert MATCHER.knows("逢场警务")
    assert not MATCHER.knows("飞鹭支队")


def candidates(text: str, place_names: frozenset[str] = frozenset()) -> list[str]:
    return [mention.name for mention in find_mentions(text, MATCHER, set(place_names))]


def test_every_quoted_name_is_a_mention_in_order_of_first_mention():
    text = "组建“飞鹭支队”,开展“护瓜行动”,推行“阳光调解工作法”和“夜巡队”巡逻,树立“警民一家”理念。"
    assert candidates(text) == ["飞鹭支队", "护瓜行动", "阳光调解工作法", "夜巡队", "警民一家"]


def test_words_after_the_quotes_join_the_name():
    text = "推行“三访”民生警务,创新“5+2”新型警务模式,建立“大调解”工作机制。"
    assert candidates(text) == ["三访民生警务", "5+2警务模式", "大调解工作机制"]


def test_a_quoted_name_that_already_has_an_ending_keeps_it_alone():
    assert candidates("推行“飞鹭支队”工作机制") == ["飞鹭支队"]


def test_known_names_are_not_candidates():
    assert candidates("以“路长制”为抓手,推行“五小”民生警务和“逢场警务”。") == []


def test_place_names_are_not_candidates():
    assert candidates("总结推广“湖州”模式", frozenset({"湖州"})) == []
    assert candidates("总结推广“湖州”模式") == ["湖州模式"]


def test_each_candidate_once():
    assert candidates("“护瓜行动”开展以来,“护瓜行动”成效明显。") == ["护瓜行动"]
