"""Reading the Whoosh index: a search request's matches found, scored, ranked, sorted and counted as arrays.

Whoosh moves a tree of matchers one document at a time and asks each for its score, building an
object for every position of every word in a phrase. Here each word's postings are read a block at
a time into numpy arrays, and the request's structure (interface.Word, Phrase, AllOf, AnyOf) is
evaluated over them: the same documents and the same BM25F scores as Whoosh's own collector, in
the same order (tests/test_search_engine.py compares them). Filters, sorts and facet counts read
columns, loaded once per opened searcher.
"""

import re
import threading
import time
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
from haystack.constants import DJANGO_ID
from whoosh.matching import FilterMatcher
from whoosh.scoring import BM25FScorer

from ..interface import NEWEST, OLDEST, AllOf, AnyOf, Character, Match, Near, Phrase, Request, Substring, Word
from .storage import ArchiveLeafMatcher, marked_positions

NO_DOCUMENTS = np.empty(0, dtype=np.int64)
NO_MATCHES = (NO_DOCUMENTS, np.empty(0))
LONGEST_WORD = 32  # characters: a quoted string is matched across words no longer than this
SORT_COLUMNS = {NEWEST: ("newest_first", True), OLDEST: ("oldest_first", False)}  # column, descending


class OverBudget(Exception):
    """A request's CPU budget ran out."""


_loading = threading.local()


@contextmanager
def loading_once():
    """Reading what a process reads once (a segment's lexicon, lengths, columns): not charged to
    the request that happens to come first, which would otherwise find its budget spent."""
    depth = getattr(_loading, "depth", 0)
    _loading.depth, started = depth + 1, time.thread_time()
    try:
        yield
    finally:
        _loading.depth = depth
        if not depth:  # a load within a load is counted once
            _loading.seconds = getattr(_loading, "seconds", 0.0) + time.thread_time() - started


def _charged() -> float:
    """CPU seconds of this thread, less those spent loading_once()."""
    return time.thread_time() - getattr(_loading, "seconds", 0.0)


class Budget:
    """CPU seconds a request may spend, of this thread: checked wherever work repeats (each match
    of each segment, each word read), so one request never runs on unbounded."""

    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else _charged() + seconds
        self.exceeded = False

    def check(self) -> None:
        if self.deadline is not None and (self.exceeded or _charged() > self.deadline):
            self.exceeded = True
            raise OverBudget


UNLIMITED = Budget(None)


class RequestMemo(dict):
    """What one request reads more than once in one segment (SegmentView methods keep it here),
    with the request's budget."""

    def __init__(self, budget: Budget = UNLIMITED):
        super().__init__()
        self.budget = budget


class Postings(NamedTuple):
    """A word's postings in one segment, without deleted documents."""

    docnums: np.ndarray  # ascending
    weights: np.ndarray  # the word's weight in each document (its frequency, times the field's boost)
    values: list[bytes]  # each one's encoded positions, when asked for


class FacetColumn(NamedTuple):
    """A keyword field's values for every document of a searcher, each value a number."""

    labels: list[str]  # the values, by number
    starts: np.ndarray  # where each document's numbers start in codes (and, one on, where they end)
    codes: np.ndarray


