"""The search page, the JSON API and the CSV download, checked against the database.

Every test imports the small dumps in tests/fixtures into an empty index (the import indexes what it
imports) and compares what the three views answer with what the ORM says should match.
"""

import csv
import functools
import io
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive import views
from archive.export import FIELDS, csv_value
from archive.ingest.script import to_traditional
from archive.models import Article, Initiative
from archive.search import service as search_module
from archive.search.service import SearchParams

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"

API_KEYS = {"count", "partial", "refused", "notes", "page", "pages", "results", "facets"}
RESULT_KEYS = {"id", "title", "url", "published_on", "city", "province", "outlet", "initiatives", "snippet"}
FACET_KEYS = {"city", "initiative", "year", "outlet"}
PARAMETERS = ["q", "city", "province", "initiative", "outlet", "from", "to", "sort", "page"]

# Words whose index hits equal the articles containing them (in either script) in the fixtures.
QUERIES = ["", "警务", "治安"]

HIT_RE = re.compile(r'<a class="hit-title" href="/articles/(\d+)/')
COUNT_RE = re.compile(r'<h2 id="results-heading">(\d+) 篇文章</h2>')


@pytest.fixture
def articles(search_index):
    """The fixture dumps, imported and indexed."""
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    assert Article.objects.canonical().count() == 7
    return Article.objects.canonical()


@pytest.fixture
def page_size_3(monkeypatch):
    """Three hits a page, so that seven articles fill three pages."""
    monkeypatch.setattr(views, "search", functools.partial(search_module.search, page_size=3))


def api(client, **params) -> dict:
    response = client.get("/api/search", params)
    assert response.status_code == 200
    return response.json()


def api_ids(client, **params) -> list[int]:
    return [result["id"] for result in api(client, **params)["results"]]


def page_hits(client, **params) -> tuple[int, list[int]]:
    """The count and the article ids, in order, that the search page shows."""
    response = client.get("/search/", params)
    assert response.status_code == 200
    html = response.content.decode()
    return int(COUNT_RE.search(html).group(1)), [int(pk) for pk in HIT_RE.findall(html)]


def expected(q="", city="", province="", initiative="", outlet="", year_from=None, year_to=None):
    """What the database says a search should find, over the canonical articles."""
    found = Article.objects.canonical()
    if q:
        condition = Q()
        for form in {q, to_traditional(q)}:
            condition |= Q(title__contains=form) | Q(body__contains=form)
        found = found.filter(condition)
    if city:
        found = found.filter(city__slug=city)
    if province:
        found = found.filter(city__province=province)
    if initiative:
        found = found.filter(initiatives__slug=initiative, initiatives__confirmed=True)
    if outlet:
        found = found.filter(outlet=outlet)
    if year_from:
        found = found.filter(published_on__year__gte=year_from)
    if year_to:
        found = found.filter(published_on__year__lte=year_to)
    return found.distinct()


def expected_facets(found) -> dict[str, dict[str, int]]:
    found = list(found.select_related("city").prefetch_related("initiatives"))
    return {
        "city": dict(Counter(article.city.name for article in found if article.city)),
        "initiative": dict(Counter(i.shown_name for article in found for i in article.initiatives.all() if i.is_shown)),
        "year": dict(Counter(str(article.published_on.year) for article in found if article.published_on)),
        "outlet": dict(Counter(article.outlet for article in found if article.outlet)),
    }


def assert_api_shape(body: dict):
    assert set(body) == API_KEYS
    assert all(set(result) == RESULT_KEYS for result in body["results"])
    assert set(body["facets"]) == FACET_KEYS
    for values in body["facets"].values():
        assert all(isinstance(name, str) and isinstance(count, int) for name, count in values)


# 1. The shape of the API


def test_api_search_returns_exactly_the_documented_keys(client, articles):
    every_parameter = {name: "" for name in PARAMETERS}
    body = api(client, **{**every_parameter, "q": "警务"})
    assert_api_shape(body)
    assert body["count"] == 5
    assert (body["page"], body["pages"]) == (1, 1)
    assert all(len(pair) == 2 for values in body["facets"].values() for pair in values)


