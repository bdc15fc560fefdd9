"""Trends: each query's articles per period and their share of the period's dated articles."""

import csv
import io

import pytest
from django.core.management import call_command

from archive.trends import read_period

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db
QUERIES = ["公安", "路长制", "警务"]


@pytest.fixture
def imported(search_index):
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def rows(client, **params) -> list[dict]:
    response = client.get("/trends.csv", params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_a_periods_count_is_the_searchs_own_count_with_from_and_to_set_to_it(client, imported):
    found = rows(client, q=QUERIES)
    assert found and list(found[0]) == ["period", "query", "articles", "share"]
    for row in found:
        count = client.get("/api/search", {"q": row["query"], "from": row["period"], "to": row["period"]}).json()
        assert int(row["articles"]) == count["count"], row


def test_a_share_is_of_the_periods_dated_articles_under_the_same_filters(client, imported):
    for row in rows(client, q=QUERIES, province="海南"):
        everything = client.get("/api/search", {"province": "海南", "from": row["period"], "to": row["period"]})
        total = everything.json()["count"]
        if total:
            assert float(row["share"]) == pytest.approx(int(row["articles"]) / total, abs=1e-6)
        else:
            assert row["share"] == ""


def test_every_year_between_the_first_and_the_last_is_a_period(client, imported):
    periods = [row["period"] for row in rows(client, q=["公安"])]
    years = [int(period) for period in periods]
    assert years == list(range(min(years), max(years) + 1))


def test_months_from_and_to_cut_the_periods(client, imported):
    periods = {row["period"] for row in rows(client, q=["公安"], by="month", **{"from": "2012-03", "to": "2015-06"})}
    assert min(periods) == "2012-03" and max(periods) == "2015-06"
    assert len(periods) == 12 * 3 + 4


def test_at_most_six_queries_are_compared(client, imported):
    queries = ["公安", "警务", "群众", "治安", "民警", "派出所", "社区"]
    assert {row["query"] for row in rows(client, q=queries)} == set(queries[:6])


def test_the_page_draws_a_line_a_query_with_the_figures_in_a_table(client, imported):
    page = client.get("/trends/", {"q": ["路长制", "警务"]}).content.decode()
    assert page.count('<polyline class="line') == 2
    assert '<th scope="col">路长制</th>' in page and '<th scope="col">警务</th>' in page
    assert "推断年份的文章不计入" in page
    assert 'href="/trends.csv?q=' in page


def test_the_page_without_queries_offers_the_form(client, imported):
    page = client.get("/trends/").content.decode()
    assert 'name="q"' in page and "<polyline" not in page


@pytest.mark.parametrize(("text", "by", "end", "period"), [
    ("2013", "year", False, "2013"), ("2013-05", "year", False, "2013"), ("2013", "month", False, "2013-01"),
    ("2013", "month", True, "2013-12"), ("2013-5", "month", False, "2013-05"), ("2013-13", "month", False, None),
    ("abc", "year", False, None), ("", "year", False, None),
])
def test_periods_are_read_from_years_and_year_months(text, by, end, period):
    assert read_period(text, by, end) == period


def test_the_page_names_its_filters_by_name_not_slug(client, imported):
    page = client.get("/trends/", {"q": "路长制", "city": "sanya"}).content.decode()
    assert "城市 三亚" in page and "城市 sanya" not in page
