"""The Elasticsearch backend's index settings, mapping and search requests, checked without a server.

No Elasticsearch server runs here: these tests read the analyzer definition the backend sends when
it creates the index, and play it through as Elasticsearch documents its whitespace tokenizer and
its pattern_capture and stop filters, against the Whoosh tokenizer on the same indexed text.
"""

import re

import pytest
from haystack import connections
from haystack.inputs import Clean, Exact
from haystack.query import SQ

from archive import text
from archive.search_indexes import WORDS

elasticsearch = pytest.importorskip(
    "elasticsearch", reason='the Elasticsearch client is not installed (pip install "elasticsearch>=7,<8")'
)
if not (7,) <= elasticsearch.__version__ < (8,):
    pytest.skip("haystack's Elasticsearch 7 backend needs elasticsearch>=7,<8", allow_module_level=True)

# Both import the client, so only once it is known to be there.
from haystack.backends.elasticsearch7_backend import Elasticsearch7SearchBackend  # noqa: E402

from archive.search_backend_elasticsearch import (  # noqa: E402
    WORDS_ANALYZER,
    ArchiveElasticsearchBackend,
    ArchiveElasticsearchEngine,
)


@pytest.fixture
def backend():
    return ArchiveElasticsearchBackend("default", URL="http://127.0.0.1:9200/", INDEX_NAME="archive")


def analyse(index_settings: dict, value: str) -> list[tuple[str, int]]:
    """(term, position) pairs, as Elasticsearch's archive_words analyzer would make them from value."""
    analysis = index_settings["settings"]["analysis"]
    analyzer = analysis["analyzer"][WORDS_ANALYZER]
    assert analyzer["tokenizer"] == "whitespace"
    tokens = [(word, position) for position, word in enumerate(value.split())]
    for name in analyzer["filter"]:
        spec = analysis["filter"][name]
        if spec["type"] == "pattern_capture":
            # Every non-empty group of every match, at the token's position; the token itself when
            # nothing matched or when asked to keep it.
            captured = []
            for term, position in tokens:
                pieces = [group for pattern in spec["patterns"] for match in re.finditer(pattern, term)
                          for group in match.groups() if group]
                if spec["preserve_original"] or not pieces:
                    pieces.insert(0, term)
                captured += [(piece, position) for piece in pieces]
            tokens = captured
        elif spec["type"] == "stop":
            tokens = [(term, position) for term, position in tokens if term not in spec["stopwords"]]
        else:
            pytest.fail(f"no model here of the {spec['type']} filter")
    return tokens


def whoosh_tokens(value: str) -> list[tuple[str, int]]:
    return [(token.text, token.pos) for token in WORDS(value, positions=True)]


@pytest.mark.parametrize("value", [
    "公安局长|公安|局长|公安局 民警 | 路长制",
    "三亚 | | 路长制|路长 警务广场|警务|广场",
])
def test_the_analyzer_reads_indexed_text_as_the_whoosh_tokenizer(backend, value):
    assert analyse(backend.DEFAULT_SETTINGS, value) == whoosh_tokens(value)


def test_the_analyzer_reads_the_text_module_output_as_the_whoosh_tokenizer(backend):
    value = text.indexed_form(text.words("三亚市公安局局长带领民警推行路长制，警务广场向群众开放。"),
                              apart=["路长制", "五小民生警务"])
    assert text.INNER_WORD_MARK in value
    tokens = analyse(backend.DEFAULT_SETTINGS, value)
    assert tokens == whoosh_tokens(value)
    assert ("公安", dict(tokens)["公安局"]) in tokens  # an inner word shares its word's position


def test_index_settings_keep_haystack_analyzers_and_add_ours(backend):
    analysis = backend.DEFAULT_SETTINGS["settings"]["analysis"]
    assert {"ngram_analyzer", "edgengram_analyzer", WORDS_ANALYZER} <= set(analysis["analyzer"])
    assert analysis["filter"]["archive_inner_words"] == {
        "type": "pattern_capture", "patterns": ["([^|]+)"], "preserve_original": False,
    }
    # haystack's own backend is left as it was.
    assert WORDS_ANALYZER not in Elasticsearch7SearchBackend.DEFAULT_SETTINGS["settings"]["analysis"]["analyzer"]


def test_mapping_reads_words_with_our_analyzer_and_filters_as_keywords(backend):
    fields = connections["default"].get_unified_index().all_searchfields()
    content_field, mapping = backend.build_schema(fields)
    assert content_field == "text"
    assert mapping["text"] == {"type": "text", "analyzer": WORDS_ANALYZER}
    assert mapping["title"] == {"type": "text", "analyzer": WORDS_ANALYZER, "boost": 3.0}
    for name in ("city", "province", "initiatives", "outlet", "year", "django_ct", "django_id"):
        assert mapping[name] == {"type": "keyword"}, name
    for name in ("published_on", "newest_first", "oldest_first"):
        assert mapping[name] == {"type": "date"}, name


def test_search_requests_every_facet_value_and_an_exact_count(backend):
    kwargs = backend.build_search_kwargs("(text:(公安))", facets={"city": {"limit": -1}, "year": {"limit": 5}})
    assert kwargs["aggs"]["city"]["terms"] == {"field": "city", "size": 10_000}
    assert kwargs["aggs"]["year"]["terms"] == {"field": "year", "size": 5}
    assert kwargs["track_total_hits"] is True


def test_queries_send_whole_words_for_the_analyzer_to_read():
    query = ArchiveElasticsearchEngine.query(using="default")
    query.add_filter(SQ(text=Clean("公安局")) & SQ(title=Exact("警务 广场")))
    query.add_filter(SQ(city=Clean("12")))
    assert query.build_query() == '(text:(公安局) AND title:("警务 广场") AND city:(12))'
