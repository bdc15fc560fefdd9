"""How a text becomes index words, for the index and the queries alike: one place, so both always agree.

Text is folded to simplified script with ASCII punctuation (OpenCC), lower-cased, and cut into
words by jieba's precise mode. A long word also yields the shorter dictionary words inside it
(公安局长 -> 公安, 局长, 公安局): the index puts them at their word's position, so that 公安
finds 公安局 with one term, while a phrase of two words never matches one longer word.

The cutting is done by rjieba, jieba's algorithm in Rust (6.5 times jieba's speed here), loaded with
jieba's own dictionary file and our added words, so jieba stays the one source of words. The
two differ only on runs of Latin letters, digits and symbols (`163.com` is one token for rjieba,
three for jieba); those are cut again here as jieba cuts them, which makes the words identical
(tests/test_words.py checks it on the seed dumps).
"""

import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache

import jieba
import rjieba

from ..ingest.gazetteer import Gazetteer
from ..ingest.script import matching_form

_WORD_RE = re.compile(r"\w", re.UNICODE)
_HAN_RE = re.compile(r"[\u4E00-\u9FD5]")
# How jieba cuts what its dictionary does not know outside Chinese characters: runs of the characters
# it segments (jieba.re_han_default) are cut into letters-and-digits and the rest (jieba.finalseg);
# any other character stands alone.
_JIEBA_RUNS_RE = re.compile(r"[a-zA-Z0-9+#&._%-]+|\r\n|.", re.DOTALL)
_LETTERS_AND_DIGITS_RE = re.compile(r"[a-zA-Z0-9]+(?:\.\d+)?%?|[^a-zA-Z0-9]+")
# Letters and digits joined by symbols (5+2, 3+3, 163.com, 2013-06-01) stay one word, found only where
# they stand: jieba cuts them apart, and 5+2 would then find any text with a 5 and a 2.
_ALNUM_RE = re.compile(r"[a-z0-9]+(?:\.\d+)?%?")
_JOINERS = "+#&._%-"
_JOINER_RE = re.compile(r"[+#&._%-]+")
PLACE_FREQUENCY, USER_WORD_FREQUENCY = 5000, 10000

INNER_WORD_MARK = "|"  # joins a word and its inner words for the index: never part of a word

_lock = threading.Lock()
_segmenter: rjieba.Jieba | None = None
_user_words: frozenset[str] = frozenset()


def normalise(text: str) -> str:
    return matching_form(text).lower()


def _is_word(token: str) -> bool:
    return bool(_WORD_RE.search(token))


def _dictionary() -> Iterator[tuple[str, int, str | None]]:
    """jieba's dictionary file and every place name of the gazetteer, as (word, frequency, tag).

    Read afresh for each build (a third of a second): held in memory, its 350,000 entries would
    cost every process about 100 MB.
    """
    with jieba.dt.get_dict_file() as lines:
        for line in lines:
            word, frequency, *tag = line.decode("utf-8").split()
            yield word, int(frequency), tag[0] if tag else None
    for place in Gazetteer.default().places():
        for name in {place.name, place.full_name}:
            yield name, PLACE_FREQUENCY, "ns"


def _build(user_words: frozenset[str]) -> rjieba.Jieba:
    segmenter = rjieba.Jieba.empty()
    for word, frequency, tag in _dictionary():
        segmenter.add_word(word, frequency, tag)
    for word in sorted(user_words):
        segmenter.add_word(word, USER_WORD_FREQUENCY, "nz")
    return segmenter


def _current() -> rjieba.Jieba:
    global _segmenter
    if _segmenter is None:
        with _lock:
            if _segmenter is None:
                _segmenter = _build(_user_words)
    return _segmenter


def sync_user_words(words: set[str]) -> None:
    """Make the segmenter know exactly these extra words (initiative names and aliases), besides places.

    A change builds a new segmenter and swaps it in (about a second, and rare: an initiative
    confirmed or renamed), so that a search running meanwhile never sees one half-changed.
    """
    global _segmenter, _user_words
    words = frozenset(normalise(word) for word in words if len(word) >= 2)
    if words == _user_words and _segmenter is not None:
        return
    with _lock:
        if words != _user_words or _segmenter is None:
            _segmenter = _build(words)
            _user_words = words
            subwords.cache_clear()


def _cut(text: str, segmenter: rjieba.Jieba) -> list[str]:
    tokens = []
    for token in segmenter.cut(text):
        if len(token) > 1 and not _HAN_RE.search(token) and not segmenter.has_word(token):
            for run in _JIEBA_RUNS_RE.findall(token):
                tokens.extend(_LETTERS_AND_DIGITS_RE.findall(run) if len(run) > 1 and run != "\r\n" else [run])
        else:
            tokens.append(token)
    return tokens


def join_symbol_runs(tokens: list[str]) -> list[str]:
    """The tokens, with each run of letters-and-digits tokens joined by symbol tokens made one."""
    last = len(tokens) - 1
    joins = {number for number, token in enumerate(tokens)
             if token[0] in _JOINERS and 0 < number < last and _JOINER_RE.fullmatch(token)
             and _ALNUM_RE.fullmatch(tokens[number - 1]) and _ALNUM_RE.fullmatch(tokens[number + 1])}
    if not joins:
        return tokens
    joined, number = [], 0
    while number <= last:
        if number in joins:  # the token before it is the last one joined
            joined[-1] += tokens[number] + tokens[number + 1]
            number += 2
        else:
            joined.append(tokens[number])
            number += 1
    return joined


def words(text: str) -> list[str]:
    """The words of a text in order (precise mode), punctuation and spaces dropped."""
    return [token for token in join_symbol_runs(_cut(normalise(text), _current()))
            if _is_word(token) and not token.isspace() and INNER_WORD_MARK not in token]


@lru_cache(maxsize=100_000)  # words repeat: most are looked up once per process
def subwords(word: str) -> tuple[str, ...]:
    """Dictionary words inside a longer word: 公安局长 -> 公安, 局长, 公安局.

    As jieba's search mode finds them: the two- and three-character dictionary words inside
    each piece of the word (rjieba's own search mode also gives pieces it does not know).
    """
    if len(word) < 3:
        return ()
    segmenter, found = _current(), []
    for piece in _cut(word, segmenter):
        for size in (2, 3):
            if len(piece) > size:
                grams = (piece[start : start + size] for start in range(len(piece) - size + 1))
                found.extend(gram for gram in grams if segmenter.has_word(gram))
        found.append(piece)
    return tuple(piece for piece in found if piece != word and _is_word(piece))


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


def user_words() -> frozenset[str]:
    """The extra words (initiative names and aliases) the segmenter cuts with now."""
    return _user_words

