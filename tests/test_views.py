"""The pages that show imported articles, and the admin used to curate them."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from archive.models import Article, ImportRecord, Initiative

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def articles(db):
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    return Article.objects.all()


def test_home_counts_the_archive_and_lists_the_latest(client, articles):
    response = client.get(reverse("archive:home"))
    assert response.status_code == 200
    assert f"收录 {articles.count()} 篇文章" in response.content.decode()
    assert 'lang="zh-Hans"' in response.content.decode()


def test_home_of_an_empty_archive_says_how_to_import(client):
    response = client.get(reverse("archive:home"))
    assert "还没有文章" in response.content.decode()


def test_article_page_shows_clean_text_facts_and_provenance(client, articles):
    article = articles.get(title__contains="五小")
    response = client.get(article.get_absolute_url())
    page = response.content.decode()

    assert response.status_code == 200
    assert f"<h1>{article.title}</h1>" in page
    assert article.paragraphs()[0][:20] in page
    assert article.original_id in page
    assert reverse("archive:article_original", args=[article.pk]) in page
    assert ImportRecord.objects.get(article=article).name in page


def test_forum_replies_are_shown_as_comments(client, articles):
    article = articles.get(comments__isnull=False, comments__position=0)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "论坛回复" in page
    for comment in article.comments.all():
        assert comment.text.split("\n")[0] in page


def test_original_is_served_untouched_as_utf8_text(client, articles):
    article = articles.first()
    response = client.get(reverse("archive:article_original", args=[article.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == article.original.read_bytes()


def test_city_and_initiative_pages_list_their_articles(client, articles):
    article = articles.exclude(city=None).first()
    city_page = client.get(article.city.get_absolute_url()).content.decode()
    assert article.title in city_page

    initiative = Initiative.objects.filter(confirmed=True, articles__isnull=False).first()
    initiative_page = client.get(initiative.get_absolute_url()).content.decode()
    assert initiative.articles.first().title in initiative_page


def test_lists_of_cities_and_initiatives(client, articles):
    cities = client.get(reverse("archive:cities")).content.decode()
    assert all(article.city.name in cities for article in articles.exclude(city=None))
    initiatives = client.get(reverse("archive:initiatives")).content.decode()
    assert "路长制" in initiatives


def test_unknown_pages_are_404(client, articles):
    assert client.get("/articles/999999/").status_code == 404
    assert client.get("/cities/nowhere/").status_code == 404
    assert client.get(reverse("archive:city", args=[articles.exclude(city=None).first().city.slug]),
                      {"page": "x"}).status_code == 404


def test_unconfirmed_candidates_have_no_public_page(client, articles):
    candidate = Initiative.objects.create(name="护瓜行动", slug="huguaxingdong", confirmed=False)
    assert client.get(candidate.get_absolute_url()).status_code == 404


def test_admin_needs_a_login(client):
    response = client.get("/admin/archive/article/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_admin_lists_articles_import_records_and_candidates(admin_client, articles):
    for url in ["/admin/archive/article/", "/admin/archive/importrecord/", "/admin/archive/initiative/",
                "/admin/archive/city/", f"/admin/archive/article/{articles.first().pk}/change/"]:
        assert admin_client.get(url).status_code == 200, url
    failures = admin_client.get("/admin/archive/importrecord/", {"status__exact": "failed"})
    assert failures.status_code == 200


def test_admin_actions_confirm_and_merge_initiatives(admin_client, articles):
    candidate = Initiative.objects.create(name="护瓜行动", slug="huguaxingdong", confirmed=False)
    admin_client.post("/admin/archive/initiative/", {"action": "confirm", "_selected_action": [candidate.pk]})
    candidate.refresh_from_db()
    assert candidate.confirmed

    keep = Initiative.objects.get(name="路长制")
    admin_client.post("/admin/archive/initiative/", {"action": "merge", "_selected_action": [keep.pk, candidate.pk]})
    assert not Initiative.objects.filter(name="护瓜行动").exists()
    assert keep.aliases.filter(name="护瓜行动").exists()


def test_editing_an_article_in_the_admin_saves_the_new_metadata(admin_client, articles):
    article = articles.first()
    response = admin_client.get(f"/admin/archive/article/{article.pk}/change/")
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"title": "新标题", "outlet": "人民公安报", "authors": '["王某"]'})
    for prefix in ("officials", "comments"):  # leave the inlines as they are
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(f"/admin/archive/article/{article.pk}/change/", data)
    assert response.status_code == 302

    article.refresh_from_db()
    assert (article.title, article.outlet, article.authors) == ("新标题", "人民公安报", ["王某"])
