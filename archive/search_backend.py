"""haystack's Whoosh backend, fitted to this archive's index. Chosen by the ENGINE setting.

What it changes, and why (each measured with bench/search.py):
- Text fields are not stored: pages are rendered from the database, so storing the segmented
  text only doubled the index and slowed every hit.
- Facet and sort fields are columns, read once per opened searcher into arrays and lists indexed
  by document number; a search counts facets over the matching document numbers (numpy) and
  sorts by date with list look-ups (a date-sorted search scores nothing).
  Whoosh's own faceting read every matching document's fields through its collector: 440 ms
  p95 for a common word at 10,000 articles, against 150 ms wanted.
- One searcher is kept open per process and reopened only when the index has changed.
- No separate "narrow" searches: narrowing queries are ANDed into the query.
- More-like-this reads the article's text from the database instead of the stored field.
- A batch is written with one writer and one deletion of the documents it replaces.
- Blocks of postings are pickled with protocol 4 instead of 2: the index is half the size.
- Positions are stored as arrays; words, phrases (AdjacentWords) and their AND/OR pairs are read,
  matched and scored as numpy arrays (ranked_matches): a phrase's p95 at 100,000 articles went
  from 1.2 s (Python sets and dictionaries) to 0.3 s.
- Writing: postings come straight from the prepared words, pooled by term; a segment reads each
  document's length once; segments are merged by size tiers (merge_tiers), and update() and
  remove() can leave the writer open so that a bulk import writes large segments.
"""

import pickle
from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from functools import reduce
from itertools import accumulate
from operator import itemgetter
from typing import NamedTuple

import numpy as np
from django.conf import settings
from haystack import connections
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_CT, DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.models import SearchResult
from haystack.utils import get_identifier
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import KEYWORD, TEXT
from whoosh.filedb import structfile
from whoosh.formats import Positions
from whoosh.matching import FilterMatcher, ListMatcher, NullMatcher
from whoosh.query import And, Every, Or, Phrase, Term
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F, BM25FScorer
from whoosh.searching import ResultsPage
from whoosh.writing import PostingPool, SegmentWriter


def field_lengths(reader, fieldname: str) -> np.ndarray:
    """Every document's length in a field, read once and kept with the segment's reader."""
    cache = reader.__dict__.setdefault("archive_field_lengths", {})
    if fieldname not in cache:
        cache[fieldname] = np.array([reader.doc_field_length(docnum, fieldname, 1) or 1
                                     for docnum in range(reader.doc_count_all())], dtype=np.float64)
    return cache[fieldname]


class CachedLengthsBM25F(BM25F):
    """Whoosh's BM25F, with field lengths looked up in an array: decoding each one took a third of scoring."""

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if isinstance(scorer, BM25FScorer):
            scorer.lengths = field_lengths(searcher.reader(), fieldname)
            scorer.dfl = scorer.lengths.item
        return scorer


class AdjacentWords(Phrase):
    """A phrase, matched in bulk: each word's postings are read a block at a time into arrays, and
    the positions of the documents holding all the words compared at once (numpy).

    Whoosh checks a phrase document by document through a tree of matchers, building an object for
    every position of every word: half a second for 群众 满意度 at 10,000 articles. The documents and
    scores are the same (tests/test_search.py compares them).
    """

    def matcher(self, searcher, context=None):
        docnums, scores = self.scores(searcher, context)
        if not len(docnums):
            return NullMatcher()
        return ListMatcher(docnums.tolist(), weights=scores.tolist())

    def scores(self, searcher, context=None) -> tuple[np.ndarray, np.ndarray]:
        """The documents of this segment holding the phrase (ascending), with their scores."""
        reader, field = searcher.reader(), searcher.schema[self.fieldname]
        words = [field.to_bytes(word) for word in self.words]
        if any((self.fieldname, word) not in reader for word in words):
            return NO_MATCHES
        matchers = [Term(self.fieldname, word).matcher(searcher, context) for word in words]
        postings = [read_postings(matcher, values=True) for matcher in matchers]
        holding_all = reduce(sorted_intersection, [each.docnums for each in postings])
        # Where the phrase starts: positions of its first word whose next words follow at +1, +2 …
        starts = None
        for offset, each in enumerate(postings):
            rows = np.searchsorted(each.docnums, holding_all).tolist()
            keys = position_keys(holding_all, [each.values[row] for row in rows]) - offset
            starts = keys if starts is None else sorted_intersection(starts, keys)
        found = np.unique(starts >> 32)
        # Only the documents holding the phrase are scored, each word as its own matcher would.
        total = np.zeros(len(found))
        for matcher, each in zip(matchers, postings, strict=True):
            total = total + match_scores(matcher, found, each.weights[np.searchsorted(each.docnums, found)])
        return found, self.boost * total


