"""decode_dump: bytes of a dump -> text, encoding and replacement count, or UndecodableDump."""

import codecs
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.ingest.decode import Decoded, UndecodableDump, decode_dump

SIMPLIFIED = "三亚市公安局推行路长制，民警和协警担任路管员。"
TRADITIONAL = "三亞市公安局推行路長制，民警和協警擔任路管員。"
LONG_SIMPLIFIED = (
    "三亚市公安局推行路长制，民警和协警担任路管员，负责辖区道路的交通秩序和治安巡逻。"
    "路长每天巡查路段，发现问题当场处置，群众满意度明显提升。"
    "湖州市公安局坚持和发展枫桥经验，实施警务广场战略，把矛盾纠纷化解在基层。"
    "派出所民警走访群众，听取意见建议，帮助解决户口迁移和落户难题。"
    "据统计，全市刑事案件总量连续五年下降，警民关系更加和谐。"
)
LONG_TRADITIONAL = (
    "三亞市公安局推行路長制，民警和協警擔任路管員，負責轄區道路的交通秩序和治安巡邏。"
    "路長每天巡查路段，發現問題當場處置，群眾滿意度明顯提升。"
    "湖州市公安局堅持和發展楓橋經驗，實施警務廣場戰略，把矛盾糾紛化解在基層。"
    "派出所民警走訪群眾，聽取意見建議，幫助解決戶口遷移和落戶難題。"
    "據統計，全市刑事案件總量連續五年下降，警民關係更加和諧。"
)
SHORT_SIMPLIFIED = [
    "派出所民警走访群众，帮助解决户口迁移难题。",
    "湖州公安坚持和发展枫桥经验。",
    "交警支队开展夜间酒驾整治行动。",
    "社区民警为独居老人上门办理身份证。",
    "三亚推行路长制",
    "警务广场见实效",
]
SHORT_TRADITIONAL = [
    "派出所民警走訪群眾，幫助解決戶口遷移難題。",
    "湖州公安堅持和發展楓橋經驗。",
    "交警支隊開展夜間酒駕整治行動。",
    "社區民警為獨居老人上門辦理身份證。",
    "三亞推行路長制",
    "楓橋經驗湖州樣本",
]


def random_bytes(size: int, seed: int = 20240501) -> bytes:
    return random.Random(seed).randbytes(size)


def test_plain_utf8_is_decoded_strictly():
    assert decode_dump(LONG_SIMPLIFIED.encode("utf-8")) == Decoded(LONG_SIMPLIFIED, "utf-8", 0)


def test_utf8_bom_is_removed_and_reported_as_utf_8_sig():
    raw = codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8")
    assert decode_dump(raw) == Decoded(SIMPLIFIED, "utf-8-sig", 0)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_decoded_as_utf_16(codec):
    raw = SIMPLIFIED.encode(codec) if codec == "utf-16" else "\ufeff".encode(codec) + SIMPLIFIED.encode(codec)
    assert decode_dump(raw) == Decoded(SIMPLIFIED, "utf-16", 0)


def test_utf32_with_bom_is_decoded_as_utf_32():
    assert decode_dump(TRADITIONAL.encode("utf-32")) == Decoded(TRADITIONAL, "utf-32", 0)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_for_chinese_text(codec):
    assert decode_dump(LONG_SIMPLIFIED.encode(codec)) == Decoded(LONG_SIMPLIFIED, codec, 0)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_for_mostly_ascii_text(codec):
    text = "Police report 2019-05-20: 路长制"
    assert decode_dump(text.encode(codec)) == Decoded(text, codec, 0)


def test_crlf_and_cr_newlines_become_lf():
    raw = "第一段。\r\n\r\n第二段。\r第三段。\n".encode()
    assert decode_dump(raw).text == "第一段。\n\n第二段。\n第三段。\n"


def test_crlf_is_normalised_in_gbk_text_too():
    raw = "民警巡逻。\r\n群众满意。\r\n".encode("gbk")
    assert decode_dump(raw) == Decoded("民警巡逻。\n群众满意。\n", "gb18030", 0)


def test_a_few_nul_characters_are_removed():
    raw = LONG_SIMPLIFIED.encode("utf-8") + b"\x00\x00"
    assert decode_dump(raw) == Decoded(LONG_SIMPLIFIED, "utf-8", 0)


@pytest.mark.parametrize("cut", [1, 2])
def test_utf8_cut_inside_a_three_byte_character_stays_utf8_with_one_replacement(cut):
    raw = SIMPLIFIED.encode("utf-8") + "警".encode()[:cut]
    assert decode_dump(raw) == Decoded(SIMPLIFIED + "\ufffd", "utf-8", 1)


@pytest.mark.parametrize("cut", [1, 2, 3])
def test_utf8_cut_inside_a_four_byte_character_stays_utf8_with_one_replacement(cut):
    raw = "吉祥".encode() + "𠮷".encode()[:cut]  # U+20BB7, a four-byte CJK extension B character
    assert decode_dump(raw) == Decoded("吉祥\ufffd", "utf-8", 1)


