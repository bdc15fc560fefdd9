"""haystack's Elasticsearch 7 backend, reading the index text as archive.search_indexes does.

Chosen by settings (ARCHIVE_SEARCH_ENGINE=archive.search_backend_elasticsearch.ArchiveElasticsearchEngine);
needs the client, `pip install "elasticsearch>=7,<8"`, and an Elasticsearch 7 server.

The index receives text already cut into words by archive/text.py (text.indexed_form): words split
by spaces, each followed by the shorter words inside it after `|` (`公安局长|公安|局长|公安局`), a
lone `|` for an empty position. The `archive_words` analyzer reads it exactly as WordsTokenizer
does for Whoosh: the whitespace tokenizer gives one token per position, a pattern_capture filter
turns a token into its `|`-separated pieces at that one position, and a stop filter drops a lone
`|` while keeping its position. The same analyzer reads queries, which arrive as whole words.
Filter and facet fields are keyword fields: ids and plain names as single terms.
"""

import copy

from haystack.backends.elasticsearch7_backend import Elasticsearch7SearchBackend, Elasticsearch7SearchEngine

from . import text

WORDS_ANALYZER = "archive_words"
# haystack's "no limit" for facets; Elasticsearch's terms aggregation needs a number of buckets.
ALL_FACET_VALUES = 10_000


class ArchiveElasticsearchBackend(Elasticsearch7SearchBackend):
    DEFAULT_SETTINGS = copy.deepcopy(Elasticsearch7SearchBackend.DEFAULT_SETTINGS)
    DEFAULT_SETTINGS["settings"]["analysis"]["analyzer"][WORDS_ANALYZER] = {
        "type": "custom",
        "tokenizer": "whitespace",
        "filter": ["archive_inner_words", "archive_empty_positions"],
    }
    DEFAULT_SETTINGS["settings"]["analysis"]["filter"].update({
        # Every run of characters other than the mark, each at the token's position; a token without
        # one (a lone mark) passes through unchanged to the next filter.
        "archive_inner_words": {
            "type": "pattern_capture",
            "patterns": [f"([^{text.INNER_WORD_MARK}]+)"],
            "preserve_original": False,
        },
        "archive_empty_positions": {"type": "stop", "stopwords": [text.INNER_WORD_MARK], "ignore_case": False},
    })

    def commit(self) -> None:
        """Make what update() and remove() wrote with commit=False searchable (see signals.commit_articles)."""
        if not self.setup_complete:
            self.setup()
        self.conn.indices.refresh(index=self.index_name)

    def cancel(self) -> None:
        """Nothing to take back: Elasticsearch keeps no open writer, what was sent is written."""

    def build_schema(self, fields):
        content_field_name, mapping = super().build_schema(fields)
        # The same split as the Whoosh backend: one-value string fields are words, the rest keywords.
        for field_class in fields.values():
            if field_class.field_type != "string":
                continue
            field_mapping = {"type": "keyword"}
            if not field_class.is_multivalued:
                field_mapping = {"type": "text", "analyzer": WORDS_ANALYZER}
                if field_class.boost != 1.0:
                    field_mapping["boost"] = field_class.boost
            mapping[field_class.index_fieldname] = field_mapping
        return content_field_name, mapping

    def build_search_kwargs(self, query_string, facets=None, **kwargs):
        # Facets are asked for as `limit=-1` (all values), which a terms aggregation calls `size`.
        if facets:
            facets = {name: self._terms_options(options) for name, options in facets.items()}
        search_kwargs = super().build_search_kwargs(query_string, facets=facets, **kwargs)
        # Count every hit, not only the first 10,000 (Elasticsearch 7's default).
        search_kwargs["track_total_hits"] = True
        return search_kwargs

    @staticmethod
    def _terms_options(options: dict) -> dict:
        options = dict(options)
        limit = options.pop("limit", None)
        if limit is not None:
            options["size"] = ALL_FACET_VALUES if limit < 0 else limit
        return options


class ArchiveElasticsearchEngine(Elasticsearch7SearchEngine):
    backend = ArchiveElasticsearchBackend