NO_MATCHES = (np.empty(0, dtype=np.int64), np.empty(0))


class Postings(NamedTuple):
    """A word's postings in one segment, without deleted documents."""

    docnums: np.ndarray  # ascending
    weights: np.ndarray  # the word's weight in each document (its frequency, times the field's boost)
    values: list[bytes]  # each one's encoded positions, when asked for


def _unfiltered(matcher):
    """A word's matcher without the filter Whoosh puts on a segment with deleted documents, and those documents."""
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        return matcher.child, matcher._ids
    return matcher, frozenset()


def read_postings(matcher, values: bool = False) -> Postings:
    """A word's postings in one segment, read a block at a time (Whoosh's matchers go one by one)."""
    matcher, deleted = _unfiltered(matcher)
    docnums, weights, encoded = [], [], []
    while matcher.is_active():
        if isinstance(matcher, W3LeafMatcher):
            if matcher._data is None:
                matcher._read_data()
            first_and_gaps, block_weights = matcher._data[:2]
            docnums.extend(accumulate(first_and_gaps))
            if block_weights is None or isinstance(block_weights, float):  # all the same: stored once
                weights.extend([1.0 if block_weights is None else block_weights] * matcher._blocklength)
            else:
                weights.extend(block_weights)
            if values:
                matcher._read_values()
                encoded.extend(matcher._values)
            matcher._next_block()
        else:  # postings kept inline with a rare word
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                encoded.append(matcher.value())
            matcher.next()
    found = Postings(np.array(docnums, dtype=np.int64), np.array(weights, dtype=np.float64), encoded)
    if deleted:
        live = np.isin(found.docnums, np.fromiter(deleted, dtype=np.int64), invert=True)
        found = Postings(found.docnums[live], found.weights[live],
                         [found.values[row] for row in np.flatnonzero(live).tolist()] if values else [])
    return found


def matching_rows(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the numbers in both ascending arrays of distinct numbers are, in each, found by binary
    search (numpy's intersect1d sorts the two together again: a third of the time of a phrase)."""
    if not len(second):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rows = np.minimum(np.searchsorted(second, first), len(second) - 1)
    found = second[rows] == first
    return np.flatnonzero(found), rows[found]


def sorted_intersection(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The numbers in both ascending arrays of distinct numbers."""
    return first[matching_rows(first, second)[0]]


def position_keys(docnums: np.ndarray, values: list[bytes]) -> np.ndarray:
    """Each position of each document as one number, document << 32 | position (ascending)."""
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    joined = np.frombuffer(b"".join(values), dtype=np.uint8)
    heads = np.cumsum(sizes) - sizes
    if (joined[heads] == ord("H")).all():  # two bytes a position: all of them read at once
        found = np.delete(joined, heads).view(np.uint16)
        counts = (sizes - 1) // 2
    else:  # an article past 65,535 words stores four bytes a position
        arrays = [positions(value) for value in values]
        found = np.concatenate([np.array(each, dtype=np.int64) for each in arrays])
        counts = np.fromiter(map(len, arrays), dtype=np.int64, count=len(arrays))
    return (np.repeat(docnums, counts) << 32) | found.astype(np.int64)


def match_scores(matcher, docnums: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The score a word's matcher gives each of these documents, from the word's weight in it."""
    matcher, _ = _unfiltered(matcher)
    scorer = getattr(matcher, "scorer", None) or getattr(matcher, "_scorer", None)  # a block, or inline
    if not isinstance(scorer, BM25FScorer):  # an unscored field: Whoosh's WeightScorer
        return weights
    # BM25FScorer._score(weight, length), for all the documents at once, in the same order of operations.
    idf, avgfl, b, k1, tf = scorer.idf, scorer.avgfl, scorer.B, scorer.K1, weights
    return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * scorer.lengths[docnums] / avgfl)))