def test_utf8_with_a_stray_invalid_byte_stays_utf8_and_counts_it():
    raw = LONG_SIMPLIFIED.encode("utf-8").replace("路长制".encode(), "路长".encode() + b"\xff", 1)
    result = decode_dump(raw)
    assert (result.encoding, result.replaced) == ("utf-8", 1)
    assert result.text.startswith("三亚市公安局推行路长\ufffd，民警")


def test_gbk_simplified_text_is_decoded_as_gb18030():
    assert decode_dump(LONG_SIMPLIFIED.encode("gbk")) == Decoded(LONG_SIMPLIFIED, "gb18030", 0)


@pytest.mark.parametrize("text", [SIMPLIFIED, *SHORT_SIMPLIFIED])
def test_short_gbk_simplified_text_is_decoded_as_gb18030(text):
    assert decode_dump(text.encode("gbk")) == Decoded(text, "gb18030", 0)


def test_big5_traditional_text_is_decoded_as_big5():
    assert decode_dump(LONG_TRADITIONAL.encode("big5")) == Decoded(LONG_TRADITIONAL, "big5", 0)


@pytest.mark.parametrize("text", [TRADITIONAL, *SHORT_TRADITIONAL])
def test_short_big5_traditional_text_is_decoded_as_big5(text):
    assert decode_dump(text.encode("big5")) == Decoded(text, "big5", 0)


@pytest.mark.parametrize("text", [TRADITIONAL, LONG_TRADITIONAL, *SHORT_TRADITIONAL])
def test_gbk_traditional_text_is_decoded_as_gb18030(text):
    assert decode_dump(text.encode("gbk")) == Decoded(text, "gb18030", 0)


def test_gb18030_four_byte_characters_are_decoded():
    text = SIMPLIFIED + "𠮷"  # outside GBK: GB18030 encodes it in four bytes
    assert decode_dump(text.encode("gb18030")) == Decoded(text, "gb18030", 0)


def test_gbk_text_with_pinyin_annotations_is_decoded_as_gb18030():
    text = "民警担(dān)任路管员，关(guān)心群众。"
    assert decode_dump(text.encode("gbk")) == Decoded(text, "gb18030", 0)


def test_gbk_file_cut_inside_its_last_character_counts_one_replacement():
    raw = LONG_SIMPLIFIED.encode("gbk")[:-1]
    assert decode_dump(raw) == Decoded(LONG_SIMPLIFIED[:-1] + "\ufffd", "gb18030", 1)


def test_two_character_ambiguity_is_resolved_towards_gb18030():
    # "警察" in Big5 is also valid GBK for two common characters; mainland encodings win the tie.
    assert decode_dump("警察".encode("big5")) == Decoded("牡诡", "gb18030", 0)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   ",
        b" \r\n\t\r\n",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"\r\n",
        " ".encode("utf-16"),
        "\u3000\n".encode(),
    ],
)
def test_empty_or_whitespace_only_file_is_rejected(raw):
    with pytest.raises(UndecodableDump) as caught:
        decode_dump(raw)
    assert caught.value.reason == "empty file"


@pytest.mark.parametrize("size", [64, 1000, 8192])
def test_random_bytes_are_rejected_as_binary(size):
    with pytest.raises(UndecodableDump) as caught:
        decode_dump(random_bytes(size))
    assert caught.value.reason == "binary data, not text"


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n" + random_bytes(500),
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + random_bytes(500),
        b"\x00" * 300,
        b"\x00\x01\x02\x03" * 100 + SIMPLIFIED.encode(),
        SIMPLIFIED.encode() + b"\x07\x1b\x08" * 40,
    ],
    ids=["png", "jpeg", "nul-only", "nul-heavy", "control-characters"],
)
def test_binary_data_is_rejected(raw):
    with pytest.raises(UndecodableDump) as caught:
        decode_dump(raw)
    assert caught.value.reason == "binary data, not text"


def test_text_in_an_unsupported_encoding_is_rejected_as_unreadable():
    raw = "Café au lait, crème brûlée, déjà vu.".encode("latin-1")
    with pytest.raises(UndecodableDump) as caught:
        decode_dump(raw)
    assert caught.value.reason.startswith("no supported encoding")


def test_undecodable_dump_is_a_value_error_with_its_reason_as_message():
    error = UndecodableDump("empty file")
    assert isinstance(error, ValueError)
    assert (error.reason, str(error)) == ("empty file", "empty file")


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=3000))
def test_arbitrary_bytes_give_decoded_text_or_undecodable_dump(raw):
    try:
        result = decode_dump(raw)
    except UndecodableDump as error:
        assert error.reason
        return
    assert isinstance(result, Decoded)
    assert result.text.strip()
    assert "\r" not in result.text and "\x00" not in result.text and not result.text.startswith("\ufeff")
    assert result.encoding == codecs.lookup(result.encoding).name
    assert result.replaced >= 0


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1).filter(lambda text: "\x00" not in text and not text.startswith("\ufeff")))
def test_any_utf8_text_comes_back_unchanged_apart_from_newlines(text):
    try:
        result = decode_dump(text.encode("utf-8"))
    except UndecodableDump:
        return  # whitespace only, or mostly control characters
    assert result == Decoded(text.replace("\r\n", "\n").replace("\r", "\n"), "utf-8", 0)
