"""The query language means what it says: what cannot be searched finds nothing and says what to type."""

import io
import random

import pytest
from django.core.management import call_command

from archive.ingest.script import to_traditional
from archive.models import Article
from archive.search import words
from archive.search.documents import IndexedArticle
from archive.search.query import parse
from archive.search.service import SearchParams, search

pytestmark = pytest.mark.django_db




def holding(fixture_articles, word: str) -> set[int]:
    return {article.pk for article in fixture_articles if word in words.normalise(article.title + "\n" + article.body)}


def found(q: str, **filters) -> set[int]:
    return {hit.article.pk for hit in search(SearchParams(q=q, **filters), page_size=100).hits}


@pytest.mark.parametrize("q", ["%", "OR", '"', "- -", "“”", "…！？", "OR OR"])
def test_punctuation_or_operators_alone_find_nothing_and_say_what_to_type(fixture_articles, q):
    results = search(SearchParams(q=q))
    assert results.count == 0 and not results.hits
    assert any("没有可检索的字词" in note for note in results.notes), results.notes


def test_an_exclusion_alone_finds_nothing_and_says_what_to_type(fixture_articles):
    assert holding(fixture_articles, "公安") == {article.pk for article in fixture_articles}, "every fixture holds 公安"
    results = search(SearchParams(q="-公安"))
    assert results.count == 0
    assert any("只有要排除的词" in note for note in results.notes)


def test_an_exclusion_alone_with_a_filter_narrows_that_filters_articles(fixture_articles):
    city = fixture_articles.exclude(city=None).first().city
    in_city = {article.pk for article in fixture_articles if article.city_id == city.pk}
    word = next(word for word in ("派出所", "治安", "群众", "民警") if holding(fixture_articles, word) & in_city)
    expected = in_city - holding(fixture_articles, word)
    assert found(f"-{word}", city=city.slug) == expected
    assert search(SearchParams(q=f"-{word}", city=city.slug)).count == len(expected)


def test_full_width_forms_and_chinese_quotes_read_as_their_ascii_twins(fixture_articles):
    expected = holding(fixture_articles, "公安") - holding(fixture_articles, "派出所")
    assert found("公安 －派出所") == found("公安 -派出所") == expected
    phrase = found('"警务 广场"')
    assert phrase
    for typed in ("＂警务 广场＂", "“警务 广场”", "「警务 广场」", "『警务 广场』"):
        assert found(typed) == phrase, typed
        assert parse(typed).terms()[0].phrase


def test_a_query_not_run_as_typed_says_how_it_was_read():
    assert parse('"警务 广场').notes == ["引号不成对，已按普通字词检索。"]
    assert "“OR”前面没有词，已忽略。" in parse("OR 公安").notes
    assert "“OR”后面没有词，已忽略。" in parse("公安 OR").notes
    assert any("只用了前 200 个字符" in note for note in parse("公安 " * 150).notes)
    assert parse("三亚 路长制").notes == []


def test_the_page_and_the_api_show_the_notes(fixture_articles, client):
    page = client.get("/search/", {"q": "-公安"}).content.decode()
    assert "只有要排除的词" in page and "0 篇文章" in page
    answer = client.get("/api/search", {"q": "%"}).json()
    assert answer["count"] == 0 and any("没有可检索的字词" in note for note in answer["notes"])


def positions(article, word: str) -> list[int]:
    """Where a word stands in an article's index words (inner words at their word's position)."""
    indexed = IndexedArticle.of(article).text.split(" ")
    return [number for number, chunk in enumerate(indexed) if word in chunk.split("|")]


def near_in(article, first: str, second: str, distance: int) -> bool:
    return any(abs(a - b) <= distance + 1 for a in positions(article, first) for b in positions(article, second))


@pytest.mark.parametrize("distance", [1, 3, 10, 40])
def test_near_finds_the_words_at_most_that_many_words_apart_in_either_order(fixture_articles, distance):
    pairs = [("公安", "群众"), ("派出所", "民警"), ("路长制", "交通"), ("治安", "民警")]
    checked = 0
    for first, second in pairs:
        expected = {article.pk for article in fixture_articles if near_in(article, first, second, distance)}
        assert found(f"{first} NEAR/{distance} {second}") == expected, (first, second)
        assert found(f"{second} NEAR/{distance} {first}") == expected, "either order"
        checked += bool(expected) and expected != holding(fixture_articles, first) & holding(fixture_articles, second)
    assert checked or distance > 10, "some pair is in some article but not near"


def test_near_without_a_number_means_ten_words():
    term = parse("路长制 NEAR 交通").terms()[0]
    assert term.near == 10 and term.text == "路长制 交通"
    assert parse("路长制 NEAR/3 交通 OR 警务").groups[0][0].near == 3
    assert "“NEAR”前面没有词，已忽略。" in parse("NEAR 交通").notes


@pytest.mark.parametrize("q", ["公安", "局长", "群众", "民生警务", "五小"])
def test_headlines_holding_the_word_rank_above_texts_holding_it(fixture_articles, q):
    hits = [hit.article for hit in search(SearchParams(q=q), page_size=100).hits]
    ranks = [0 if words.normalise(q) in words.normalise(article.title) else 1 for article in hits]
    assert ranks == sorted(ranks), [(article.title, rank) for article, rank in zip(hits, ranks, strict=True)]


