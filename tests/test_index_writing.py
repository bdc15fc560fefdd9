"""How the index is written: segments merged by size tiers, bulk batches committed together."""

import io
import queue
from pathlib import Path

import pytest
from django.core.management import call_command
from haystack import connections
from whoosh.fields import ID, Schema
from whoosh.filedb.filestore import FileStorage

from archive.models import Article
from archive.search import indexing
from archive.search.engine import writing
from archive.search.engine.writing import merge_tiers
from archive.search.indexing import commit_articles, index_articles

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def segment_sizes(index) -> list[int]:
    return sorted(segment.doc_count_all() for segment in index.refresh()._segments())


def add_segment(index, size: int, start: int = 0) -> None:
    writer = index.writer()
    for number in range(start, start + size):
        writer.add_document(key=str(number))
    writer.commit(merge=False)


@pytest.fixture
def small_tiers(monkeypatch, tmp_path):
    """Tiers of 3 and 30 documents; an index of one field."""
    monkeypatch.setattr(writing, "SEGMENT_TIERS", (3, 30))
    monkeypatch.setattr(writing, "MERGE_FANOUT", 4)
    return FileStorage(str(tmp_path)).create_index(Schema(key=ID(stored=True, unique=True)))


def test_segments_of_a_tier_are_merged_once_there_are_enough_of_them(small_tiers):
    index = small_tiers
    for number in range(3):
        add_segment(index, 1, start=number)
    add_segment(index, 40, start=100)  # above the last tier: never merged for its size
    writer = index.writer()
    writer.add_document(key="new")
    writer.commit(mergetype=merge_tiers)
    assert segment_sizes(index) == [1, 1, 1, 1, 40], "three small segments are fewer than four: left alone"

    writer = index.writer()
    writer.add_document(key="newer")
    writer.commit(mergetype=merge_tiers)
    assert segment_sizes(index) == [5, 40], "four small ones went into the new one"


def test_segments_of_the_middle_tier_merge_and_the_largest_only_for_deletions(small_tiers):
    index = small_tiers
    for number in range(4):
        add_segment(index, 5, start=10 * number)
    add_segment(index, 40, start=100)
    writer = index.writer()
    writer.add_document(key="new")
    writer.commit(mergetype=merge_tiers)
    assert segment_sizes(index) == [21, 40]

    writer = index.writer()
    for number in range(100, 111):  # more than a quarter of the large segment
        writer.delete_by_term("key", str(number))
    writer.commit(mergetype=merge_tiers)
    assert segment_sizes(index) == [21, 29]
    assert index.refresh().doc_count() == 21 + 29


@pytest.fixture
def imported(search_index, tmp_path):
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    return list(Article.objects.canonical().values_list("pk", flat=True))


def indexed_ids() -> list[int]:
    backend = connections["default"].get_backend()
    with backend.index.refresh().searcher() as searcher:
        return sorted(int(fields["django_id"]) for fields in searcher.all_stored_fields())


def test_batches_written_without_commit_appear_and_are_marked_indexed_only_at_the_commit(imported):
    backend = connections["default"].get_backend()
    backend.clear()
    Article.objects.update(needs_indexing=True)

    half = len(imported) // 2
    index_articles(imported[:half], commit=False)
    index_articles(imported[half:], commit=False)
    assert indexed_ids() == []
    assert not Article.objects.filter(needs_indexing=False).exists()

    index_articles(imported[:1], commit=False)  # again before the commit: replaced, not repeated
    commit_articles(imported)
    assert indexed_ids() == sorted(imported)
    assert not Article.objects.filter(needs_indexing=True, pk__in=imported).exists()


@pytest.mark.parametrize("limitmb", [128, 0.001], ids=["in memory", "past the memory limit"])
def test_the_term_pool_gives_the_postings_in_whooshs_order(tmp_path, limitmb):
    from whoosh.codec import default_codec

    from archive.search.engine.writing import TermPool

    storage = FileStorage(str(tmp_path)).create()
    pool = TermPool(storage, default_codec().new_segment(storage, "MAIN"), limitmb=limitmb)
    postings = [("text", f"词{term % 7}".encode(), docnum, 1.0, b"H\x00\x00") for docnum in range(40) for term in
                range(docnum % 5)] + [("title", b"b", 3, 2.0, b""), ("title", b"a", 1, 1.0, b"")]
    for posting in postings[::2] + postings[1::2]:  # documents merged in come after later ones
        pool.add(posting)
    assert list(pool.iter_postings()) == sorted(postings)
    pool.cleanup()


def test_a_bulk_import_writes_segments_that_its_next_batch_could_not_overfill(imported, monkeypatch):
    backend = connections["default"].get_backend()
    backend.clear()
    monkeypatch.setattr(writing, "WRITE_BATCH", 2)
    monkeypatch.setattr(writing, "BULK_SEGMENT", 5)
    batches = queue.SimpleQueue()
    for start in range(0, len(imported), 2):
        batches.put((imported[start : start + 2], {}))
    batches.put(None)
    indexing._index_batches(batches)

    sizes = segment_sizes(backend.index)
    assert len(sizes) > 1 and sum(sizes) == len(imported)
    assert all(3 < size <= 5 for size in sizes[1:]), sizes  # all but the last one written
    assert indexed_ids() == sorted(imported)


def test_a_failed_batch_on_an_engine_without_rollback_stays_pending_and_is_written_again_whole(imported, monkeypatch):
    from archive.search import documents

    backend = connections["default"].get_backend()
    backend.clear()
    Article.objects.update(needs_indexing=True)
    # An engine that cannot roll back keeps whatever was written before the failure.
    monkeypatch.setattr(backend, "cancel", backend.commit)
    failing = imported[-1]
    original = documents.IndexedArticle.of.__func__

    def fail_on_one(cls, article, cut_text=None):
        if article.pk == failing:
            raise OSError("disk full")
        return original(cls, article, cut_text)

    monkeypatch.setattr(documents.IndexedArticle, "of", classmethod(fail_on_one))
    batches = queue.SimpleQueue()
    batches.put((imported[:2], {}))  # written, then the failing batch makes the engine keep them
    batches.put((imported[2:], {}))
    batches.put(None)
    indexing._index_batches(batches)
    assert set(Article.objects.filter(needs_indexing=True).values_list("pk", flat=True)) >= set(imported[2:])

    monkeypatch.setattr(documents.IndexedArticle, "of", classmethod(original))
    indexing.index_pending()
    assert indexed_ids() == sorted(imported)
    assert not Article.objects.filter(needs_indexing=True).exists()
