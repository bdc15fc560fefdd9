"""Keep the search index current: articles are (re)indexed when the transaction that changed them commits.

Indexing at commit, not at save, means an article is indexed with its initiatives (set after it is
saved), and a rolled-back import leaves nothing in the index. A batch import defers the indexing
and sends the articles in batches to one index writer (`deferred_indexing`). Every saved article is
marked `needs_indexing` until the index holds it, so what an interrupted run left unindexed is
found and indexed by the next (`index_pending`). A bulk import hands its batches to an index writer
in a process of its own (`BackgroundIndexer`), so that writing the index and writing the database
use both cores; the words its workers cut travel with each batch, as data (documents.CutText).
Everything here talks to the engine through search.interface.SearchEngine.
"""

import logging
import multiprocessing
import threading
from contextlib import contextmanager

from django.db import connections as db_connections
from django.db import transaction
from django.db.models import Q, signals
from haystack import connections
from haystack.signals import BaseSignalProcessor

from ..ingest.script import to_traditional
from ..models import Article, Initiative, InitiativeAlias
from .documents import CutText, IndexedArticle
from .interface import SearchEngine
from .words import normalise

logger = logging.getLogger(__name__)


class _Pending(threading.local):
    """This thread's articles waiting for the commit (True to index, False to remove), and the bulk
    import deferring their indexing, if one is."""

    def __init__(self):
        self.articles: dict[int, bool] = {}
        self.deferred: DeferredIndexing | None = None


_pending = _Pending()


def _queue() -> dict[int, bool]:
    return _pending.articles


def engine(using: str = "default") -> SearchEngine:
    return connections[using].get_backend()


def index_articles(ids, using="default", commit=True, cut_words: dict[int, CutText] | None = None) -> int:
    """Index these articles as they are in the database; ids the index should not hold are removed.
    Returns how many were indexed. `cut_words` holds words already cut for some of them.

    Near-duplicates are not indexed (see ArticleIndex.index_queryset), so they are removed too.
    With commit=False the engine's writer stays open for more, and the caller calls commit_articles().
    """
    ids, cut_words = sorted(set(ids)), cut_words or {}
    index = connections[using].get_unified_index().get_index(Article)
    search_engine = engine(using)
    indexed = 0
    for start in range(0, len(ids), search_engine.write_batch):
        if commit:
            search_engine.wait_until_writable()  # a stuck holder would otherwise be waited for without end
        batch = set(ids[start : start + search_engine.write_batch])
        present = list(index.index_queryset().filter(pk__in=batch))
        if present:
            search_engine.write([IndexedArticle.of(article, cut_words.get(article.pk)) for article in present],
                                commit=commit)
            indexed += len(present)
        missing = batch - {article.pk for article in present}
        if missing:
            search_engine.delete(sorted(missing), commit=commit)
        if commit:
            mark_indexed(batch)
    return indexed


def commit_articles(ids, using="default") -> None:
    """Commit what index_articles(commit=False) wrote, then mark those articles indexed."""
    engine(using).commit()
    mark_indexed(ids)


def mark_indexed(ids, batch: int = 500) -> None:
    ids = sorted(set(ids))
    for start in range(0, len(ids), batch):
        Article.objects.filter(pk__in=ids[start : start + batch]).update(needs_indexing=False)


def index_pending() -> int:
    """Index the articles saved since the index last took them (after a killed import, say)."""
    pending = list(Article.objects.filter(needs_indexing=True).values_list("pk", flat=True))
    index_articles(pending)
    return len(pending)


