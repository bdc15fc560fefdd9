"""The words the index and the queries are cut into: rjieba must cut exactly as jieba does."""

import logging
from pathlib import Path

import jieba
import pytest

from archive.ingest.gazetteer import Gazetteer
from archive.search import words as text

from .conftest import DUMPS, requires_dumps

FIXTURES = Path(__file__).resolve().parent / "fixtures"
USER_WORDS = {"路长制", "飞鹭支队", "警保联控", "五小民生警务", "警务广场", "网上公安局", "赶场警务", "枫桥经验"}


@pytest.fixture(scope="module")
def reference():
    """jieba itself, given the same added words as archive/search/words.py gives rjieba."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for place in Gazetteer.default().places():
        for name in {place.name, place.full_name}:
            tokenizer.add_word(name, freq=text.PLACE_FREQUENCY, tag="ns")
    for word in USER_WORDS:
        tokenizer.add_word(word, freq=text.USER_WORD_FREQUENCY, tag="nz")
    text.sync_user_words(USER_WORDS)
    return tokenizer


def jieba_words(tokenizer, content: str) -> list[str]:
    """jieba's words, with letters and digits joined by symbols kept together as words.py keeps them."""
    return [token for token in text.join_symbol_runs(list(tokenizer.cut(text.normalise(content))))
            if text._is_word(token) and not token.isspace() and text.INNER_WORD_MARK not in token]


def jieba_subwords(tokenizer, word: str) -> tuple[str, ...]:
    if len(word) < 3:
        return ()
    return tuple(piece for piece, _, _ in tokenizer.tokenize(word, mode="search")
                 if piece != word and text._is_word(piece))


def assert_cut_alike(tokenizer, content: str):
    expected = jieba_words(tokenizer, content)
    assert text.words(content) == expected
    for word in set(expected):
        assert text.subwords(word) == jieba_subwords(tokenizer, word), word


@requires_dumps
@pytest.mark.parametrize("path", sorted(DUMPS.glob("*")) if DUMPS.is_dir() else [], ids=lambda path: path.name)
def test_words_are_jiebas_words_on_each_seed_dump(reference, path):
    assert_cut_alike(reference, path.read_bytes().decode("utf-8", errors="replace"))


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda path: path.name)
def test_words_are_jiebas_words_on_each_fixture(reference, path):
    assert_cut_alike(reference, path.read_bytes().decode("utf-8", errors="replace"))


@pytest.mark.parametrize("content", [
    "2011-6-10 发布于 www.163.com,点击率 3.5% 比上年增长12.5%_以上",
    "GPS定位、B超、T恤和QQ号;C++ 与 AA制",
    "三亚市公安局局长在路长制工作会上说\r\n\r\n“警保联控”",
    "a|b |_| 丨",
    "缇や䌷𫔄╃泭镊抽珮镞犱笂钬斺?",
])
def test_words_are_jiebas_words_on_latin_digits_and_symbols(reference, content):
    assert_cut_alike(reference, content)


def test_user_words_can_be_taken_back(reference):
    text.sync_user_words(USER_WORDS | {"护瓜行动"})
    assert "护瓜行动" in text.words("开展护瓜行动")
    text.sync_user_words(USER_WORDS)
    assert "护瓜行动" not in text.words("开展护瓜行动")
