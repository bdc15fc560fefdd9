"""The concordance: every occurrence of a search's words in context, each standing in its article."""

import csv
import io
import re

import pytest
from django.core.management import call_command

from archive.concordance import query_words
from archive.models import Article
from archive.search.query import parse
from archive.search.words import normalise

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(search_index):
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def csv_rows(client, **params) -> list[dict]:
    response = client.get("/concordance.csv", params)
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_each_line_stands_in_its_articles_text(client, imported):
    rows = csv_rows(client, q="路长制 OR 警务")
    assert rows and list(rows[0]) == ["article_id", "title", "published_on", "left", "match", "right"]
    for row in rows:
        article = Article.objects.get(pk=row["article_id"])
        assert row["left"] + row["match"] + row["right"] in article.plain_body
        assert normalise(row["match"]) in ("路长制", "警务")  # in either script
        assert len(row["left"]) <= 30 and len(row["right"]) <= 30


def test_every_occurrence_in_every_matching_article_is_listed(client, imported):
    found = client.get("/api/search", {"q": "路长制"}).json()
    expected = sum(normalise(Article.objects.get(pk=result["id"]).plain_body).count("路长制")
                   for result in found["results"])
    assert len(csv_rows(client, q="路长制")) == expected > 0


def test_width_changes_the_context(client, imported):
    rows = csv_rows(client, q="路长制", width="5")
    assert rows and all(len(row["left"]) <= 5 and len(row["right"]) <= 5 for row in rows)
    assert any(len(row["left"]) == 5 for row in rows)


def test_sorting_by_the_left_context_reads_it_leftwards(client, imported):
    page = client.get("/concordance/", {"q": "警务", "sort": "left"}).content.decode()
    lefts = re.findall(r'<td class="left">(.*?)</td>', page)
    assert len(lefts) > 1
    assert [left[::-1] for left in lefts] == sorted(left[::-1] for left in lefts)


def test_a_line_links_to_its_mark_on_the_article_page(client, imported):
    page = client.get("/concordance/", {"q": "路长制"}).content.decode()
    link = re.search(r'<td class="match"><a href="(/articles/\d+/\?q=[^"#]+)#(m\d+)">', page)
    article_page = client.get(link.group(1)).content.decode()
    assert re.search(rf'<mark id="{link.group(2)}">路[长長]制</mark>', article_page)


def test_phrases_and_near_pairs_give_their_words():
    assert query_words(parse('"警务 广场" 路长制')) == ["警务广场", "路长制"]
    assert query_words(parse("路长制 NEAR 警保联控")) == ["路长制", "警保联控"]


def test_without_a_query_the_page_offers_the_form(client, imported):
    page = client.get("/concordance/").content.decode()
    assert 'name="q"' in page and "<table" not in page
