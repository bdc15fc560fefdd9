"""Following a search as an Atom feed, and the lists of cities and initiatives in the API."""

import io
from xml.etree import ElementTree

import pytest
from django.core.management import call_command

from archive.models import Article, City, Initiative

from .conftest import FIXTURES

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def imported(search_index):
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)


def entries(response) -> list:
    return ElementTree.fromstring(response.content).findall(f"{ATOM}entry")


def test_a_search_feed_lists_the_newest_matching_articles_as_atom(client, imported):
    response = client.get("/search.atom", {"q": "公安"})
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    found = entries(response)
    count = client.get("/api/search", {"q": "公安"}).json()["count"]
    assert len(found) == min(count, 50) > 0
    ids = [int(entry.find(f"{ATOM}id").text.rstrip("/").rsplit("/", 1)[1]) for entry in found]
    assert ids == sorted(ids, reverse=True)  # the most recently added first
    entry = found[0]
    article = Article.objects.get(pk=ids[0])
    assert entry.find(f"{ATOM}title").text == article.title
    assert entry.find(f"{ATOM}link").get("href") == entry.find(f"{ATOM}id").text
    assert entry.find(f"{ATOM}updated").text and entry.find(f"{ATOM}summary").text


def test_a_feed_keeps_the_searchs_filters(client, imported):
    city = City.objects.filter(articles__isnull=False).first()
    found = entries(client.get("/search.atom", {"city": city.slug}))
    assert {entry.find(f"{ATOM}title").text for entry in found} == set(
        Article.objects.canonical().in_city(city).values_list("title", flat=True))


def test_a_feed_reader_polling_an_unchanged_search_gets_304(client, imported):
    first = client.get("/search.atom", {"q": "路长制"})
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/search.atom", {"q": "路长制"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    Article.objects.first().save()  # a change in the archive: the feed may have changed
    assert client.get("/search.atom", {"q": "路长制"}, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_search_page_announces_its_feed(client, imported):
    page = client.get("/search/", {"q": "路长制"}).content.decode()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/search.atom?q=%E8%B7%AF%E9%95%BF%E5%88%B6"' in page and ">订阅</a>" in page


def test_the_api_lists_cities_and_initiatives_with_their_counts(client, imported):
    cities = client.get("/api/cities").json()["cities"]
    assert {city["slug"] for city in cities} == set(
        City.objects.filter(articles__isnull=False).values_list("slug", flat=True))
    assert all(set(city) == {"name", "slug", "province", "article_count"} for city in cities)
    initiatives = client.get("/api/initiatives").json()["initiatives"]
    named = {i["name"]: i["article_count"] for i in initiatives}
    assert named["路长制"] == Initiative.objects.get(name="路长制").articles.canonical().count()
    assert len(named) < Initiative.objects.count()  # only those that occur and are shown
