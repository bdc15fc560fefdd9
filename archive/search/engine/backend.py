"""The Whoosh engine as a haystack backend: haystack's own Whoosh backend, plus the archive's interface.

haystack's calls (update, remove, clear, search with a query string, more_like_this) keep haystack's
contract: its own Whoosh backend tests pass against this engine (tests/test_haystack_contract.py).
The archive's search service calls the interface (search.interface.SearchEngine) with structures,
answered from arrays (reading.py). What this backend changes, and why:
- Fields whose words come cut (storage.WordsTokenizer) store positions as arrays and nothing else;
  facet fields (documents.FacetField) and the article id are columns, for filters, sorts and counts.
- One opened searcher is kept per process and reopened when the index's segments have changed
  (by any process, a rebuild included).
- A batch is written with one writer and one deletion of the documents it replaces; with
  commit=False the writer stays open for the next batch, so a bulk import writes large segments.
- An index that cannot be opened or read raises interface.IndexUnavailable, whatever Whoosh or
  pickle raised; clearing the whole index deletes its files without opening it, so a damaged
  index can always be rebuilt.
"""

import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from haystack import connections
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import DJANGO_ID, ID
from haystack.exceptions import SkipDocument
from haystack.utils import get_identifier
from whoosh.fields import ID as WHOOSH_ID
from whoosh.fields import KEYWORD, TEXT
from whoosh.index import TOC
from whoosh.index import IndexError as WhooshIndexError
from whoosh.query import Or, Term
from whoosh.searching import ResultsPage

from ..documents import FacetField, IndexedArticle, entry_id
from ..interface import IndexUnavailable, Request, Results
from . import writing
from .locking import wait_for_lock
from .reading import IndexView
from .storage import MarkedPositions, WordsTokenizer
from .writing import ArchiveSegmentWriter

DEFAULT_LOCK_TIMEOUT = 60  # seconds a writer waits for another process's write lock

# What reading a damaged index raises: a file cut short (EOFError, struct.error, a truncated
# pickle), bytes that are not what they should be (UnpicklingError, zlib.error), a file gone
# (OSError), and Whoosh's own IndexError (no index any more, a table of contents it cannot read).
DAMAGED = (WhooshIndexError, EOFError, struct.error, pickle.UnpicklingError, zlib.error, OSError)
# Opening also unpickles the schema and the segments: a class that an older version of the code
# pickled and this one no longer has raises AttributeError or ImportError, and a table of contents
# cut to nothing a TypeError (Whoosh reads a number from no bytes). Every test opens the index, so
# a mistake of our own in opening it would not pass for one of these unnoticed.
UNOPENABLE = (*DAMAGED, AttributeError, ImportError, TypeError, ValueError)