def test_api_search_result_describes_the_article(client, articles):
    article = articles.get(city__slug="sanya")
    [result] = api(client, q="三亚")["results"]
    assert result == {
        "id": article.pk,
        "title": article.title,
        "url": "http://testserver" + article.get_absolute_url(),
        "published_on": "2019-05-20",
        "city": "三亚",
        "province": "海南",
        "outlet": "海南日报",
        "initiatives": ["路长制"],
        "snippet": result["snippet"],
    }
    assert "三亚市公安局推行路长制" in result["snippet"]
    assert "<mark>" not in result["snippet"]


def test_api_article_returns_the_export_record(client, articles):
    for article in Article.objects.for_export():
        response = client.get(f"/api/articles/{article.pk}")
        assert response.status_code == 200
        assert set(response.json()) == set(FIELDS)
        assert response.json() == article.export_record()


def test_api_article_is_404_for_an_unknown_id(client, articles):
    assert client.get("/api/articles/999999").status_code == 404


# 2. The page and the API agree


@pytest.mark.parametrize("params", [
    {},
    {"q": "公安"},
    {"q": "警务", "sort": "oldest"},
    {"sort": "newest", "province": "浙江"},
    {"sort": "oldest"},
    {"q": "公安", "initiative": "luzhangzhi"},
    {"from": "2013", "sort": "oldest"},
    {"q": "路长制 OR 赶场警务", "sort": "newest"},
    {"q": "title:公安局"},
    {"q": "公安 -路长制", "outlet": "宣讲家"},
    {"q": "火星人"},
])
def test_page_and_api_show_the_same_hits_in_the_same_order(client, articles, params):
    body = api(client, **params)
    count, ids = page_hits(client, **params)
    assert count == body["count"]
    assert ids == [result["id"] for result in body["results"]]


def test_page_and_api_show_the_same_page_of_hits(client, articles, page_size_3):
    for params in [{"page": "2"}, {"q": "公安", "page": "3", "sort": "oldest"}, {"q": "公安", "page": "9"}]:
        body = api(client, **params)
        count, ids = page_hits(client, **params)
        assert (count, ids) == (body["count"], [result["id"] for result in body["results"]])
        assert len(ids) in (1, 3)


# 3. Filters narrow to exactly what the database says


FILTERS = [
    {"city": "jiaxing"},
    {"city": "zunyi"},
    {"province": "浙江"},
    {"province": "海南"},
    {"initiative": "luzhangzhi"},
    {"initiative": "ganchangjingwu"},
    {"outlet": "人民公安报"},
    {"outlet": "宣讲家"},
    {"from": "2013"},
    {"to": "2015"},
    {"from": "2013", "to": "2015"},
    {"province": "海南", "initiative": "luzhangzhi"},
    {"province": "浙江", "outlet": "宣讲家"},
    {"city": "zunyi", "from": "2015", "to": "2015"},
    {"initiative": "ganchangjingwu", "to": "2014"},
    {"province": "贵州", "initiative": "ganchangjingwu", "outlet": "人民公安报", "from": "2010", "to": "2020"},
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda filters: "&".join(f"{k}={v}" for k, v in filters.items()))
def test_filters_narrow_to_exactly_the_matching_articles(client, articles, filters):
    database_filters = {
        key: value for key, value in filters.items() if key in ("city", "province", "initiative", "outlet")
    }
    years = {"year_from": filters.get("from"), "year_to": filters.get("to")}
    for q in QUERIES:
        want = set(expected(q, **database_filters, **years).values_list("pk", flat=True))
        if not q:
            assert want, "every filter matches some fixture article"
        body = api(client, q=q, **filters)
        assert sorted(result["id"] for result in body["results"]) == sorted(want), q
        assert body["count"] == len(want), q


@pytest.mark.parametrize("q", QUERIES + ["路长制", "公安 OR 治安"])
def test_a_query_alone_finds_the_articles_that_contain_it(client, articles, q):
    if " OR " in q:
        want = set(expected("公安").values_list("pk", flat=True)) | set(expected("治安").values_list("pk", flat=True))
    else:
        want = set(expected(q).values_list("pk", flat=True))
    body = api(client, q=q)
    assert {result["id"] for result in body["results"]} == want
    assert body["count"] == len(want)


