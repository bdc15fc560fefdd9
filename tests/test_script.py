"""Traditional and simplified script: detection and conversion."""

import pytest

from archive.ingest import script
from archive.ingest.script import SIMPLIFIED, TRADITIONAL, detect_script, to_simplified, to_traditional
from tests.dump_fixtures import ALL, BARE, BLOG, PORTAL, fixture_text


@pytest.mark.parametrize("name", ALL)
def test_detect_script_of_each_fixture(name):
    expected = TRADITIONAL if name in (PORTAL, BLOG) else SIMPLIFIED
    assert detect_script(fixture_text(name)) == expected


@pytest.mark.parametrize(
    "text, script",
    [
        ("台州網上公安局", TRADITIONAL),
        ("台州网上公安局", SIMPLIFIED),
        ("幹部", TRADITIONAL),
        ("干部", SIMPLIFIED),  # 干 is a character of both scripts
        ("後", TRADITIONAL),
        ("網上公安局 online 2013", TRADITIONAL),
        ("警务广场 警務", SIMPLIFIED),  # one traditional character among simplified ones
        ("2013", SIMPLIFIED),  # nothing to tell: simplified
    ],
)
def test_detect_script_on_short_and_mixed_text(text, script):
    assert detect_script(text) == script


def test_to_simplified():
    assert to_simplified("網上公安局訪問量突破百萬,群眾與公安機關溝通") == "网上公安局访问量突破百万,群众与公安机关沟通"


def test_to_traditional():
    assert to_traditional("遵义警方推行赶场警务 把平安送到乡场上") == "遵義警方推行趕場警務 把平安送到鄉場上"


def test_conversion_keeps_one_character_for_one():
    text = fixture_text(PORTAL)
    assert len(to_simplified(text)) == len(text)
    assert [len(line) for line in to_simplified(text).split("\n")] == [len(line) for line in text.split("\n")]


def test_round_trip_of_simplified_text():
    text = fixture_text(BARE)
    assert to_simplified(to_traditional(text)) == text


def test_matching_form_folds_every_full_width_form_and_the_ideographic_space_to_ascii():
    full_width = "".join(map(chr, range(0xFF01, 0xFF5F))) + "\u3000"
    ascii_forms = "".join(map(chr, range(0x21, 0x7F))) + " "
    assert script.matching_form(full_width) == ascii_forms
    assert script.matching_form("（２０１３）民警巡邏，ｏｋ") == "(2013)民警巡逻,ok"
    assert script.matching_form("\uff00\uff5f民警") == "\uff00\uff5f民警"  # just outside the range: kept