def bulk_scores(query, searcher, context) -> tuple[np.ndarray, np.ndarray] | None:
    """The documents of a segment the query matches (ascending), with the scores Whoosh's matchers
    would give; None for a query of another shape than the search page makes (words, phrases,
    filters, and two of these joined by AND or OR)."""
    kind = type(query)
    if kind is Term and query.boost == 1.0:
        matcher = query.matcher(searcher, context)
        found = read_postings(matcher)
        return found.docnums, match_scores(matcher, found.docnums, found.weights)
    if kind is AdjacentWords:
        return query.scores(searcher, context)
    parts = getattr(query, "subqueries", ())
    if kind not in (And, Or) or query.boost != 1.0 or not 1 <= len(parts) <= 2 or getattr(query, "scale", None):
        return None
    found = [bulk_scores(part, searcher, context) for part in parts]
    if None in found:
        return None
    if len(found) == 1:
        return found[0]
    (first, first_scores), (second, second_scores) = found  # Whoosh adds a pair's scores
    if kind is And:
        first_rows, second_rows = matching_rows(first, second)
        return first[first_rows], first_scores[first_rows] + second_scores[second_rows]
    either = np.union1d(first, second)
    scores = np.zeros(len(either))
    scores[np.searchsorted(either, second)] = second_scores
    scores[np.searchsorted(either, first)] += first_scores
    return either, scores


def ranked_matches(searcher, query) -> tuple[np.ndarray, np.ndarray] | None:
    """Every document the query matches and its score, best first and ties by document number, as
    Whoosh's collector ranks them; None where bulk_scores() does not take the query.

    Whoosh moves a tree of matchers one document at a time and asks each for its score: 40 % of
    the time of a phrase that 7,000 of 10,000 articles hold. Here each segment's matches are
    scored as arrays (tests/test_search.py compares the two).
    """
    context = searcher.context()
    docnums, scores = [NO_MATCHES[0]], [NO_MATCHES[1]]
    for segment_searcher, offset in searcher.leaf_searchers():
        found = bulk_scores(query, segment_searcher, context)
        if found is None:
            return None
        docnums.append(found[0] + offset)
        scores.append(found[1])
    docnums, scores = np.concatenate(docnums), np.concatenate(scores)
    order = np.lexsort((docnums, -scores))
    return docnums[order], scores[order]


class ArrayPositions(Positions):
    """Positions stored as a machine array (2 bytes each in articles under 65,536 words, else 4).

    Whoosh pickles the gaps between positions and decodes them one by one in Python; an array
    decodes in C, which is most of the time of checking a phrase. The size is about the same.
    """

    def encode(self, poslist):
        typecode = "H" if not poslist or max(poslist) < 65536 else "I"
        return typecode.encode("ascii") + array(typecode, poslist).tobytes()

    def word_values(self, value, analyzer, **kwargs):
        """What Positions.word_values gives, read straight from the analyzer's word_positions()."""
        word_positions = getattr(analyzer, "word_positions", None)
        if word_positions is None or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        found = word_positions(value)
        short = len(value) < 65536  # then no position reaches 65,536, and no word needs the maximum
        for word, poslist in found.items():
            encoded = b"H" + array("H", poslist).tobytes() if short else self.encode(poslist)
            yield word, len(poslist), len(poslist) * self.field_boost, encoded

    def decode_positions(self, valuestring):
        return positions(valuestring).tolist()

    def decode_frequency(self, valuestring):
        return (len(valuestring) - 1) // array(chr(valuestring[0])).itemsize


def positions(valuestring: bytes) -> array:
    return array(chr(valuestring[0]), valuestring[1:])


class RememberedLengths:
    """A new segment's per-document reader that reads each document's field length once.

    Writing a segment asks the length of a posting's document for every posting (a thousand per
    article), each a column read in Python: a seventh of the time of indexing.
    """

    def __init__(self, reader):
        self._reader = reader
        self._lengths = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        key = (docnum, fieldname)
        if key not in self._lengths:
            self._lengths[key] = self._reader.doc_field_length(docnum, fieldname, default)
        return self._lengths[key]

    def close(self):
        self._reader.close()


