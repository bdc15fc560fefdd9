"""Chinese full-text search: segmentation, script folding, the query language, an always-current index."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from haystack.inputs import Exact
from haystack.query import SearchQuerySet

from archive.models import Article, Initiative
from archive.search import words as text
from archive.search.engine.storage import WORDS
from archive.search.service import SearchParams, related_articles, search

from .conftest import DUMPS, requires_dumps

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run_import(path):
    call_command("import_dumps", str(path), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def hits(q="", **filters) -> list[str]:
    return [hit.article.title for hit in search(SearchParams(q=q, **filters)).hits]


def indexed_ids() -> set[int]:
    return {int(result.pk) for result in SearchQuerySet().models(Article).all()[:10_000]}


@pytest.fixture
def dumps(search_index):
    run_import(DUMPS)
    return {article.source_name: article for article in Article.objects.all()}


@pytest.fixture
def fixtures(search_index):
    run_import(FIXTURES)
    return Article.objects.all()


@requires_dumps
@pytest.mark.parametrize(
    ("name", "simplified", "traditional"),
    [
        ("000_38fcf2cc97444873.txt", "路长制", "路長制"),
        ("000_38fcf2cc97444873.txt", "三亚", "三亞"),
        ("001_1dde925a2c6de01f.txt", "赶场警务", "趕場警務"),
        ("001_1dde925a2c6de01f.txt", "简阳", "簡陽"),
        ("002_844caa96ac880f2d.txt", "五小民生警务", "五小民生警務"),
        ("002_844caa96ac880f2d.txt", "鹰潭", "鷹潭"),
        ("003_e27f11ea6634a667.txt", "枫桥经验", "楓橋經驗"),
        ("003_e27f11ea6634a667.txt", "警务广场", "警務廣場"),
        ("004_b6bfc38f1cd3b99a.txt", "网上公安局", "網上公安局"),
        ("004_b6bfc38f1cd3b99a.txt", "台州", "臺州"),
    ],
)
def test_each_dump_is_found_first_in_either_script(dumps, name, simplified, traditional):
    for query in (simplified, traditional):
        assert hits(query)[0] == dumps[name].title, query


@requires_dumps
def test_import_leaves_the_index_holding_exactly_the_articles(dumps):
    assert indexed_ids() == set(Article.objects.canonical().values_list("pk", flat=True))
    assert not Article.objects.filter(needs_indexing=True).exists()


def test_names_of_places_and_initiatives_are_never_split():
    text.sync_user_words({"路长制", "飞鹭支队", "警保联控", "五小民生警务"})
    for name in ["路长制", "飞鹭支队", "警保联控", "五小民生警务", "路長制", "飛鷺支隊", "警保聯控", "三亚市", "简阳"]:
        assert text.words(name) == [text.normalise(name)], name


def test_documents_hold_words_each_followed_by_the_shorter_words_inside_it():
    assert text.indexed_form(text.words("三亚市公安局局长")) == "三亚市|三亚 公安局|公安 局长"


def test_the_index_gives_inner_words_the_position_of_their_word():
    tokens = [(token.text, token.pos) for token in WORDS("三亚市|三亚 公安局|公安 局长 | 路长制", positions=True)]
    assert tokens == [("三亚市", 0), ("三亚", 0), ("公安局", 1), ("公安", 1), ("局长", 2), ("路长制", 4)]


def test_names_added_to_a_text_stand_apart_from_it_and_each_other():
    assert text.indexed_form(["民警"], apart=["路长制", "警务广场"]) == "民警 | 路长制 | 警务广场|警务|广场"


def test_a_phrase_of_two_words_does_not_match_the_one_word_they_make(fixtures):
    article = fixtures.get(title__contains="警务广场")
    assert "警务广场" in text.words(article.title)
    phrase_hits = {int(result.pk) for result in SearchQuerySet().filter(text=Exact("警务 广场"))}
    word_hits = {int(result.pk) for result in SearchQuerySet().filter(text=Exact("警务广场"))}
    assert article.pk in word_hits
    assert article.pk not in phrase_hits


def test_a_word_finds_the_longer_words_it_is_part_of(fixtures):
    assert hits("公安"), "公安 finds articles that only say 公安局"
    assert set(hits("公安")) >= set(hits("公安局"))


def test_phrase_matches_words_in_order_only(fixtures):
    article = fixtures.get(title__contains="警务广场")
    assert article.title in hits('"警务 广场"')
    assert article.title not in hits('"广场 警务"')


def test_or_takes_either_word_and_plain_words_need_both(fixtures):
    road, square = hits("路长制"), hits("警务广场")
    assert road and square
    assert set(hits("路长制 OR 警务广场")) == set(road) | set(square)
    assert set(hits("路长制 警务广场")) == set(road) & set(square)


def test_minus_excludes_a_word(fixtures):
    everything, with_road = set(hits("公安")), set(hits("公安 路长制"))
    assert with_road
    assert set(hits("公安 -路长制")) == everything - with_road


def test_title_prefix_searches_only_the_headline(fixtures):
    for article in fixtures:
        word = text.words(article.title)[0]
        found = search(SearchParams(q=f"title:{word}"))
        assert article.title in [hit.article.title for hit in found.hits]
        for hit in found.hits:
            assert word in text.normalise(hit.article.title)


def test_headline_matches_rank_above_body_matches(fixtures):
    in_title = fixtures.get(title__contains="警务广场")
    assert hits("警务广场")[0] == in_title.title


def test_editing_a_title_in_the_admin_makes_it_findable_at_once(
    admin_client, fixtures, django_capture_on_commit_callbacks
):
    article = fixtures.first()
    response = admin_client.get(f"/admin/archive/article/{article.pk}/change/")
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["title"] = "护瓜行动让瓜农安心"
    data["authors"] = '[]'
    for prefix in ("officials", "comments"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/admin/archive/article/{article.pk}/change/", data)

    assert hits("护瓜行动") == ["护瓜行动让瓜农安心"]


def test_deleting_an_article_removes_it_from_the_index(fixtures, django_capture_on_commit_callbacks):
    article = fixtures.get(title__contains="警务广场")
    with django_capture_on_commit_callbacks(execute=True):
        article.delete()
    assert article.title not in hits("警务广场")
    assert indexed_ids() == set(Article.objects.canonical().values_list("pk", flat=True))


def test_confirming_an_initiative_makes_its_name_one_searchable_word(
    admin_client, fixtures, django_capture_on_commit_callbacks
):
    article = fixtures.first()
    article.body += "\n\n公安局推出了“护瓜行动”,保护瓜农利益。"
    with django_capture_on_commit_callbacks(execute=True):
        article.save()  # indexed while 护瓜行动 is no word yet: 护瓜 + 行动
    candidate = Initiative.objects.create(name="护瓜行动", slug="huguaxingdong", confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/admin/archive/initiative/", {"action": "confirm", "_selected_action": [candidate.pk]})
    assert text.words("护瓜行动") == ["护瓜行动"]
    assert article.title in hits("护瓜行动")


def test_rebuild_and_update_index_commands_work(fixtures):
    call_command("rebuild_index", interactive=False, verbosity=0)
    assert indexed_ids() == set(Article.objects.canonical().values_list("pk", flat=True))
    call_command("update_index", verbosity=0)
    assert indexed_ids() == set(Article.objects.canonical().values_list("pk", flat=True))


def test_related_articles_leave_out_the_article_and_its_near_duplicates(tmp_path, search_index):
    source = (FIXTURES / "bare.txt").read_text(encoding="utf-8")
    folder = tmp_path / "dumps"
    folder.mkdir()
    for fixture in FIXTURES.glob("*.txt"):
        (folder / fixture.name).write_bytes(fixture.read_bytes())
    (folder / "zz-bare-repost.txt").write_text("close\n\n" + source + "\n全站热搜\n", encoding="utf-8")
    run_import(folder)

    first = Article.objects.get(source_name="bare.txt")
    repost = Article.objects.get(source_name="zz-bare-repost.txt")
    assert repost.near_duplicate_of == first
    related = related_articles(first)
    assert related
    assert first not in related and repost not in related