class BackgroundIndexer:
    """An index writer in a process of its own, for the batches a bulk import commits.

    It reads the articles as committed and is the index's one writer meanwhile. What it has not
    indexed when it stops (killed, say) stays marked `needs_indexing` for index_pending().
    """

    def __init__(self):
        context = multiprocessing.get_context("fork")
        # The import waits rather than pile batches up, but not while the writer commits a segment.
        search_engine = engine()
        self._batches = context.Queue(maxsize=search_engine.segment_size // search_engine.write_batch * 2)
        db_connections.close_all()  # each process opens its own
        self._process = context.Process(target=_index_batches, args=(self._batches,), daemon=True)
        self._process.start()

    def send(self, ids: list[int], cut_words: dict[int, CutText]) -> None:
        self._batches.put((ids, cut_words))

    def close(self) -> None:
        self._batches.put(None)
        self._process.join()
        if self._process.exitcode:
            logger.error("the index writer stopped with code %s", self._process.exitcode)
        index_pending()  # whatever it left (nothing, unless it failed)

    @staticmethod
    def usable() -> bool:
        """Another process sees only committed data: not within a transaction, nor in a memory database."""
        connection = db_connections["default"]
        in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()
        return not connection.in_atomic_block and not in_memory


def _index_batches(batches) -> None:
    """Write the batches into segments of up to the engine's segment_size articles: one segment per
    batch made the index merge its segments again and again (half the time of indexing at 10,000).

    A batch that cannot be written (the index locked past its lock timeout, say) is logged and left
    pending; the queue is still emptied, so the import never waits on it.
    """
    search_engine = engine()
    written, documents = [], 0  # ids in the open writer, not yet committed, and the documents added
    for ids, cut_words in iter(batches.get, None):
        try:
            documents += index_articles(ids, commit=False, cut_words=cut_words)
            written += ids
            if documents + search_engine.write_batch > search_engine.segment_size:  # the next could overfill it
                commit_articles(written)
                written, documents = [], 0
        except Exception:  # the articles stay pending; the import goes on
            logger.exception("could not index articles %s", ids)
            search_engine.cancel()
            written, documents = [], 0
    try:
        commit_articles(written)
    except Exception:
        logger.exception("could not index articles %s", written)


class DeferredIndexing:
    """What a bulk import defers: the articles its commits queued, and the words its workers cut for them."""

    def __init__(self, background: bool):
        self.background = BackgroundIndexer() if background and BackgroundIndexer.usable() else None
        self.cut_words: dict[int, CutText] = {}

    def words_cut(self, article_id: int, cut_text: CutText) -> None:
        """Words cut ahead (in a worker) for an article this import saved."""
        self.cut_words[article_id] = cut_text

    def flush(self) -> None:
        """Index what the commits so far queued (in the background writer when there is one)."""
        queue = _queue()
        changed, cut_words = dict(queue), self.cut_words
        queue.clear()
        self.cut_words = {}
        if not changed:
            return
        if self.background:
            self.background.send(sorted(changed), {pk: cut_words[pk] for pk in changed if pk in cut_words})
            return
        _index_changed(changed, cut_words)


@contextmanager
def deferred_indexing(background: bool = False):
    """Within this block, commits queue articles; its flush() (and the block's end) indexes them,
    in a BackgroundIndexer when asked and usable."""
    deferred = DeferredIndexing(background)
    _pending.deferred = deferred
    try:
        yield deferred
    finally:
        _pending.deferred = None
        deferred.flush()
        if deferred.background:
            deferred.background.close()


def _index_changed(changed: dict[int, bool], cut_words: dict[int, CutText] | None = None) -> None:
    try:
        index_articles([pk for pk, keep in changed.items() if keep], cut_words=cut_words)
        index_articles([pk for pk, keep in changed.items() if not keep])
    except Exception:  # the index can be repaired; a failed commit of the database cannot
        logger.exception("could not update the search index for articles %s", sorted(changed))


def _flush():
    """At a commit: index what it queued, unless a bulk import defers it."""
    queue = _queue()
    if not queue or _pending.deferred:
        return
    changed = dict(queue)
    queue.clear()
    _index_changed(changed)


def _enqueue(ids, keep=True):
    queue = _queue()
    for pk in ids:
        queue[pk] = keep
    transaction.on_commit(_flush)


def articles_naming(names) -> list[int]:
    """Articles whose text holds any of these names (either script), to re-segment them."""
    condition = Q()
    for name in {normalise(name) for name in names if name}:
        for form in {name, to_traditional(name)}:
            condition |= Q(title__contains=form) | Q(body__contains=form)
    return list(Article.objects.filter(condition).values_list("pk", flat=True)) if condition else []


class IndexOnCommitSignalProcessor(BaseSignalProcessor):
    def _receivers(self):
        return [
            (signals.post_save, self.article_saved, Article),
            (signals.post_delete, self.article_deleted, Article),
            (signals.pre_delete, self.article_deleting, Article),
            (signals.m2m_changed, self.initiatives_changed, Article.initiatives.through),
            (signals.post_save, self.name_saved, Initiative),
            (signals.post_save, self.name_saved, InitiativeAlias),
            (signals.pre_delete, self.initiative_deleted, Initiative),
        ]

    def setup(self):
        for signal, receiver, sender in self._receivers():
            signal.connect(receiver, sender=sender)

    def teardown(self):
        for signal, receiver, sender in self._receivers():
            signal.disconnect(receiver, sender=sender)

    def article_saved(self, sender, instance, **kwargs):
        _enqueue([instance.pk])

    def article_deleting(self, sender, instance, **kwargs):
        # Its near-duplicates lose their link and become articles of their own in the index.
        _enqueue(instance.near_duplicates.values_list("pk", flat=True))

    def article_deleted(self, sender, instance, **kwargs):
        _enqueue([instance.pk], keep=False)

    def initiatives_changed(self, sender, instance, action, reverse, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        if isinstance(instance, Article):
            _enqueue([instance.pk])
        elif pk_set:
            _enqueue(pk_set)
        else:  # cleared from the initiative's side
            _enqueue(instance.articles.values_list("pk", flat=True))

    def name_saved(self, sender, instance, **kwargs):
        """A confirmed name is a dictionary word: the texts that hold it are segmented anew."""
        initiative = instance if isinstance(instance, Initiative) else instance.initiative
        if initiative.confirmed:
            _enqueue(articles_naming([instance.name]))

    def initiative_deleted(self, sender, instance, **kwargs):
        _enqueue(instance.articles.values_list("pk", flat=True))
