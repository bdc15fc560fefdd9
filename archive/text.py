"""Text normalisation shared by the index and the queries: one place, so both always agree.

Text is folded to simplified script with ASCII punctuation (OpenCC), lower-cased, and cut into
words by jieba's precise mode. A long word also yields the shorter dictionary words inside it
(公安局长 -> 公安, 局长, 公安局): the index puts them at their word's position, so that 公安
finds 公安局 with one term, while a phrase of two words never matches one longer word.
"""

import logging
import re
import threading
from collections.abc import Iterable
from functools import cache

import jieba

from .ingest.gazetteer import Gazetteer
from .ingest.script import matching_form

jieba.setLogLevel(logging.WARNING)

_WORD_RE = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()
_user_words: set[str] = set()


def normalise(text: str) -> str:
    return matching_form(text).lower()


def _is_word(token: str) -> bool:
    return bool(_WORD_RE.search(token))


@cache
def _initialised() -> bool:
    """Load jieba's dictionary and the place names once per process (about a second)."""
    jieba.initialize()
    for place in Gazetteer.default().places():
        for name in {place.name, place.full_name}:
            jieba.add_word(name, freq=5000, tag="ns")
    return True


def sync_user_words(words: set[str]) -> None:
    """Make jieba know exactly these extra words (initiative names and aliases), besides places."""
    _initialised()
    words = {normalise(word) for word in words if len(word) >= 2}
    with _lock:
        for word in _user_words - words:
            jieba.del_word(word)
        for word in words - _user_words:
            jieba.add_word(word, freq=10000, tag="nz")
        _user_words.clear()
        _user_words.update(words)


def words(text: str) -> list[str]:
    """The words of a text in order (precise mode), punctuation and spaces dropped."""
    _initialised()
    return [token for token in jieba.cut(normalise(text)) if _is_word(token) and not token.isspace()]


def subwords(word: str) -> list[str]:
    """Dictionary words inside a longer word: 公安局长 -> 公安, 局长, 公安局."""
    if len(word) < 3:
        return []
    return [piece for piece, start, end in jieba.tokenize(word, mode="search") if piece != word]


INNER_WORD_MARK = "|"  # jieba never puts it inside a word


def indexed_form(found: list[str], apart: Iterable[str] = ()) -> str:
    """What the index receives for these words: space-separated, each followed by its inner words.

    公安局长 becomes `公安局长|公安|局长|公安局`; the index's tokenizer gives the inner words
    the position of the word that holds them. Each of `apart` (names added to a text) follows a
    lone mark, an empty position, so that no phrase runs from one name into the next.
    """
    chunks = [INNER_WORD_MARK.join([word, *subwords(word)]) for word in found]
    for name in apart:
        chunks += [INNER_WORD_MARK, INNER_WORD_MARK.join([name, *subwords(name)])]
    return " ".join(chunks)