def test_matches_rank_by_tier_then_score_then_article_id(fixture_articles):
    from haystack import connections

    from archive.search.interface import AllOf, Near, Phrase, Request, Word

    backend = connections["default"].get_backend()
    match = AllOf((Word("公安"), Word("局长")))
    tiers = (AllOf((Word("公安", "title"), Word("局长", "title"))), Phrase(("公安", "局长")),
             Near(("公安", "局长"), 10))
    view = backend.view()
    docnums, scores, _, _ = view.find(Request(match=match, tiers=tiers))
    ranks = view.tiers(tiers, docnums).tolist()
    ids = view.article_ids()[docnums].tolist()
    keys = list(zip(ranks, [-score for score in scores.tolist()], ids, strict=True))
    assert keys == sorted(keys) and len(set(ranks)) > 1


# Each article a sentence of its own; the headline differs so that near-duplicates are not suspected.
NUMBERED = {
    "emergency.txt": "群众遇险拨打110报警，民警五分钟赶到现场处置。",
    "house.txt": "该小区共有1100户居民，社区民警逐户走访登记。",
    "shift.txt": "派出所实行5+2工作制，周末也有民警值守窗口。",
    "split.txt": "民警每周工作5天，轮休2天，其余时间参加培训。",
    "triple.txt": "交警推行3+3错峰上岗，早晚高峰路口各站三小时。",
    "summit.txt": "杭州公安圆满完成G20峰会安保任务，获得表彰。",
    "record.txt": "民警上门讲解ICP许可制度，帮助商户规范经营网站。",
}


@pytest.fixture
def numbered(search_index, tmp_path):
    from .test_commands import write

    for number, (name, sentence) in enumerate(NUMBERED.items()):
        write(tmp_path, name, f"第{number}篇 {sentence[:12]}\n\n{sentence}\n\n{sentence}这是第{number}篇报道的正文。\n")
    call_command("import_dumps", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    return {article.source_name: article.pk for article in Article.objects.all()}


@pytest.mark.parametrize(("q", "names"), [
    ("110", {"emergency.txt"}), ("1100", {"house.txt"}), ("5+2", {"shift.txt"}), ("3+3", {"triple.txt"}),
    ("G20", {"summit.txt"}), ("g20", {"summit.txt"}), ("ＧＴ20", set()), ("Ｇ２０", {"summit.txt"}),
    ("ICP", {"record.txt"}), ("icp", {"record.txt"}),
])
def test_tokens_with_digits_or_symbols_match_only_where_they_stand(numbered, q, names):
    assert found(q) == {numbered[name] for name in names}


@pytest.mark.parametrize("character", ["警", "鹰", "安", "務", "區"])
def test_one_character_finds_every_article_holding_it_in_either_script(fixture_articles, character):
    expected = holding(fixture_articles, words.normalise(character))
    assert found(character) == expected
    assert found(to_traditional(character)) == expected == found(words.normalise(character))


def test_one_character_standing_alone_or_in_the_headline_ranks_above_one_inside_a_longer_word(fixture_articles):
    character = "警"
    hits = [hit.article for hit in search(SearchParams(q=character), page_size=100).hits]

    def rank(article):
        if character in words.normalise(article.title):
            return 0
        return 1 if character in words.words(article.title + "\n" + article.body) else 2

    ranks = [rank(article) for article in hits]
    assert ranks == sorted(ranks) and len(hits) == len(holding(fixture_articles, character))


def indexed_characters(text: str) -> str:
    """A text as a quoted string is compared with it: folded, spaces and punctuation left out."""
    return "".join(words.words(text))


def quotable_substrings(articles, count: int, seed: int):
    """Random substrings of 2 to 12 characters of random articles, each with its article, at least
    two of them characters the index holds and none a quote mark."""
    chooser = random.Random(seed)
    found = []
    while len(found) < count:
        article = chooser.choice(articles)
        text = article.title + "\n" + article.body
        size = chooser.randint(2, 12)
        start = chooser.randrange(0, len(text) - size)
        piece = text[start : start + size]
        if not QUOTE_MARKS.intersection(piece) and len(indexed_characters(piece)) >= 2:
            found.append((article, piece))
    return found


QUOTE_MARKS = set('"“”「」『』＂')


@pytest.mark.parametrize("script", ["as written", "simplified", "traditional"])
def test_a_quoted_string_finds_every_article_holding_it_exactly_however_it_was_cut(fixture_articles, script):
    articles = list(fixture_articles.prefetch_related("initiatives"))
    convert = {"as written": str, "simplified": words.normalise, "traditional": to_traditional}[script]
    for article, piece in quotable_substrings(articles, 120, seed=len(script)):
        quoted = convert(piece)
        hits = {hit.article.pk: hit.article
                for hit in search(SearchParams(q=f'"{quoted}"'), page_size=100).hits}
        assert article.pk in hits, f"{quoted!r} ({piece!r}) did not find article {article.pk}"
        wanted = indexed_characters(quoted)
        for hit in hits.values():  # and nothing that does not hold it (an initiative's name is indexed too)
            held = [indexed_characters(hit.title + "\n" + hit.body)]
            held += [words.normalise(name) for initiative in hit.initiatives.all() for name in initiative.all_names()]
            assert any(wanted in each for each in held), f"{quoted!r} found article {hit.pk}, which does not hold it"


def test_a_quoted_string_is_found_across_words_and_not_from_a_word_inside_a_longer_one(fixture_articles):
    article = fixture_articles.get(title__contains="公安局局長")
    assert "公安局局长" in indexed_characters(article.title)
    assert article.pk in found('"安局局"')  # the end of one word, the start of the next
    assert article.pk in found('"局局長"')
    assert not found('"公安局长"') & holding(fixture_articles, "公安局局长") - holding(fixture_articles, "公安局长")