def matching_rows(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the numbers in both ascending arrays of distinct numbers are, in each, found by binary
    search (numpy's intersect1d sorts the two together again: a third of the time of a phrase)."""
    if not len(second):
        return NO_DOCUMENTS, NO_DOCUMENTS
    rows = np.minimum(np.searchsorted(second, first), len(second) - 1)
    found = second[rows] == first
    return np.flatnonzero(found), rows[found]


def sorted_intersection(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The numbers in both ascending arrays of distinct numbers."""
    return first[matching_rows(first, second)[0]]


def position_keys(docnums: np.ndarray, values: list[bytes], own_only: bool = False) -> np.ndarray:
    """Each position of each document as one number, document << 32 | position (ascending); with
    `own_only`, only where the word stands as itself, not inside a longer one (MarkedPositions)."""
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    joined = np.frombuffer(b"".join(values), dtype=np.uint8)
    heads = np.cumsum(sizes) - sizes
    if (joined[heads] == ord("H")).all():  # two bytes a position: all of them read at once
        marked = np.delete(joined, heads).view(np.uint16).astype(np.int64)
        counts = (sizes - 1) // 2
    else:  # an article past 32,767 words stores four bytes a position
        arrays = [marked_positions(value) for value in values]
        marked = np.concatenate([np.array(each, dtype=np.int64) for each in arrays])
        counts = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    keys = (np.repeat(docnums, counts) << 32) | (marked >> 1)
    return keys[(marked & 1) == 0] if own_only else keys


class SegmentView:
    """One segment of an opened searcher: its postings read as arrays, its words scored as arrays."""

    def __init__(self, searcher, offset: int, lexicons: dict):
        self.searcher, self.offset = searcher, offset
        self.reader = searcher.reader()
        segment = self.reader.segment()  # none for an empty index
        self.segment_id = segment.segment_id() if segment is not None else ""
        self._lexicons = lexicons  # shared by the searchers a process opens: a segment's words never change
        self.doc_count = self.reader.doc_count_all()
        live = np.fromiter(self.reader.all_doc_ids(), dtype=np.int64)
        self.live = live
        self.deleted = np.setdiff1d(np.arange(self.doc_count, dtype=np.int64), live)
        self._lengths: dict[str, np.ndarray] = {}
        self._words_holding: dict[tuple[str, str], list[str]] = {}

    def postings(self, field: str, word: str, values: bool = False,
                 memo: "RequestMemo | None" = None) -> Postings | None:
        """A word's postings, read a block at a time (None when no document holds the word); kept in
        `memo` (one request's), which a request's tiers read again."""
        if memo is not None:
            key = (field, word)
            if key not in memo or (values and memo[key] is not None and not memo[key].values):
                memo.budget.check()
                memo[key] = self.postings(field, word, values)
            return memo[key]
        term = self.searcher.schema[field].to_bytes(word)
        if (field, term) not in self.reader:
            return None
        matcher = self.reader.postings(field, term)
        if isinstance(matcher, FilterMatcher):  # Whoosh's filter over deleted documents: taken off here
            matcher = matcher.child
        if isinstance(matcher, ArchiveLeafMatcher):
            docnums, weights, encoded = matcher.read_all(values)
        else:  # a word of one document (ListMatcher), or a segment written by Whoosh's own codec
            docnums, weights, encoded = [], [], []
            while matcher.is_active():
                docnums.append(matcher.id())
                weights.append(matcher.weight())
                if values:
                    encoded.append(matcher.value())
                matcher.next()
        found = Postings(np.array(docnums, dtype=np.int64), np.array(weights, dtype=np.float64), encoded)
        if len(self.deleted):
            keep = np.isin(found.docnums, self.deleted, invert=True)
            found = Postings(found.docnums[keep], found.weights[keep],
                             [found.values[row] for row in np.flatnonzero(keep).tolist()] if values else [])
        return found

    def lengths(self, field: str) -> np.ndarray:
        """Every document's length in a field, read once (decoding each one took a third of scoring)."""
        if field not in self._lengths:
            key = (self.segment_id, "lengths", field)
            if key not in self._lexicons:  # kept with the lexicons: a segment's lengths never change either
                with loading_once():
                    self._lexicons[key] = np.array([self.reader.doc_field_length(docnum, field, 1) or 1
                                                    for docnum in range(self.doc_count)], dtype=np.float64)
            self._lengths[field] = self._lexicons[key]
        return self._lengths[field]

    def scores(self, field: str, word: str, docnums: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """The score Whoosh's BM25F gives a word in each of these documents, from its weight there."""
        scorer = self.searcher.weighting.scorer(self.searcher, field, word)
        if not isinstance(scorer, BM25FScorer):  # an unscored field: Whoosh's WeightScorer
            return weights
        return self._bm25(field, docnums, weights, scorer.idf, scorer)

    def _bm25(self, field: str, docnums: np.ndarray, tf: np.ndarray, idf: float, scorer: BM25FScorer) -> np.ndarray:
        """BM25FScorer._score(weight, length) for all the documents at once, in the same order of operations."""
        avgfl, b, k1 = scorer.avgfl, scorer.B, scorer.K1
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * self.lengths(field)[docnums] / avgfl)))

    def matches(self, match: Match, memo: RequestMemo) -> tuple[np.ndarray, np.ndarray]:
        """The documents of this segment a match holds for (ascending), with their scores; kept in
        `memo`, as a request may ask again (the headline tier, to know whether the page is full)."""
        key = ("match", match)
        if key not in memo:
            memo.budget.check()
            memo[key] = self._matches(match, memo)
        return memo[key]

    def _matches(self, match: Match, memo: RequestMemo) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(match, Word):
            found = self.postings(match.field, match.text, memo=memo)
            if found is None:
                return NO_MATCHES
            return found.docnums, self.scores(match.field, match.text, found.docnums, found.weights)
        if isinstance(match, Character):
            return self.character(match.field, match.text, memo)
        if isinstance(match, Phrase):
            return self.phrase(match.field, match.words, memo)
        if isinstance(match, Substring):
            return self.substring(match.field, match.text, memo)
        if isinstance(match, Near):
            return self.near(match.field, match.words, match.distance, memo)
        parts = [self.matches(part, memo) for part in match.parts]
        if isinstance(match, AllOf):
            docnums, scores = parts[0]
            for other, other_scores in parts[1:]:  # Whoosh adds the parts' scores
                rows, other_rows = matching_rows(docnums, other)
                docnums, scores = docnums[rows], scores[rows] + other_scores[other_rows]
            return docnums, scores
        if isinstance(match, AnyOf):
            docnums, scores = parts[0]
            for other, other_scores in parts[1:]:
                either = np.union1d(docnums, other)
                summed = np.zeros(len(either))
                summed[np.searchsorted(either, other)] = other_scores
                summed[np.searchsorted(either, docnums)] += scores
                docnums, scores = either, summed
            return docnums, scores
        raise TypeError(f"not a match: {match!r}")

    def words_holding(self, field: str, character: str) -> list[str]:
        """The words of this segment's field that hold a character: every character of a text stands
        in one of its words, so no index of single characters is needed. The segment's lexicon is
        read once a process and kept as one string of bytes, a word a line (as Python objects, a
        word each, it took half a gigabyte at 100,000 articles); UTF-8 holds a character's bytes
        only where the character stands."""
        if (field, character) not in self._words_holding:
            key = (self.segment_id, field)
            if key not in self._lexicons:
                with loading_once():
                    self._lexicons[key] = b"\n".join(self.reader.lexicon(field))  # no word holds a line break
            lexicon, found = self._lexicons[key], set()
            for match in re.finditer(re.escape(character.encode("utf-8")), lexicon):
                end = lexicon.find(b"\n", match.end())
                found.add(lexicon[lexicon.rfind(b"\n", 0, match.start()) + 1 : end if end >= 0 else len(lexicon)])
            self._words_holding[field, character] = sorted(word.decode("utf-8") for word in found)
        return self._words_holding[field, character]

    def character(self, field: str, character: str, memo: RequestMemo) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding a character anywhere, scored by BM25F as one term whose frequency in
        a document is that of all its words holding the character, with an idf of 1: a segment
        cannot know the character's frequency in the others, and one character's matches rank alike
        whatever its idf (a scorer a word took a third of the time of a common character)."""
        holding = [found for word in self.words_holding(field, character)
                   if (found := self.postings(field, word, memo=memo)) is not None]
        return self._by_frequency(field, [found.docnums for found in holding], [found.weights for found in holding],
                                  self.words_holding(field, character))

    def substring(self, field: str, text: str, memo: RequestMemo) -> tuple[np.ndarray, np.ndarray]:
        """The documents whose words, read one after another, hold the text, scored as character()
        scores, by how often a word holding the text occurs (in a document holding it only across
        words, how often it does so).

        Either one word holds the whole text, or the text runs across words: a word that ends with
        its first characters, then whole words, then a word that starts with its last characters,
        each one standing as itself at consecutive positions. Those runs are looked for only in
        the documents holding both such a first and such a last word, and no word holding the text.
        `reach[k]` holds the position keys of the words that end where text[:k] ends.
        """
        starting, ending = self.words_holding(field, text[0]), self.words_holding(field, text[-1])
        inside = [found for word in starting if text in word
                  and (found := self.postings(field, word, memo=memo)) is not None]
        ends = range(1, len(text))
        first = {end: [word for word in starting if word.endswith(text[:end])] for end in ends}
        last = {end: [word for word in ending if word.startswith(text[end:])] for end in ends}
        candidates = sorted_intersection(self.documents(field, [w for words in first.values() for w in words], memo),
                                         self.documents(field, [w for words in last.values() for w in words], memo))
        if len(candidates) and inside:
            candidates = np.setdiff1d(candidates, np.concatenate([found.docnums for found in inside]),
                                      assume_unique=False)
        across = []
        if len(candidates):
            reach: dict[int, np.ndarray] = {}
            for end in ends:
                memo.budget.check()
                # Every position holds one word as itself: the parts never share a key.
                parts = [self.own_keys(field, word, memo, candidates) for word in first[end]]
                for start in range(max(1, end - LONGEST_WORD), end):
                    if len(reach[start]) and self.holds_word(field, text[start:end]):
                        parts.append(sorted_intersection(self.own_keys(field, text[start:end], memo, candidates),
                                                         reach[start] + 1))
                reach[end] = np.sort(np.concatenate(parts)) if parts else NO_DOCUMENTS
            across = [sorted_intersection(self.own_keys(field, word, memo, candidates), reach[end] + 1)
                      for end in ends if len(reach[end]) for word in last[end]]
        return self._by_frequency(field, [found.docnums for found in inside] + [keys >> 32 for keys in across],
                                  [found.weights for found in inside] + [np.ones(len(keys)) for keys in across],
                                  starting + ending)

    def _by_frequency(self, field: str, documents: list[np.ndarray], frequencies: list[np.ndarray],
                      words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Documents (repeated) with a frequency each, summed per document and scored by BM25F as one
        term with an idf of 1 (one character, a quoted string: see character()); `words`, those read,
        give the scorer its field's constants."""
        docnums, rows = np.unique(np.concatenate([NO_DOCUMENTS, *documents]), return_inverse=True)
        if not len(docnums):
            return NO_MATCHES
        frequency = np.bincount(rows, weights=np.concatenate([NO_MATCHES[1], *frequencies]), minlength=len(docnums))
        scorer = self.searcher.weighting.scorer(self.searcher, field, words[0])
        if not isinstance(scorer, BM25FScorer):
            return docnums, frequency
        return docnums, self._bm25(field, docnums, frequency, 1.0, scorer)

    def documents(self, field: str, words: list[str], memo: RequestMemo) -> np.ndarray:
        """The documents holding any of the words (ascending), their postings read with positions."""
        found = [each.docnums for word in dict.fromkeys(words)
                 if (each := self.postings(field, word, values=True, memo=memo)) is not None]
        return np.unique(np.concatenate(found)) if found else NO_DOCUMENTS

    def holds_word(self, field: str, word: str) -> bool:
        return (field, self.searcher.schema[field].to_bytes(word)) in self.reader

    def own_keys(self, field: str, word: str, memo: RequestMemo, within: np.ndarray) -> np.ndarray:
        """Position keys of every place where the word stands as itself, in these documents."""
        found = self.postings(field, word, values=True, memo=memo)
        if found is None:
            return NO_DOCUMENTS
        rows = matching_rows(found.docnums, within)[0].tolist()
        return position_keys(found.docnums[rows], [found.values[row] for row in rows], own_only=True)

    def phrase(self, field: str, words: tuple[str, ...], memo: RequestMemo) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding the words next to each other in order: the positions of all the
        documents holding every word compared at once."""
        found = self.positions(field, words, memo)
        if found is None:
            return NO_MATCHES
        postings, keys = found
        # Where the phrase starts: positions of its first word whose next words follow at +1, +2 …
        starts = keys[0]
        for offset, each in enumerate(keys[1:], start=1):
            starts = sorted_intersection(starts, each - offset)
        return self._scored(field, words, postings, np.unique(starts >> 32))

    def near(self, field: str, words: tuple[str, ...], distance: int,
             memo: RequestMemo) -> tuple[np.ndarray, np.ndarray]:
        """The documents where every word stands within `distance` words of one occurrence of the first."""
        found = self.positions(field, words, memo)
        if found is None:
            return NO_MATCHES
        postings, keys = found
        anchors, close = keys[0], np.ones(len(keys[0]), dtype=bool)
        for each in keys[1:]:
            # The nearest occurrence on either side; another document's is 2**32 positions away.
            after = np.minimum(np.searchsorted(each, anchors), len(each) - 1)
            before = np.maximum(after - 1, 0)
            gap = np.minimum(np.abs(each[after] - anchors), np.abs(anchors - each[before]))
            close &= gap <= distance + 1
        return self._scored(field, words, postings, np.unique(anchors[close] >> 32))

    def positions(self, field: str, words: tuple[str, ...], memo: RequestMemo):
        """The words' postings and, in the documents holding them all, each word's positions as
        position keys (None when a word is in no document); kept in `memo` for the request's tiers."""
        key = ("positions", field, words)
        if key not in memo:
            memo[key] = self._read_positions(field, words, memo)
        return memo[key]

    def _read_positions(self, field: str, words: tuple[str, ...], memo: RequestMemo):
        postings = [self.postings(field, word, values=True, memo=memo) for word in words]
        if any(each is None for each in postings):
            return None
        holding_all = postings[0].docnums
        for each in postings[1:]:
            holding_all = sorted_intersection(holding_all, each.docnums)
        keys = []
        for each in postings:
            rows = np.searchsorted(each.docnums, holding_all).tolist()
            keys.append(position_keys(holding_all, [each.values[row] for row in rows]))
        return postings, keys

    def _scored(self, field: str, words: tuple[str, ...], postings: list[Postings], found: np.ndarray):
        """Only the documents found are scored, each word as its own matcher would."""
        total = np.zeros(len(found))
        for word, each in zip(words, postings, strict=True):
            total = total + self.scores(field, word, found, each.weights[np.searchsorted(each.docnums, found)])
        return found, total


class IndexView:
    """An opened searcher of the whole index, with what is read once per searcher: its segments, the
    columns that filters, sorts and facets read, and the article id of each document."""

    def __init__(self, searcher, lexicons: dict | None = None):
        self.searcher = searcher
        lexicons = {} if lexicons is None else lexicons
        self.segments = [SegmentView(leaf, offset, lexicons) for leaf, offset in searcher.leaf_searchers()]
        self.live = np.concatenate([NO_DOCUMENTS, *(segment.live + segment.offset for segment in self.segments)])
        self._columns: dict[str, object] = {}

    def close(self) -> None:
        self.searcher.close()

    def matches(self, match: Match | None, memo: list[RequestMemo] | None = None,
                exclude: tuple[Match, ...] = ()) -> tuple[np.ndarray, np.ndarray]:
        """Every live document a match holds for and none of `exclude` does (ascending document
        numbers), and its score; `memo` (one a segment) keeps what one request reads more than
        once. When the request's budget runs out, the segments done so far: the matches found."""
        if match is None and not exclude:
            return self.live, np.zeros(len(self.live))
        memo = memo or [RequestMemo() for _ in self.segments]
        docnums, scores = [NO_MATCHES[0]], [NO_MATCHES[1]]
        for segment, segment_memo in zip(self.segments, memo, strict=True):
            try:
                if match is None:
                    found, found_scores = segment.live, np.zeros(len(segment.live))
                else:
                    found, found_scores = segment.matches(match, segment_memo)
                for excluded in exclude:
                    keep = np.isin(found, segment.matches(excluded, segment_memo)[0], invert=True)
                    found, found_scores = found[keep], found_scores[keep]
            except OverBudget:
                break
            docnums.append(found + segment.offset)
            scores.append(found_scores)
        return np.concatenate(docnums), np.concatenate(scores)

    def column(self, name: str) -> list:
        """A field's raw column value for every document number (read once per searcher)."""
        if name not in self._columns:
            reader = self.searcher.reader()
            with loading_once():
                self._columns[name] = (list(reader.column_reader(name, translate=False))
                                       if reader.has_column(name) else [])
        return self._columns[name]

    def article_ids(self) -> np.ndarray:
        key = "article ids"
        if key not in self._columns:
            with loading_once():
                self._columns[key] = np.array([int(value) for value in self.column(DJANGO_ID)], dtype=np.int64)
        return self._columns[key]

    def sort_keys(self, name: str) -> np.ndarray:
        key = f"{name} keys"
        if key not in self._columns:
            with loading_once():
                self._columns[key] = np.array(self.column(name), dtype=np.int64)
        return self._columns[key]

    def facet_column(self, name: str) -> FacetColumn:
        """A keyword field's values for every document number, as numbers (read once per searcher)."""
        key = f"{name} values"
        if key not in self._columns:
            with loading_once():
                labels, codes, starts = {}, [], [0]
                for joined in self.column(name) or [""] * self.searcher.reader().doc_count_all():
                    if isinstance(joined, bytes):
                        joined = joined.decode("utf-8")
                    codes.extend(labels.setdefault(value, len(labels)) for value in joined.split(",") if value)
                    starts.append(len(codes))
                self._columns[key] = FacetColumn(list(labels), np.array(starts), np.array(codes, dtype=np.int64))
        return self._columns[key]

    def holding(self, name: str, values: tuple[str, ...]) -> np.ndarray:
        """The live documents (ascending) whose field holds any of these values."""
        column = self.facet_column(name)
        wanted = [number for number, label in enumerate(column.labels) if label in set(values)]
        rows = np.flatnonzero(np.isin(column.codes, wanted))
        docnums = np.unique(np.searchsorted(column.starts, rows, side="right") - 1)
        return sorted_intersection(docnums, self.live)

    def facet_counts(self, name: str, docnums: np.ndarray) -> list[tuple[str, int]]:
        """A facet's values among these documents, most frequent first (then by value), counted as arrays."""
        column = self.facet_column(name)
        firsts = column.starts[docnums]
        sizes = column.starts[docnums + 1] - firsts
        # The rows of `codes` of every document, one run after another.
        rows = np.repeat(firsts - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
        found = np.bincount(column.codes[rows], minlength=len(column.labels)).tolist()
        return sorted(((label, count) for label, count in zip(column.labels, found, strict=True) if count),
                      key=lambda item: (-item[1], item[0]))

    def tiers(self, tiers: tuple[Match, ...], docnums: np.ndarray, memo: list[RequestMemo] | None = None,
              enough: int | None = None) -> np.ndarray:
        """For each document, the number of the first tier it matches (len(tiers) for none). Once
        `enough` documents are placed in tiers, the later tiers are not read: the first `enough`
        in rank order are then all placed, in their order, and those left out rank after them.
        When the budget runs out, the tiers read so far place the documents."""
        ranks = np.full(len(docnums), len(tiers), dtype=np.int64)
        for number, tier in enumerate(tiers):
            if enough is not None and np.count_nonzero(ranks < len(tiers)) >= enough:
                break
            found = self.matches(tier, memo)[0]
            if memo and memo[0].budget.exceeded:  # a tier read in part would misplace documents
                break
            rows, _ = matching_rows(docnums, found)
            ranks[rows[ranks[rows] == len(tiers)]] = number
        return ranks

    def find(self, request: Request, with_facets: bool = True):
        """The ranked document numbers and scores of a request's matches, its facet counts, and
        whether the budget ran out before all of them were found and ranked."""
        budget = Budget(request.budget)
        memo = [RequestMemo(budget) for _ in self.segments]
        if request.sort not in SORT_COLUMNS and request.tiers:
            headline = self.matches(request.tiers[0], memo)[0]
            if request.end is None or len(headline) < request.end:
                # The later tiers will be read: the words' positions first, as a block of postings is
                # decompressed whole, positions included, so read once with them instead of twice.
                try:
                    for tier in request.tiers[1:]:
                        if isinstance(tier, Phrase | Near):
                            for segment, segment_memo in zip(self.segments, memo, strict=True):
                                segment_memo.budget.check()
                                segment.positions(tier.field, tier.words, segment_memo)
                except OverBudget:
                    pass
        docnums, scores = self.matches(request.match, memo, request.exclude)
        unfiltered = docnums
        by_filter = {}
        for name, values in request.filters:
            holding = self.holding(name, values)
            by_filter[name] = holding
            rows, _ = matching_rows(docnums, holding)
            docnums, scores = docnums[rows], scores[rows]
        article_ids = self.article_ids()[docnums]
        if request.sort in SORT_COLUMNS:
            column, descending = SORT_COLUMNS[request.sort]
            keys = self.sort_keys(column)[docnums]
            order = np.lexsort((article_ids, -keys if descending else keys))
        else:
            ranks = self.tiers(request.tiers, docnums, memo, enough=request.end)
            order = np.lexsort((article_ids, -scores, ranks))
        facets = {}
        if with_facets:
            for name in request.facets:
                counted = docnums
                if request.facets_ignore_own_filter and name in by_filter:
                    counted = unfiltered
                    for other, holding in by_filter.items():
                        if other != name:
                            counted = sorted_intersection(counted, holding)
                facets[name] = self.facet_counts(name, counted)
        return docnums[order], scores[order], facets, budget.exceeded