@pytest.mark.parametrize("unknown", [
    {"city": "nowhere"},
    {"province": "火星"},
    {"initiative": "no-such-initiative"},
    {"outlet": "不存在的报纸"},
    {"from": "2030"},
    {"to": "1990"},
    {"city": "sanya", "province": "浙江"},
])
def test_unknown_filter_values_give_no_hits_not_an_error(client, articles, unknown):
    for q in QUERIES:
        body = api(client, q=q, **unknown)
        assert (body["count"], body["results"], body["page"], body["pages"]) == (0, [], 1, 1), q
        assert body["facets"] == {"city": [], "initiative": [], "year": [], "outlet": []}, q
        page = client.get("/search/", {"q": q, **unknown})
        assert page.status_code == 200
        assert "没有找到" in page.content.decode()


def test_an_unconfirmed_initiative_below_the_shown_score_is_not_a_filter(client, articles):
    candidate = Initiative.objects.create(name="护瓜行动", slug="huguaxingdong", confirmed=False, score=0.2)
    candidate.articles.add(articles.first())
    for q in QUERIES:
        assert api(client, q=q, initiative="huguaxingdong")["count"] == 0


@pytest.mark.parametrize("malformed", [
    {"from": "abc"},
    {"to": "20x5"},
    {"from": "99999", "to": "-1"},
    {"from": "", "to": " "},
    {"page": "x"},
    {"page": "0"},
    {"page": "-3"},
    {"page": "1e3"},
    {"page": "99999999999999999999"},
    {"sort": "sideways"},
])
def test_malformed_years_pages_and_sorts_are_ignored(client, articles, malformed):
    for q in QUERIES:
        assert api(client, q=q, **malformed) == api(client, q=q), q
        assert page_hits(client, q=q, **malformed) == page_hits(client, q=q), q


# 4. Facet counts equal database counts


@pytest.mark.parametrize("params", [
    {"q": "警务"},
    {"q": "治安"},
    {"q": "公安", "province": "海南"},
    {"q": "", "province": "浙江"},
    {"q": "", "initiative": "luzhangzhi"},
    {"q": "", "initiative": "shequjingwu"},
    {"q": "", "from": "2012", "to": "2019"},
    {"q": ""},
])
def test_facet_counts_equal_database_counts(client, articles, params):
    filters = {key: params[key] for key in ("province", "initiative") if key in params}
    years = {"year_from": params.get("from"), "year_to": params.get("to")}
    want = expected_facets(expected(params["q"], **filters, **years))
    facets = api(client, **params)["facets"]
    assert {name: dict(values) for name, values in facets.items()} == want


def test_year_facet_is_newest_first_and_others_by_count(client, articles):
    facets = api(client)["facets"]
    assert [year for year, _ in facets["year"]] == ["2019", "2015", "2012"]
    for name in ("city", "initiative", "outlet"):
        counts = [count for _, count in facets[name]]
        assert counts == sorted(counts, reverse=True), name


# 5. Sorting and pagination


@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_sort_orders_by_date_with_undated_articles_last(client, articles, sort):
    by_id = {article.pk: article.published_on for article in articles}
    for q in ["", "公安", "警务"]:
        dates = [by_id[pk] for pk in api_ids(client, q=q, sort=sort)]
        dated = [day for day in dates if day is not None]
        assert dated, "the fixtures have dated articles"
        assert len(dates) > len(dated), "and undated ones"
        assert dates == sorted(dated, reverse=sort == "newest") + [None] * (len(dates) - len(dated)), q


