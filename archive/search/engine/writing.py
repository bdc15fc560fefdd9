"""Writing the Whoosh index: segments written with our codec, postings pooled by term, merges by size tier.

One number sets the sizes that must agree: BULK_SEGMENT, the most documents a bulk import writes
into one segment. The import hands the index WRITE_BATCH documents at a time and commits before the
next batch could overfill the segment, so every bulk segment holds more than half of BULK_SEGMENT;
the top merge tier starts at half of it, so bulk segments are never merged merely for their number.
"""

from bisect import bisect_right
from collections import defaultdict
from operator import itemgetter

from whoosh.reading import SegmentReader
from whoosh.writing import PostingPool, SegmentWriter

from .storage import ArchiveCodec

# Larger segments outgrew the writer's memory for postings, which then sorted them out to
# temporary files (a sixth of an import's time).
BULK_SEGMENT = 2_000
WRITE_BATCH = BULK_SEGMENT // 4
# Segments are merged by size tiers: ten segments under 200 documents (edits, small imports) into
# one, ten under BULK_SEGMENT / 2 into one; a larger one (a bulk import's) only when a quarter of its
# documents are deleted. Merging costs what indexing does: Whoosh's own policy rewrote most of a
# 10,000-article index at the end of an import. Searching 20 segments was as fast as searching 5,
# 100 twice as slow (bench/search.py at 10,000 articles).
SEGMENT_TIERS = (200, BULK_SEGMENT // 2)
MERGE_FANOUT = 10
DELETED_SHARE_TO_MERGE = 0.25
# Postings a writer holds in memory before it sorts them out to temporary files (Whoosh's default:
# 128): a bulk segment of BULK_SEGMENT articles has about 2.1 million (TermPool.POSTING_BYTES each).
WRITER_MEMORY_MB = 384


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
    """Whoosh's segment writer with our codec, our pool and per-document lengths read once."""

    def __init__(self, index, limitmb=WRITER_MEMORY_MB, **kwargs):
        super().__init__(index, limitmb=limitmb, codec=ArchiveCodec(), **kwargs)
        self.pool = TermPool(self._tempstorage, self.newsegment, limitmb=limitmb)

    def per_document_reader(self):
        return RememberedLengths(super().per_document_reader())

    def commit(self, **kwargs):
        kwargs.setdefault("mergetype", merge_tiers)
        super().commit(**kwargs)


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
