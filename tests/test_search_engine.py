"""The Whoosh engine's array reading against Whoosh's own: the same documents, scores and order.

And the engine interface: requests as structures, every matching id in rank order, facets that
leave out their own filter, per-month counts, more-like-this, entries, cancel.
"""


import numpy as np
import pytest
from haystack import connections
from whoosh.formats import Positions
from whoosh.query import And, Or, Phrase, Term

from archive.models import Article
from archive.search import interface, words
from archive.search.documents import IndexedArticle, entry_id
from archive.search.engine.reading import position_keys
from archive.search.engine.storage import WORDS, MarkedPositions
from archive.search.indexing import index_articles
from archive.search.interface import AllOf, AnyOf, Request, Word

pytestmark = pytest.mark.django_db




@pytest.fixture
def segmented(fixture_articles):
    """The fixture articles with three of them written again: several segments, deleted documents in the first."""
    for article in list(fixture_articles)[:3]:
        index_articles([article.pk])
    backend = connections["default"].get_backend()
    view = backend.view()
    assert len(view.segments) > 1 and view.searcher.reader().has_deletions()
    return backend


def whoosh_query(match):
    """The same match as a Whoosh query, for Whoosh's own collector."""
    if isinstance(match, Word):
        return Term(match.field, match.text)
    if isinstance(match, interface.Phrase):
        return Phrase(match.field, list(match.words))
    parts = [whoosh_query(part) for part in match.parts]
    return And(parts) if isinstance(match, AllOf) else Or(parts)


MATCHES = [
    Word("公安"), Word("公安", "title"), Word("没有这个词"),
    AllOf((Word("民警"), Word("群众"))), AllOf((Word("公安"), Word("民警"), Word("群众"))),
    AllOf((Word("公安"), Word("民警"), Word("群众"), Word("服务"))),
    AnyOf((Word("路长制"), Word("警务广场"))), AnyOf((Word("路长制"), Word("警务广场"), Word("五小"))),
    interface.Phrase(("警务", "广场")), interface.Phrase(("公安", "没有这个词")),
    AnyOf((interface.Phrase(("网上", "公安局")), Word("网上公安局"))),
    AllOf((interface.Phrase(("公安", "局长")), AnyOf((Word("群众"), Word("民警"))))),
]


@pytest.mark.parametrize("match", MATCHES, ids=repr)
def test_matches_scored_as_arrays_rank_as_whooshs_collector_ranks_them(segmented, match):
    view = segmented.view()
    docnums, scores, _, _ = view.find(Request(match=match))
    ours = list(zip(docnums.tolist(), scores.tolist(), strict=True))
    whoosh = [(docnum, score) for score, docnum in view.searcher.search(whoosh_query(match), limit=None).top_n]
    ids = view.article_ids()
    assert ours == sorted(whoosh, key=lambda hit: (-hit[1], ids[hit[0]])), "Whoosh's scores, ties by article id"


def test_phrases_match_the_same_documents_as_whooshs_own_phrase_query(fixture_articles):
    view = connections["default"].get_backend().view()
    checked = 0
    for article in fixture_articles:
        found = words.words(article.body)
        for start in range(0, min(len(found) - 2, 60), 7):
            for size in (2, 3):
                phrase = found[start : start + size]
                whoosh = set(view.searcher.docs_for_query(Phrase("text", phrase)))
                ours = set(view.matches(interface.Phrase(tuple(phrase)))[0].tolist())
                assert ours == whoosh, phrase
                checked += bool(ours)
    assert checked > 20


def test_filters_exclusions_and_sorts_give_what_whoosh_gives(segmented):
    view = segmented.view()
    city = str(Article.objects.canonical().exclude(city=None).first().city_id)
    request = Request(match=Word("公安"), exclude=(Word("交警"),), filters=(("city", (city,)),))
    docnums, _, _, _ = view.find(request)
    whoosh = view.searcher.search(And([Term("text", "公安"), Term("city", city)]), limit=None,
                                  mask=Term("text", "交警"))
    assert sorted(docnums.tolist()) == sorted(hit.docnum for hit in whoosh)

    for sort, column, reverse in ((interface.NEWEST, "newest_first", True), (interface.OLDEST, "oldest_first", False)):
        docnums, _, _, _ = view.find(Request(match=Word("公安"), sort=sort))
        keys, ids = list(view.searcher.reader().column_reader(column, translate=False)), view.article_ids()
        # Dates in order, articles of the same date by article id.
        expected = sorted(view.searcher.docs_for_query(Term("text", "公安")),
                          key=lambda docnum: (-keys[docnum] if reverse else keys[docnum], ids[docnum]))
        assert docnums.tolist() == expected


