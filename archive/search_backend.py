"""haystack's Whoosh backend, fitted to this archive's index. Chosen by the ENGINE setting.

What it changes, and why (each measured with bench/search.py):
- Text fields are not stored: pages are rendered from the database, so storing the segmented
  text only doubled the index and slowed every hit.
- Facet fields are columns (one value) or keep term vectors (several values), so counting them
  reads the matching documents only instead of un-inverting the whole field on every search.
- One searcher is kept open per process and reopened only when the index has changed.
- A search is one pass: no separate "narrow" searches, facets gathered while collecting.
- More-like-this reads the article's text from the database instead of the stored field.
"""

from haystack import connections
from haystack.backends.whoosh_backend import WhooshEngine, WhooshSearchBackend
from haystack.constants import ID
from haystack.utils import get_identifier
from whoosh.fields import KEYWORD, TEXT
from whoosh.query import And
from whoosh.searching import ResultsPage
from whoosh.sorting import Count, FieldFacet


class ArchiveWhooshBackend(WhooshSearchBackend):
    _searcher = None

    def build_schema(self, fields):
        content_field_name, schema = super().build_schema(fields)
        for field_class in fields.values():
            name = field_class.index_fieldname
            if field_class.field_type == "string" and not field_class.is_multivalued:
                schema.remove(name)
                schema.add(name, TEXT(stored=False, analyzer=field_class.analyzer,
                                      field_boost=field_class.boost, phrase=name != "subwords"))
            elif field_class.is_multivalued:
                several = getattr(field_class, "several_values", True)
                schema.remove(name)
                schema.add(name, KEYWORD(stored=False, commas=True, scorable=False,
                                         sortable=not several, vector=several))
        return content_field_name, schema

    def searcher(self):
        """The process's searcher, reopened when the index has changed since it was opened."""
        if not self.setup_complete:
            self.setup()
        if self._searcher is None:
            self._searcher = self.index.searcher()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
        return self._searcher

    def clear(self, models=None, commit=True):
        super().clear(models=models, commit=commit)
        self._searcher = None  # a cleared index may be a new one

    def search(self, query_string, sort_by=None, start_offset=0, end_offset=None, facets=None,
               narrow_queries=None, result_class=None, **kwargs):
        if not self.setup_complete:
            self.setup()
        if not query_string or (len(query_string) <= 1 and query_string != "*"):
            return {"results": [], "hits": 0}
        searcher = self.searcher()
        if not searcher.doc_count():
            return {"results": [], "hits": 0}
        parsed = self.parser.parse(query_string)
        if parsed is None:
            return {"results": [], "hits": 0}
        if narrow_queries:
            parsed = And([parsed, *(self.parser.parse(narrow) for narrow in narrow_queries)])
        reverse = bool(sort_by) and sort_by[0].startswith("-")
        sortedby = [field.lstrip("-") for field in sort_by] if sort_by else None
        groupedby = None
        if facets:
            groupedby = {
                name: FieldFacet(name, allow_overlap=bool(searcher.schema[name].vector), maptype=Count)
                for name in facets
            }
        page_num, page_length = self.calculate_page(start_offset, end_offset)
        raw_page = searcher.search_page(parsed, page_num, pagelen=page_length, sortedby=sortedby,
                                        reverse=reverse, groupedby=groupedby)
        if raw_page.pagenum < page_num:  # past the last page: no hits here, but say how many there are
            return {"results": [], "hits": raw_page.total, "spelling_suggestion": None}
        return self._process_results(raw_page, result_class=result_class,
                                     facet_types=dict.fromkeys(facets or (), "fields"))

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
