"""Recognising the same article in other chrome: the exact fingerprint and the simhash."""

import pytest

from archive.ingest import dedupe
from archive.ingest.initiatives import InitiativeMatcher
from archive.ingest.pipeline import parse_dump
from archive.ingest.script import to_simplified
from tests.dump_fixtures import ALL, BARE, PORTAL, fixture_bytes

NO_INITIATIVES = InitiativeMatcher({})


def simplified_body(raw: bytes) -> str:
    return to_simplified(parse_dump(raw, NO_INITIATIVES).body)


@pytest.fixture(scope="module")
def bodies() -> dict[str, str]:
    return {name: simplified_body(fixture_bytes(name)) for name in ALL}


def test_normalise_drops_whitespace_punctuation_and_question_marks():
    assert dedupe.normalise("案子谁来办?\n\n (据新华社???0月21日电)") == "案子谁来办据新华社0月21日电"


def test_same_body_with_other_whitespace_and_punctuation_has_the_same_fingerprint():
    body = "每逢赶场天,集市上人来人往。\n\n遵义市公安局推行“赶场警务”。"
    reflowed = '  每逢赶场天，集市上人来人往.\n遵义市公安局推行"赶场警务"  '
    assert dedupe.fingerprint(reflowed) == dedupe.fingerprint(body)
    assert dedupe.simhash(reflowed) == dedupe.simhash(body)


def test_same_article_in_other_chrome_has_the_same_fingerprint(bodies):
    paragraphs = bodies[BARE].split("\n\n")
    other_page = "\n".join(
        [
            "close",
            " 当前位置:首页 > 警务动态 > 正文",
            "遵义警方推行“赶场警务” 把平安送到乡场上",
            "□本报记者王建军",
            *(f"    {p}\n" for p in paragraphs),
            "相关链接:",
            "遵义警方开展夏季治安整治行动",
            "All Rights Reserved",
        ]
    )
    assert simplified_body(other_page.encode("utf-8")) == bodies[BARE]
    assert dedupe.fingerprint(simplified_body(other_page.encode("utf-8"))) == dedupe.fingerprint(bodies[BARE])


def test_a_few_characters_changed_is_a_near_duplicate(bodies):
    body = bodies[PORTAL]
    edited = body.replace("2300", "2400").replace("90秒", "60秒")
    assert edited != body
    assert dedupe.fingerprint(edited) != dedupe.fingerprint(body)
    assert dedupe.distance(dedupe.simhash(edited), dedupe.simhash(body)) <= dedupe.NEAR_DUPLICATE_DISTANCE


def test_a_short_body_with_one_lost_character_is_a_near_duplicate(bodies):
    body = bodies[BARE]
    edited = body.replace("鸭溪镇", "鸭?镇")
    assert dedupe.distance(dedupe.simhash(edited), dedupe.simhash(body)) <= dedupe.NEAR_DUPLICATE_DISTANCE


def test_different_articles_are_far_apart(bodies):
    hashes = [dedupe.simhash(body) for body in bodies.values()]
    closest = min(dedupe.distance(a, b) for i, a in enumerate(hashes) for b in hashes[i + 1 :])
    assert closest > 4 * dedupe.NEAR_DUPLICATE_DISTANCE


def test_near_duplicates_agree_on_a_band(bodies):
    body = bodies[PORTAL]
    first, second = dedupe.simhash(body), dedupe.simhash(body.replace("2300", "2400").replace("90秒", "60秒"))
    assert any(a == b for a, b in zip(dedupe.bands(first), dedupe.bands(second), strict=True))


def test_bands_cut_the_hash_into_five_pieces_of_13_bits():
    value = 0x0123_4567_89AB_CDEF
    assert dedupe.bands(value) == [(value >> shift) & 0x1FFF for shift in (0, 13, 26, 39, 52)]
    assert dedupe.bands(2**64 - 1) == [0x1FFF] * 4 + [0xFFF]


def test_simhash_fits_in_64_bits_and_distance_counts_differing_bits(bodies):
    assert all(0 <= dedupe.simhash(body) < 2**64 for body in bodies.values())
    assert dedupe.distance(0b1011, 0b0110) == 3
