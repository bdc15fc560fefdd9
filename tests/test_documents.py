"""What an indexed article is: words cut ahead travel with it and are used only while still right."""

from datetime import date
from types import SimpleNamespace

import pytest

from archive.search import documents, words
from archive.search.documents import IndexedArticle, cut

USER_WORDS = {"路长制", "警务广场"}


@pytest.fixture(autouse=True)
def user_words():
    words.sync_user_words(USER_WORDS)
    yield
    words.sync_user_words(USER_WORDS)


def article(title="三亚推行路长制", body="三亚市公安局推行路长制", **changes):
    """An Article as IndexedArticle.of reads it, without a database."""
    values = dict(pk=7, title=title, body=body, city_id=None, city=None, outlet="海南日报",
                  published_on=date(2016, 5, 3), initiatives=SimpleNamespace(all=lambda: []))
    return SimpleNamespace(**{**values, **changes})


def test_words_cut_ahead_by_a_worker_are_not_cut_again(monkeypatch):
    cut_text = cut("三亚推行路长制", "三亚市公安局推行路长制")
    monkeypatch.setattr(words, "words", lambda _: pytest.fail("cut again"))
    document = IndexedArticle.of(article(), cut_text)
    assert document.text == "三亚 推行 路长制 三亚市|三亚 公安局|公安 推行 路长制"
    assert document.title == "三亚 推行 路长制"


def test_words_cut_from_another_text_or_with_other_added_words_are_cut_again():
    cut_text = cut("开展护瓜行动", "开展护瓜行动")
    assert IndexedArticle.of(article("开展护瓜行动", "开展护瓜行动"), cut_text).text == cut_text.text
    assert IndexedArticle.of(article("开展护瓜行动", "民警开展护瓜行动"), cut_text).text != cut_text.text
    words.sync_user_words(USER_WORDS | {"护瓜行动"})
    assert "护瓜行动|行动" in IndexedArticle.of(article("开展护瓜行动", "开展护瓜行动"), cut_text).text.split()


def test_a_document_holds_its_facets_and_sort_keys():
    fields = IndexedArticle.of(article(outlet="海南 日报")).fields()
    assert fields["year"] == ["2016"] and fields["month"] == ["2016-05"]
    assert fields["outlet"] == ["海南日报"]
    assert fields["newest_first"] == fields["oldest_first"] == date(2016, 5, 3)
    undated = IndexedArticle.of(article(published_on=None)).fields()
    assert undated["year"] == undated["month"] == [] and undated["published_on"] is None
    assert undated["newest_first"] == documents.UNDATED_NEWEST and undated["oldest_first"] == documents.UNDATED_OLDEST


def test_index_entries_name_their_article():
    assert documents.article_id_of(documents.entry_id(12)) == 12
    assert documents.article_id_of("archive.city.3") is None
    assert documents.article_id_of("archive.article.x") is None