@pytest.mark.parametrize("q", ["", "公安"])
def test_pages_split_the_hits_and_a_page_beyond_the_last_gives_the_last(client, articles, page_size_3, q):
    first, second, third = (api(client, q=q, sort="newest", page=page) for page in ("1", "2", "3"))
    assert [body["pages"] for body in (first, second, third)] == [3, 3, 3]
    assert [body["page"] for body in (first, second, third)] == [1, 2, 3]
    ids = [result["id"] for body in (first, second, third) for result in body["results"]]
    assert [len(body["results"]) for body in (first, second, third)] == [3, 3, 1]
    assert sorted(ids) == sorted(articles.values_list("pk", flat=True))

    beyond = api(client, q=q, sort="newest", page="50")
    assert (beyond["page"], beyond["pages"], beyond["results"]) == (3, 3, third["results"])
    page = client.get("/search/", {"q": q, "page": "50"}).content.decode()
    assert "第 3 / 3 页" in page


def test_pages_is_the_number_of_pages_of_hits(client, articles, page_size_3):
    for params, pages in [
        ({"q": "路长制"}, 1),
        ({"province": "海南"}, 1),
        ({"province": "浙江", "q": "公安"}, 1),
        ({"q": "警务"}, 2),
        ({"q": "公安"}, 3),
        ({"q": "火星人"}, 1),
        ({"city": "nowhere"}, 1),
    ]:
        body = api(client, **params)
        assert body["pages"] == pages, params
        assert body["pages"] == max(1, -(-body["count"] // 3)), params


# 6. CSV download


def csv_bytes(response) -> bytes:
    assert response.streaming  # read a chunk at a time, never built whole in memory
    body = b"".join(response.streaming_content)
    response.close()  # as the server does once it is sent: the export's slot is let go
    return body


def test_csv_has_the_export_header_and_one_row_per_hit_of_every_page(client, articles, page_size_3):
    for params in [{"q": "公安"}, {}, {"q": "警务", "sort": "oldest"}, {"province": "浙江"}]:
        pages = api(client, **params)["pages"]
        ids = [pk for page in range(1, pages + 1) for pk in api_ids(client, **params, page=str(page))]

        response = client.get("/search.csv", {**params, "page": "2"})
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="search-results.csv"'
        body = csv_bytes(response)
        assert body.startswith(b"\xef\xbb\xbf")

        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
        assert rows[0] == FIELDS
        assert [int(row[0]) for row in rows[1:]] == ids, params


def test_csv_rows_are_the_export_records(client, articles):
    response = client.get("/search.csv", {"q": "警务"})
    rows = list(csv.DictReader(io.StringIO(csv_bytes(response).decode("utf-8-sig"), newline="")))
    assert len(rows) == 5
    for row in rows:
        article = Article.objects.for_export().get(pk=int(row["id"]))
        record = {**article.export_record(), "url": "http://testserver" + article.get_absolute_url()}
        assert row == {name: csv_value(record[name]) for name in FIELDS}


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_kept_as_text(client, articles):
    article = articles.get(title__contains="路长制")
    article.title = '=HYPERLINK("http://example.com","路长制")'
    article.outlet = "@SUM(1+1)"
    article.save()
    response = client.get("/search.csv", {"q": "路长制"})
    row = next(row for row in csv.DictReader(io.StringIO(csv_bytes(response).decode("utf-8-sig"), newline=""))
               if row["id"] == str(article.pk))
    assert row["title"] == "'" + article.title
    assert row["outlet"] == "'@SUM(1+1)"
    assert [csv_value(value) for value in ("-1", "+86", "\t=1", "路长制 = 好", 7, None, ["=A1", "b"])] == [
        "'-1", "'+86", "'\t=1", "路长制 = 好", "7", "", "'=A1; b"]


def test_csv_of_a_search_without_hits_is_just_the_header(client, articles):
    response = client.get("/search.csv", {"city": "nowhere"})
    assert csv_bytes(response).decode("utf-8-sig").splitlines() == [",".join(FIELDS)]


# 7. Any input is answered, never echoed unescaped


NASTY_PIECES = [
    "<script>alert(1)</script>", "<script>", "</textarea>", "&", "&amp;", "&lt;", '"', "'", "' OR 1=1 --",
    "'; DROP TABLE archive_article; --", "OR", "AND", "NOT", "TO", "-", "+", "title:", 'title:"', "*", "?", "~",
    "\\", "(", ")", "[", "]", "{", "}", ":", "^", "%", "_", "\x00", "\x1f", "\x7f", "\u2028", "公安", "警务",
    "路长制", "2019", "0", "-1", "newest", "oldest", "zunyi", "浙江", "luzhangzhi", "人民公安报", ",", " ",
]
MARKUP = ["<", "<script>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>", "</a>", "<!--", "<p"]
nasty_text = st.one_of(
    st.text(),
    st.tuples(st.text(max_size=6), st.sampled_from(MARKUP), st.text(max_size=6)).map("".join),
    st.text(min_size=1000, max_size=3000),
    st.lists(st.one_of(st.sampled_from(NASTY_PIECES), st.text(max_size=4)), max_size=8).map(" ".join),
    st.lists(st.sampled_from(NASTY_PIECES), max_size=6).map("".join),
)
nasty_params = st.fixed_dictionaries({"q": nasty_text}, optional={name: nasty_text for name in PARAMETERS[1:]})


def echoed(params: dict) -> list[str]:
    """The parameter values as the views read them (stripped, cut), that hold markup."""
    return [value.strip()[:200] for value in params.values() if "<" in value.strip()[:200]]


@pytest.fixture
def template_markup(client, articles) -> str:
    """Pages for harmless searches: any markup a parameter value shares with them comes from the template."""
    return "".join(
        client.get("/search/", params).content.decode()
        for params in ({}, {"q": "火星人 公安"}, {"q": "公安", "city": "nowhere", "from": "2012"})
    )


def assert_answered_safely(client, params: dict, template_markup: str):
    response = client.get("/search/", params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<script" not in html.lower()
    for value in echoed(params):
        if value not in template_markup:
            assert value not in html

    response = client.get("/api/search", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_api_shape(json.loads(response.content))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=nasty_params)
def test_any_parameters_are_answered_with_a_page_and_json(client, articles, template_markup, params):
    assert_answered_safely(client, params, template_markup)


NASTY_CASES = [
    '"警务 广场',
    "公安" * 1000,
    "\x00",
    "警务\x00广场",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "title:",
    "title:\"",
    "-",
    "- 公安",
    "OR",
    "公安 OR",
    "OR OR OR",
    '"',
    '""',
    "🚓👮‍♀️",
    "&amp; &",
    "*",
    "\\",
]


@pytest.mark.parametrize("value", NASTY_CASES)
def test_nasty_values_in_any_parameter_are_answered(client, articles, template_markup, value):
    assert_answered_safely(client, {"q": value}, template_markup)
    for name in PARAMETERS[1:]:
        assert_answered_safely(client, {"q": "公安", name: value}, template_markup)
        assert_answered_safely(client, {name: value}, template_markup)


@pytest.mark.parametrize("markup", ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"])
def test_markup_in_the_query_is_shown_escaped(client, articles, markup):
    html = client.get("/search/", {"q": f"公安 {markup}", "city": markup}).content.decode()
    assert markup not in html
    assert escape(markup) in html


# 8. No hits


def test_a_search_without_hits_says_so(client, articles):
    html = client.get("/search/", {"q": "火星人"}).content.decode()
    assert "没有找到" in html
    assert api(client, q="火星人")["count"] == 0


def test_a_two_word_search_without_hits_suggests_dropping_the_absent_word(client, articles):
    html = client.get("/search/", {"q": "公安 火星人"}).content.decode()
    assert "0 篇文章" in html
    assert "没有找到" in html
    assert f'<a href="?q={quote("公安")}">去掉“火星人”</a>' in html
    assert "去掉“公安”" not in html


def test_a_search_with_hits_does_not_say_nothing_was_found(client, articles):
    assert "没有找到" not in client.get("/search/", {"q": "公安"}).content.decode()


def test_search_params_keep_a_clean_state_for_any_input():
    params = SearchParams.from_data({"q": "  警务  ", "from": "2012", "to": "x", "page": "0", "sort": "oldest"})
    assert (params.q, params.year_from, params.year_to, params.page, params.sort) == ("警务", 2012, None, 1, "oldest")