def test_every_matching_id_comes_in_rank_order_and_the_page_is_its_slice(fixture_articles):
    backend = connections["default"].get_backend()
    request = Request(match=Word("公安"))
    every = backend.matching_ids(request)
    assert sorted(every) == sorted(a.pk for a in fixture_articles if "公安" in words.normalise(a.title + a.body))
    assert backend.find(request).total == len(every)
    assert backend.find(Request(match=Word("公安"), start=2, end=5)).ids == every[2:5]


def test_facet_counts_can_leave_out_their_own_filter(fixture_articles):
    backend = connections["default"].get_backend()
    dated = fixture_articles.exclude(published_on=None)
    year = str(dated.first().published_on.year)
    narrowed = backend.find(Request(filters=(("year", (year,)),), facets=("year", "city")))
    assert narrowed.facets["year"] == [(year, dated.filter(published_on__year=year).count())]
    every_year = backend.find(Request(filters=(("year", (year,)),), facets=("year", "city"),
                                      facets_ignore_own_filter=True))
    assert sum(count for _, count in every_year.facets["year"]) == dated.count()
    assert every_year.facets["city"] == narrowed.facets["city"], "other facets keep the filter"
    assert every_year.total == narrowed.total


def test_months_are_counted_as_a_facet(fixture_articles):
    counted = dict(connections["default"].get_backend().find(Request(facets=("month",))).facets["month"])
    expected = {}
    for article in fixture_articles.exclude(published_on=None):
        key = f"{article.published_on:%Y-%m}"
        expected[key] = expected.get(key, 0) + 1
    assert counted == expected


def test_more_like_leaves_out_the_article_and_pages_past_the_first_ten(fixture_articles):
    backend = connections["default"].get_backend()
    article = fixture_articles.first()
    text = IndexedArticle.of(article).text
    similar = backend.more_like(article.pk, text, 10)
    assert similar and article.pk not in similar
    assert backend.more_like(article.pk, text, 2) == similar[:2]
    assert backend.more_like(10**9, text, 5) == []


def test_entries_name_every_indexed_article(fixture_articles):
    assert sorted(connections["default"].get_backend().entries()) == sorted(entry_id(a.pk) for a in fixture_articles)


def test_cancel_drops_what_was_written_since_the_commit(fixture_articles):
    backend = connections["default"].get_backend()
    article = fixture_articles.first()
    backend.delete([article.pk], commit=False)
    backend.cancel()
    assert entry_id(article.pk) in backend.entries()
    backend.delete([article.pk], commit=False)
    backend.commit()
    assert entry_id(article.pk) not in backend.entries()


def test_a_searcher_opened_before_a_rebuild_in_another_process_sees_the_rebuilt_index(fixture_articles):
    backend = connections["default"].get_backend()
    assert backend.find(Request(match=Word("公安"))).total
    # Another process's rebuild, as clear() and a new index at the same generation number leave it.
    other = type(backend)("default", **connections.connections_info["default"])
    other.clear()
    other.write([IndexedArticle.of(fixture_articles.first())])
    assert backend.view().searcher.reader().generation() == other.view().searcher.reader().generation()
    assert backend.find(Request()).total == 1


@pytest.mark.parametrize("positions", [[], [0], [3, 5, 200, 201], [7, 7], [10, 70_000]])
def test_positions_are_stored_and_read_back_exactly(positions):
    stored = MarkedPositions(field_boost=3.0).encode(positions)
    assert MarkedPositions().decode_positions(stored) == positions
    assert MarkedPositions(field_boost=3.0).decode_weight(stored) == 3.0 * len(positions)


@pytest.mark.parametrize("value", [
    "三亚市|三亚 公安局|公安 局长 | 路长制 公安局|公安",
    "公安局公安|公安|公安 | | 民警",
    " ".join(["民警"] * 70_000 + ["路长制"]),  # past 65,535 positions
])
def test_postings_read_straight_from_the_words_have_whooshs_own_positions_from_tokens(value):
    class TokensOnly:  # the same words, offering only tokens, as any Whoosh analyzer does
        def __call__(self, value, **options):
            return WORDS(value, **options)

    def decoded(values):
        return sorted((word, frequency, weight, stored.decode_positions(encoded))
                      for word, frequency, weight, encoded in values)

    stored = MarkedPositions(field_boost=3.0)
    assert decoded(stored.word_values(value, WORDS)) == decoded(Positions.word_values(stored, value, TokensOnly()))