class ArchiveWhooshBackend(WhooshSearchBackend):
    def __init__(self, connection_alias, **connection_options):
        super().__init__(connection_alias, **connection_options)
        self.lock_timeout = float(connection_options.get("LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT))
        self._view: IndexView | None = None
        self._view_segments: tuple = ()
        self._lexicons: dict = {}  # (segment id, field) -> the segment's words, kept while the segment is
        self._open_writer = None
        self._written: set[str] = set()  # ids of the documents the open writer holds

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            if isinstance(field_class.analyzer, WordsTokenizer):
                schema.remove(name)
                field = TEXT(stored=field_class.stored, analyzer=field_class.analyzer, field_boost=field_class.boost,
                             spelling=field_class.document)
                field.format = MarkedPositions(field_boost=field_class.boost)
                schema.add(name, field)
            elif isinstance(field_class, FacetField):
                schema.remove(name)
                schema.add(name, KEYWORD(stored=field_class.stored, commas=True, scorable=False, sortable=True))
        schema.remove(DJANGO_ID)
        schema.add(DJANGO_ID, WHOOSH_ID(stored=True, sortable=True))  # a column: ids of every match at once
        return content_field_name, schema

    # Reading ------------------------------------------------------------------------------------

    @contextmanager
    def _unavailable_on(self, errors: tuple[type[BaseException], ...]) -> Iterator[None]:
        """These errors, raised while the index is opened or read, as IndexUnavailable."""
        try:
            yield
        except errors as error:
            raise IndexUnavailable(f"the search index in {self.path} cannot be read "
                                   f"({type(error).__name__}: {error})") from error

    def _contents(self) -> TOC:
        """The index's table of contents, its schema unpickled as written (an index that an older
        version of the code wrote may name classes this one no longer has)."""
        with self._unavailable_on(UNOPENABLE):
            if not self.setup_complete:
                self.setup()
            return TOC.read(self.storage, self.index.indexname)

    def view(self) -> IndexView:
        """The process's opened index, reopened when its segments have changed since it was opened.

        Segments have random names: a rebuilt index whose generation number happens to equal the
        one opened here still has other segments.
        """
        toc = self._contents()
        segments = (toc.generation, *(segment.segment_id() for segment in toc.segments))
        if self._view is None or segments != self._view_segments:
            if self._view is not None:
                self._view.close()
                self._view = None
            with self._unavailable_on(UNOPENABLE):
                self.index = self.index.refresh()
                self._lexicons = {key: words for key, words in self._lexicons.items() if key[0] in segments}
                self._view = IndexView(self.index.searcher(), self._lexicons)
            self._view_segments = segments
        return self._view

    def find(self, request: Request) -> Results:
        view = self.view()
        with self._unavailable_on(DAMAGED):
            docnums, scores, facets, partial = view.find(request)
            page = slice(request.start, request.end)
            return Results(view.article_ids()[docnums[page]].tolist(), scores[page].tolist(), len(docnums), facets,
                           partial)

    def matching_ids(self, request: Request) -> list[int]:
        view = self.view()
        with self._unavailable_on(DAMAGED):
            docnums, _, _, _ = view.find(request, with_facets=False)
            return view.article_ids()[docnums].tolist()

    def more_like(self, article_id: int, text: str, limit: int) -> list[int]:
        searcher = self.view().searcher
        with self._unavailable_on(DAMAGED):
            docnum = searcher.document_number(**{ID: entry_id(article_id)})
            if docnum is None:
                return []
            hits = searcher.more_like(docnum, self.content_field_name, text=text, top=limit)
            return [int(hit[DJANGO_ID]) for hit in hits]

    def entries(self) -> list[str]:
        self._contents()
        with self._unavailable_on(UNOPENABLE):
            self.index = self.index.refresh()
            with self.index.reader() as reader:  # deleted documents are left out
                return [fields[ID] for fields in reader.all_stored_fields()]

    def more_like_this(self, model_instance, additional_query_string=None, start_offset=0, end_offset=None,
                       models=None, limit_to_registered_models=None, result_class=None, **kwargs):
        """haystack's more_like_this; for an index whose text is not stored, from the text as indexed."""
        if not self.setup_complete:
            self.setup()
        if self.schema[self.content_field_name].stored:
            return super().more_like_this(model_instance, additional_query_string, start_offset, end_offset,
                                          models, limit_to_registered_models, result_class, **kwargs)
        self.index = self.index.refresh()
        with self.index.searcher() as searcher:
            docnum = searcher.document_number(**{ID: get_identifier(model_instance)})
            if docnum is None:
                return {"results": [], "hits": 0}
            index = connections[self.connection_alias].get_unified_index().get_index(type(model_instance))
            text = index.full_prepare(model_instance)[self.content_field_name]
            raw_results = searcher.more_like(docnum, self.content_field_name, text=text, top=end_offset)
            page_num, page_length = self.calculate_page(start_offset, end_offset)
            return self._process_results(ResultsPage(raw_results, page_num, page_length), result_class=result_class)

    # Writing ------------------------------------------------------------------------------------

    @property
    def write_batch(self) -> int:
        return writing.WRITE_BATCH

    @property
    def segment_size(self) -> int:
        return writing.BULK_SEGMENT

    def write(self, documents: Iterable[IndexedArticle], commit: bool = True) -> None:
        self._write_prepared([document.indexed_fields() for document in documents], commit)

    def delete(self, article_ids: Iterable[int], commit: bool = True) -> None:
        self._delete_entries([entry_id(article_id) for article_id in article_ids], commit)

    def update(self, index, iterable, commit=True):
        """Index a batch of objects with one writer: one deletion of their earlier documents, then adds.

        haystack's update_document per object made Whoosh open every segment of the index for each
        object (to delete its old document): half of an import's time at 5,000 articles.
        """
        prepared = []
        for obj in iterable:
            try:
                prepared.append(index.full_prepare(obj))
            except SkipDocument:
                continue
        self._write_prepared(prepared, commit)

    def remove(self, obj_or_string, commit=True):
        self._delete_entries([get_identifier(obj_or_string)], commit)

    def _write_prepared(self, prepared: list[dict], commit: bool) -> None:
        if not self.setup_complete:
            self.setup()
        documents = [{key: self._from_python(value) for key, value in fields.items()
                      if key != "boost" and value is not None} for fields in prepared]
        if not documents:
            return
        ids = {document[ID] for document in documents}
        with self._writing(ids, commit) as writer:
            writer.delete_by_query(Or([Term(ID, identifier) for identifier in sorted(ids)]))
            for document in documents:
                writer.add_document(**document)
            self._written |= ids

    def _delete_entries(self, entries: list[str], commit: bool) -> None:
        if not self.setup_complete:
            self.setup()
        with self._writing(set(entries), commit) as writer:
            for entry in entries:
                writer.delete_by_term(ID, entry)

    @contextmanager
    def _writing(self, ids: set[str], commit: bool) -> Iterator[ArchiveSegmentWriter]:
        """The open writer, for changes to the documents with these ids; cancelled if they fail,
        committed after them if asked."""
        if ids & self._written:
            self.commit()  # a writer deletes only documents committed before it opened
        if self._open_writer is None:
            self.index = self.index.refresh()
            # Another process's write lock (a web edit, another import) is waited for, not forever.
            self._open_writer = ArchiveSegmentWriter(self.index, timeout=self.lock_timeout, delay=0.25)
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
            writer.commit()

    def cancel(self) -> None:
        writer, self._open_writer, self._written = self._open_writer, None, set()
        if writer is not None:
            writer.cancel()

    def clear(self, models=None, commit=True):
        self.cancel()
        if models is None and self.use_file_storage:
            self.delete_index()  # haystack's clear() opens the index first, which a damaged one cannot
        else:
            super().clear(models=models, commit=commit)
        if self._view is not None:
            self._view.close()
        self._view = None  # a cleared index may be a new one

    def wait_until_writable(self, timeout: float | None = None) -> None:
        with self._unavailable_on(UNOPENABLE):  # the lock file is in the index's folder
            if not self.setup_complete:
                self.setup()
            if self.use_file_storage:  # an index in memory has no other writer
                wait_for_lock(self.index, self.path, self.lock_timeout if timeout is None else timeout)


class ArchiveWhooshEngine(WhooshEngine):
    backend = ArchiveWhooshBackend