class TermPool(PostingPool):
    """Whoosh's pool of a new segment's postings, holding them grouped by term.

    Whoosh keeps one tuple per posting and sorts them all when the segment is written (two million
    for 2,000 articles: a tenth of the time of indexing); grouped, only the terms are sorted. Past
    the pool's memory limit (a large merge), the postings go to Whoosh's own pool, which sorts them
    out to temporary files.
    """

    POSTING_BYTES = 160  # about what one posting takes here

    def __init__(self, tempstore, segment, limitmb=128, **kwargs):
        super().__init__(tempstore, segment, limitmb=limitmb, **kwargs)
        self._terms = defaultdict(list)
        self._count = 0
        self._spilled = False

    def add(self, item):
        if self._spilled:
            return super().add(item)
        fieldname, tbytes, docnum, weight, vbytes = item
        self._terms[fieldname, tbytes].append((docnum, weight, vbytes))
        self._count += 1
        if self._count * self.POSTING_BYTES > self.limit:
            self._spill()

    def _spill(self):
        self._spilled = True
        terms, self._terms = self._terms, defaultdict(list)
        for fieldname, tbytes in sorted(terms):
            for docnum, weight, vbytes in terms.pop((fieldname, tbytes)):
                super().add((fieldname, tbytes, docnum, weight, vbytes))

    def iter_postings(self):
        if self._spilled:
            yield from super().iter_postings()
            return
        for fieldname, tbytes in sorted(self._terms):
            postings = self._terms.pop((fieldname, tbytes))
            postings.sort(key=itemgetter(0))  # in order already, unless documents were merged in
            for docnum, weight, vbytes in postings:
                yield fieldname, tbytes, docnum, weight, vbytes


class ArchiveSegmentWriter(SegmentWriter):
    def __init__(self, index, limitmb=128, **kwargs):
        super().__init__(index, limitmb=limitmb, **kwargs)
        self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return RememberedLengths(super().per_document_reader())


# Segments are merged by size tiers: ten segments under 200 documents (edits, small imports) into
# one, ten under 1,500 into one; a segment of 1,500 or more (a bulk import writes segments of 1,500
# to 2,000: signals.BULK_SEGMENT) only when a quarter of its documents are deleted. Merging costs what indexing
# does (10 ms an article here): Whoosh's own policy rewrote most of a 10,000-article index at the end
# of an import (90 s). Searching 20 segments was as fast as searching 5, 100 twice as slow
# (bench/search.py at 10,000 articles); a 100,000-article archive has about 50.
SEGMENT_TIERS = (200, 1_500)
MERGE_FANOUT = 10
DELETED_SHARE_TO_MERGE = 0.25
# Postings a writer holds in memory before it sorts them out to temporary files (Whoosh's default:
# 128): a bulk segment of 2,000 articles has about 2.1 million (TermPool.POSTING_BYTES each).
WRITER_MEMORY_MB = 384


def merge_tiers(writer, segments):
    """Whoosh merge policy (commit's mergetype): add the segments to merge to the writer, return the rest."""
    tiers = defaultdict(list)
    for segment in segments:
        tiers[bisect_right(SEGMENT_TIERS, segment.doc_count_all())].append(segment)
    kept = []
    for tier, members in tiers.items():
        full = tier < len(SEGMENT_TIERS) and len(members) >= MERGE_FANOUT
        for segment in members:
            if full or segment.deleted_count() > DELETED_SHARE_TO_MERGE * segment.doc_count_all():
                reader = SegmentReader(writer.storage, writer.schema, segment)
                writer.add_reader(reader)
                reader.close()
            else:
                kept.append(segment)
    return kept


def adjacent_phrases(query):
    """The query with each exact phrase checked by AdjacentWords."""
    if type(query) is Phrase and query.slop == 1:
        return AdjacentWords(query.fieldname, query.words, boost=query.boost)
    return query


def _pickle_postings(data, protocol=None) -> bytes:
    """Pickle a block of postings with protocol 4 (reads back the same with pickle.loads).

    Whoosh asks for protocol 2, which writes every bytes value, such as each posting's positions, as
    a call to codecs.encode of a latin-1 string: that framing was 45 % of the index.
    """
    return pickle.dumps(data, protocol=4)


whoosh3.dumps = _pickle_postings


class MappedFile:
    """A read-only file over a memoryview, without a copy of it.

    Whoosh opens the files of a compound segment as views of its memory map, each wrapped in an
    io.BytesIO, which copies the view: every searcher held the whole index in its own memory, and
    opening one for a writer's deletions took 2 GB at 100,000 articles.
    """

    def __init__(self, view):
        self._view = memoryview(view)
        self._position = 0

    def read(self, size=-1):
        end = len(self._view) if size is None or size < 0 else min(self._position + size, len(self._view))
        data = self._view[self._position : end].tobytes()
        self._position = max(self._position, end)
        return data

    def readline(self, size=-1):
        rest = self._view[self._position :].tobytes()
        line = rest[: rest.find(b"\n") + 1 or len(rest)]
        return self.read(len(line) if size is None or size < 0 else min(size, len(line)))

    def seek(self, offset, whence=0):
        base = {0: 0, 1: self._position, 2: len(self._view)}[whence]
        self._position = base + offset
        return self._position

    def tell(self):
        return self._position

    def flush(self):
        pass

    def close(self):
        self._view.release()