def test_an_inner_word_is_marked_as_standing_inside_its_word():
    stored = MarkedPositions()
    values = {word: encoded for word, _, _, encoded in stored.word_values("公安局长|公安|局长 公安 民警", WORDS)}
    own = {word: position_keys(np.array([0]), [encoded], own_only=True).tolist() for word, encoded in values.items()}
    every = {word: position_keys(np.array([0]), [encoded]).tolist() for word, encoded in values.items()}
    assert every["公安"] == [0, 1] and own["公安"] == [1]
    assert every["局长"] == [0] and own["局长"] == []
    assert own["公安局长"] == [0] and own["民警"] == [2]


@pytest.mark.parametrize("stored", [[[1, 5], [3, 4]], [[1, 5], [3, 70_000]], [[65_536], [0, 2]]])
def test_positions_of_many_documents_are_read_at_once_as_each_alone(stored):
    docnums = [7, 9]
    values = [MarkedPositions().encode(each) for each in stored]
    expected = [docnum << 32 | position for docnum, each in zip(docnums, stored, strict=True) for position in each]
    assert position_keys(np.array(docnums), values).tolist() == expected


SHAPES = [
    {"q": "公安"}, {"q": "公安 民警"}, {"q": "公安 民警 群众"}, {"q": "公安 民警 群众 服务"},
    {"q": "公安 民警 群众 服务 社区"}, {"q": '"警务 广场"'}, {"q": '"公安 局长" "民生 警务"'}, {"q": '"公安局长"'},
    {"q": "路长制 OR 警保联控 -交警"}, {"q": "公安 -派出所 OR 治安"}, {"q": "警"}, {"q": "title:公安 民警"},
    {"q": "公安", "from": "2010"}, {"q": "公安", "from": "2010", "to": "2020", "sort": "newest"},
    {"city": "sanya"}, {"from": "2012"}, {"q": "公安", "sort": "oldest"}, {"q": "公安", "page": "3"},
    {"q": "-公安", "from": "2010"},
]


@pytest.mark.parametrize("params", SHAPES, ids=str)
def test_no_shape_of_search_falls_back_to_whooshs_one_document_at_a_time_collector(
        fixture_articles, client, monkeypatch, params):
    from whoosh import collectors, searching

    def refused(*args, **kwargs):
        raise AssertionError("Whoosh's collector was asked")

    monkeypatch.setattr(searching.Searcher, "search", refused)
    monkeypatch.setattr(searching.Searcher, "search_with_collector", refused)
    monkeypatch.setattr(collectors.Collector, "prepare", refused)
    assert client.get("/search/", params).status_code == 200
    assert client.get("/api/search", params).status_code == 200


def test_one_character_is_found_in_segments_written_after_the_first_search(fixture_articles):
    from archive.search.interface import Character

    backend = connections["default"].get_backend()
    before = set(backend.matching_ids(Request(match=Character("鹰"))))
    article = next(a for a in fixture_articles if "鹰" not in words.normalise(a.title + a.body))
    article.body += "\n鹰潭市公安局民警"
    backend.write([IndexedArticle.of(article)])  # a new segment; the others' words are kept
    assert set(backend.matching_ids(Request(match=Character("鹰")))) == before | {article.pk}


@pytest.mark.parametrize("q", ["公安", "公安 民警", "公安 群众 服务", "民警 群众", "警", "局长 群众"])
def test_a_page_is_the_slice_of_the_whole_ranking_though_later_tiers_are_read_only_when_needed(fixture_articles, q):
    from archive.search import service

    required, excluded = service._index_query(service.parse(q))
    request = Request(match=required, exclude=excluded, tiers=service._tiers(required))
    backend = connections["default"].get_backend()
    every = backend.matching_ids(request)
    for start, end in ((0, 1), (0, 2), (1, 3), (2, 5), (0, 7)):
        assert backend.find(Request(match=required, tiers=request.tiers, start=start, end=end)).ids == every[start:end]