def _open_buffer(self, buf, name=None, onclose=None):
    """structfile.BufferFile.__init__, reading the buffer in place (see MappedFile)."""
    self._buf = buf
    self._name = name
    self.file = MappedFile(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


structfile.BufferFile.__init__ = _open_buffer


class FacetColumn(NamedTuple):
    """A keyword field's values for every document of a searcher, each value a number."""

    labels: list[str]  # the values, by number
    starts: np.ndarray  # where each document's numbers start in codes (and, one on, where they end)
    codes: np.ndarray


class ArchiveWhooshBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self._searcher = None
        self._columns = {}
        self._open_writer = None
        self._written: set[str] = set()  # ids of the documents the open writer holds

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            if field_class.field_type == "string" and not field_class.is_multivalued:
                schema.remove(name)
                field = TEXT(stored=False, analyzer=field_class.analyzer, field_boost=field_class.boost)
                field.format = ArrayPositions(field_boost=field_class.boost)
                schema.add(name, field)
            elif field_class.is_multivalued:
                schema.remove(name)
                schema.add(name, KEYWORD(stored=False, commas=True, scorable=False, sortable=True))
        return content_field_name, schema

    def searcher(self):
        """The process's searcher, reopened when the index has changed since it was opened."""
        if not self.setup_complete:
            self.setup()
        if self._searcher is None:
            self._searcher = self.index.searcher(weighting=CachedLengthsBM25F())
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
            self._columns = {}
        return self._searcher

    def column(self, searcher, name: str) -> list:
        """A field's value for every document number of this searcher (read once per searcher)."""
        if name not in self._columns:
            reader = searcher.reader()
            self._columns[name] = list(reader.column_reader(name)) if reader.has_column(name) else []
        return self._columns[name]

    def facet_column(self, searcher, name: str) -> "FacetColumn":
        """A keyword field's values for every document number of this searcher, as numbers (read once per searcher)."""
        key = f"{name} values"
        if key not in self._columns:
            labels, codes, starts = {}, [], [0]
            for joined in self.column(searcher, name) or [""] * searcher.reader().doc_count_all():
                codes.extend(labels.setdefault(value, len(labels)) for value in joined.split(",") if value)
                starts.append(len(codes))
            self._columns[key] = FacetColumn(list(labels), np.array(starts), np.array(codes, dtype=np.int64))
        return self._columns[key]

    def update(self, index, iterable, commit=True):
        """Index a batch of objects with one writer: one deletion of their earlier documents, then adds.

        haystack's update_document per object made Whoosh open every segment of the index for each
        object (to delete its old document): half of an import's time at 5,000 articles.
        """
        if not self.setup_complete:
            self.setup()
        documents = []
        for obj in iterable:
            try:
                prepared = index.full_prepare(obj)
            except SkipDocument:
                continue
            documents.append({key: self._from_python(value) for key, value in prepared.items() if key != "boost"})
        if not documents:
            return
        ids = {document[ID] for document in documents}
        with self._writing(ids, commit) as writer:
            writer.delete_by_query(Or([Term(ID, identifier) for identifier in sorted(ids)]))
            for document in documents:
                writer.add_document(**document)
            self._written |= ids

    def remove(self, obj_or_string, commit=True):
        if not self.setup_complete:
            self.setup()
        identifier = get_identifier(obj_or_string)
        with self._writing({identifier}, commit) as writer:
            writer.delete_by_term(ID, identifier)

    @contextmanager
    def _writing(self, ids: set[str], commit: bool) -> Iterator[SegmentWriter]:
        """The open writer, for changes to the documents with these ids; cancelled if they fail,
        committed after them if asked. With commit=False it stays open for the next batch, so that
        a bulk import writes segments of many batches (see signals.BackgroundIndexer)."""
        if ids & self._written:
            self.commit()  # a writer deletes only documents committed before it opened
        if self._open_writer is None:
            self.index = self.index.refresh()
            # Another process's write lock (a web edit, another import) is waited for, not forever.
            self._open_writer = ArchiveSegmentWriter(
                self.index, timeout=settings.ARCHIVE_INDEX_LOCK_TIMEOUT, delay=0.25, limitmb=WRITER_MEMORY_MB
            )
        try:
            yield self._open_writer
        except BaseException:
            self.cancel()
            raise
        if commit:
            self.commit()

    def commit(self) -> None:
        """Write what the open writer holds, if anything, as a segment, and release the index."""
        writer, self._open_writer, self._written = self._open_writer, None, set()
        if writer is not None:
            writer.commit(mergetype=merge_tiers)

    def cancel(self) -> None:
        writer, self._open_writer, self._written = self._open_writer, None, set()
        if writer is not None:
            writer.cancel()

    def clear(self, models=None, commit=True):
        self.cancel()
        super().clear(models=models, commit=commit)
        self._searcher = None  # a cleared index may be a new one
        self._columns = {}

    def search(self, query_string, sort_by=None, start_offset=0, end_offset=None, facets=None,
               narrow_queries=None, result_class=None, **kwargs):
        if not self.setup_complete:
            self.setup()
        if not query_string or (len(query_string) <= 1 and query_string != "*"):
            return {"results": [], "hits": 0}
        searcher = self.searcher()
        if not searcher.doc_count():
            return {"results": [], "hits": 0}
        # haystack's query for "everything" is "*", which Whoosh would read as a wildcard over all terms.
        parsed = Every() if query_string.strip() in ("*", "*:*") else self.parser.parse(query_string)
        if parsed is None:
            return {"results": [], "hits": 0}
        if narrow_queries:
            parsed = And([parsed, *(self.parser.parse(narrow) for narrow in narrow_queries)])
        parsed = parsed.accept(adjacent_phrases)
        if sort_by:  # by date: the matching documents, unscored, sorted by a column
            matched = list(searcher.docs_for_query(parsed))
            keys = self.column(searcher, sort_by[0].lstrip("-"))
            matched.sort(key=keys.__getitem__, reverse=sort_by[0].startswith("-"))
            page = [(docnum, 0.0) for docnum in matched[start_offset:end_offset]]
            matched = np.array(matched, dtype=np.int64)
        else:  # by relevance: every match scored (Whoosh cannot skip blocks for these queries)
            ranked = ranked_matches(searcher, parsed)
            if ranked is None:
                top = searcher.search(parsed, limit=None).top_n
                ranked = np.array([docnum for _, docnum in top], dtype=np.int64), np.array([score for score, _ in top])
            docnums, scores = ranked
            page = zip(docnums[start_offset:end_offset].tolist(), scores[start_offset:end_offset].tolist(), strict=True)
            matched = docnums
        return {
            "results": [self._result(searcher, docnum, score, result_class) for docnum, score in page],
            "hits": len(matched),
            "facets": {"fields": self._facets(searcher, matched, facets or ()), "dates": {}, "queries": {}},
            "spelling_suggestion": None,
        }

    def _facets(self, searcher, matched: np.ndarray, names) -> dict:
        """Each facet's values among the matched documents, most frequent first, counted as arrays
        (Python's Counter took 90 ms a query at 100,000 articles)."""
        counts = {}
        for name in names:
            column = self.facet_column(searcher, name)
            firsts = column.starts[matched]
            sizes = column.starts[matched + 1] - firsts
            # The rows of `codes` of every matched document, one run after another.
            rows = np.repeat(firsts - (np.cumsum(sizes) - sizes), sizes) + np.arange(sizes.sum())
            found = np.bincount(column.codes[rows], minlength=len(column.labels)).tolist()
            counts[name] = sorted(((label, n) for label, n in zip(column.labels, found, strict=True) if n),
                                  key=lambda item: (-item[1], item[0]))
        return counts

    def _result(self, searcher, docnum: int, score: float, result_class=None):
        stored = searcher.stored_fields(docnum)
        app_label, model_name = stored[DJANGO_CT].split(".")
        return (result_class or SearchResult)(app_label, model_name, stored[DJANGO_ID], score)

    def more_like_this(self, model_instance, additional_query_string=None, start_offset=0, end_offset=None,
                       result_class=None, **kwargs):
        searcher = self.searcher()
        docnum = searcher.document_number(**{ID: get_identifier(model_instance)})
        if docnum is None:
            return {"results": [], "hits": 0}
        index = connections[self.connection_alias].get_unified_index().get_index(type(model_instance))
        text = index.prepare(model_instance)[self.content_field_name]
        raw_results = searcher.more_like(docnum, self.content_field_name, text=text, top=end_offset or 10)
        page_num, page_length = self.calculate_page(start_offset, end_offset)
        return self._process_results(ResultsPage(raw_results, page_num, page_length), result_class=result_class)


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend
