"""The pages that show imported articles, and the admin used to curate them."""

import io
import itertools
import re
from datetime import date
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from archive.ingest.discovery import SHOWN_SCORE
from archive.models import Article, City, Comment, ImportRecord, Initiative, Official, Original

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_numbers = itertools.count(1)


@pytest.fixture
def articles(db):
    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    return Article.objects.all()


# Small objects made directly, for pages whose content the test decides.


def make_city(name="三亚", province="海南", prefecture=None, **fields) -> City:
    number = next(_numbers)
    return City.objects.create(
        adcode=f"{number:06d}", name=name, name_traditional=name, full_name=f"{name}市", province=province,
        level="county" if prefecture else "prefecture", prefecture=prefecture, slug=f"city-{number}", **fields,
    )


def make_initiative(name=None, **fields) -> Initiative:
    number = next(_numbers)  # the data migration has seeded the well-known names already
    initiative, _ = Initiative.objects.update_or_create(
        name=name or f"举措{number}", defaults={"slug": f"initiative-{number}", "confirmed": True, **fields}
    )
    return initiative


def make_article(city=None, initiatives=(), **fields) -> Article:
    number = next(_numbers)
    original = Original.objects.create(sha256=f"{number:064x}", size=100)
    fields = {"title": f"测试文章{number}", "body": "第一段。\n\n第二段。", "published_on": date(2015, 1, 1),
              "outlet": "人民公安报", **fields}
    article = Article.objects.create(
        city=city, original=original, source_name=f"{number}.txt", fingerprint=str(number), simhash="0" * 16,
        band0=0, band1=0, band2=0, band3=0, band4=0, **fields,
    )
    article.initiatives.set(initiatives)
    ImportRecord.objects.create(path=f"/dumps/{number}.txt", sha256=original.sha256, encoding="gb18030",
                                status="imported", original=original, article=article, imported_at=timezone.now())
    return article


def get(client, url, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def no_inline_style_or_script(page: str) -> bool:
    """What a Content-Security-Policy of 'self' would block: inline scripts, style elements, style attributes."""
    return not re.search(r"<script|<style|\sstyle=", page, re.IGNORECASE)


# The frame every page shares.


def test_every_page_has_the_navigation_a_search_box_and_landmarks(client, articles):
    article = articles.exclude(city=None).first()
    initiative = Initiative.objects.filter(confirmed=True, articles__isnull=False).first()
    pages = {"/": "警务实践文章档案", "/search/": "搜索", "/cities/": "城市", article.city.get_absolute_url(): "城市",
             "/initiatives/": "举措", initiative.get_absolute_url(): "举措", article.get_absolute_url(): None,
             "/about/": "关于"}
    for url, current in pages.items():
        page = get(client, url)
        assert '<html lang="zh-Hans">' in page
        for name, target in [("搜索", "/search/"), ("城市", "/cities/"), ("举措", "/initiatives/"),
                             ("关于", "/about/")]:
            assert f'<li><a href="{target}"' in page and f">{name}</a></li>" in page, (url, name)
        assert '<label for="site-q"' in page and 'role="search"' in page
        for landmark in ("<header", "<nav", "<main", "<footer"):
            assert landmark in page, (url, landmark)
        marked = re.findall(r'aria-current="page">([^<]+)</a>', page)
        assert marked == ([current] if current else []), url
        assert no_inline_style_or_script(page), url


# Home


def test_home_counts_the_archive_and_lists_the_latest(client, articles):
    page = get(client, reverse("archive:home"))
    assert f"收录 {articles.count()} 篇文章" in page
    latest = articles.order_by("-created_at", "-pk").first()
    assert latest.get_absolute_url() in page


def test_home_names_the_most_covered_initiatives_and_cities_with_counts(client):
    sanya, zunyi = make_city("三亚"), make_city("遵义", province="贵州")
    often, rarely = make_initiative("路长制"), make_initiative("赶场警务")
    for _ in range(3):
        make_article(sanya, [often])
    make_article(zunyi, [rarely], published_on=date(2012, 5, 1))
    page = get(client, "/")
    assert f'<a href="{often.get_absolute_url()}">路长制</a> <span class="count">3 篇</span>' in page
    assert f'<a href="{sanya.get_absolute_url()}">三亚</a> <span class="count">海南 · 3 篇</span>' in page
    assert page.index("路长制</a>") < page.index("赶场警务</a>")
    assert 'aria-labelledby="home-years-title home-years-desc"' in page
    assert "2012年至2015年共 4 篇" in page


def test_home_of_an_empty_archive_says_how_to_import(client):
    page = get(client, reverse("archive:home"))
    assert "还没有文章" in page
    assert "<svg" not in page


# Article page


def test_article_page_shows_clean_text_facts_and_provenance(client, articles):
    article = articles.get(title__contains="五小")
    page = get(client, article.get_absolute_url())
    record = ImportRecord.objects.get(article=article)
    assert f'<h1 id="article-title">{article.title}</h1>' in page
    assert article.paragraphs()[0][:20] in page
    assert article.original_id in page
    assert reverse("archive:article_original", args=[article.pk]) in page
    assert record.name in page and record.encoding in page
    assert timezone.localtime(record.imported_at).strftime("%Y-%m-%d %H:%M") in page


def test_article_facts_link_to_their_pages_and_to_filtered_searches(client):
    city = make_city("遵义", province="贵州")
    initiative = make_initiative("赶场警务")
    article = make_article(city, [initiative], published_on=date(2015, 3, 8), outlet="人民公安报", authors=["王建军"])
    page = get(client, article.get_absolute_url())
    assert 'href="/search/?from=2015&amp;to=2015"' in page
    assert 'href="/outlets/renmingonganbao/"' in page  # the outlet page links the filtered search
    assert f'href="/search/?province={quote("贵州")}"' in page
    assert f'<a href="{city.get_absolute_url()}">遵义</a>' in page
    assert f'<a href="{initiative.get_absolute_url()}">赶场警务</a>' in page
    assert "王建军" in page


def test_search_words_are_highlighted_in_title_and_body(client, articles):
    article = articles.get(title__contains="三亚")
    page = get(client, article.get_absolute_url(), q="路长制")
    title = re.search(r'<h1 id="article-title">(.*?)</h1>', page).group(1)
    body = re.search(r'<div class="body">(.*?)</div>', page, re.S).group(1)
    assert "<mark>路长制</mark>" in title
    assert '<mark id="m0">路长制</mark>' in body and '<mark id="m1">路长制</mark>' in body
    assert "<mark>" not in get(client, article.get_absolute_url())


def test_highlight_query_is_escaped(client, articles):
    article = articles.first()
    page = get(client, article.get_absolute_url(), q="<script>alert(1)</script>")
    assert "<script>alert(1)" not in page


def test_a_traditional_article_can_be_read_in_simplified_script_and_back(client, articles):
    article = articles.get(script="traditional", title__contains="儋州")
    original = get(client, article.get_absolute_url())
    assert "儋州市公安局局長陳海峰" in original
    assert 'lang="zh-Hant"' in original
    assert '?script=simplified">以简体字阅读</a>' in original

    simplified = get(client, article.get_absolute_url(), q="路长制", script="simplified")
    assert "儋州市公安局局长陈海峰" in simplified
    assert "儋州市公安局局長陳海峰</h1>" not in simplified
    assert "<mark>路长制</mark>" in simplified
    assert f'href="?q={quote("路长制")}&amp;script=original"' in simplified  # the query is kept
    assert 'class="reading" lang="zh-Hans"' in simplified


def test_a_simplified_article_has_no_script_switch(client, articles):
    article = articles.filter(script="simplified").first()
    assert "script=" not in get(client, article.get_absolute_url())


def test_forum_replies_are_shown_as_comments(client, articles):
    article = articles.get(comments__isnull=False, comments__position=0)
    page = get(client, article.get_absolute_url())
    assert "论坛回复" in page
    for comment in article.comments.all():
        assert comment.text.split("\n")[0] in page


def test_lost_characters_are_noted(client):
    article = make_article(lost_characters=4)
    assert "有 4 个字符在转码时丢失" in get(client, article.get_absolute_url())
    assert "转码时丢失" not in get(client, make_article().get_absolute_url())


def test_article_page_offers_a_citation_ready_to_copy(client):
    article = make_article(title="三亚推行路长制", outlet="海南日报", authors=["符明", "李华"],
                           published_on=date(2019, 5, 20))
    page = get(client, article.get_absolute_url())
    assert '<p class="cite" id="citation-text">符明, 李华. 三亚推行路长制[N]. 海南日报, 2019-05-20.</p>' in page
    assert f'href="/articles/{article.pk}/cite.ris"' in page


def test_near_duplicates_are_shown_in_the_provenance(client):
    first = make_article(title="第一篇")
    copy = make_article(title="转载", near_duplicate_of=first)
    assert copy.get_absolute_url() in get(client, first.get_absolute_url())
    assert first.get_absolute_url() in get(client, copy.get_absolute_url())


def test_original_is_served_untouched_as_utf8_text(client, articles):
    article = articles.first()
    response = client.get(reverse("archive:article_original", args=[article.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == article.original.read_bytes()


# Cities


def test_cities_are_grouped_by_province_with_counts(client):
    sanya, danzhou, zunyi = make_city("三亚"), make_city("儋州"), make_city("遵义", province="贵州")
    make_city("海口")  # no articles: not listed
    for city, count in [(sanya, 2), (danzhou, 1), (zunyi, 1)]:
        for _ in range(count):
            make_article(city)
    page = get(client, "/cities/")
    hainan = re.search(r"<h2[^>]*>海南 .*?</section>", page, re.S).group(0)
    assert "3 篇" in hainan
    assert f'<a href="{sanya.get_absolute_url()}">三亚</a> <span class="count">2</span>' in hainan
    assert "儋州" in hainan and "遵义" not in hainan
    assert "海口" not in page
    assert page.index("<h2") < page.index("贵州 <span")  # the province with most articles first


def test_lists_of_cities_and_initiatives(client, articles):
    cities = get(client, reverse("archive:cities"))
    assert all(article.city.name in cities for article in articles.exclude(city=None))
    initiatives = get(client, reverse("archive:initiatives"))
    assert "路长制" in initiatives


def test_city_and_initiative_pages_list_their_articles(client, articles):
    article = articles.exclude(city=None).first()
    assert article.title in get(client, article.city.get_absolute_url())
    initiative = Initiative.objects.filter(confirmed=True, articles__isnull=False).first()
    assert initiative.articles.first().title in get(client, initiative.get_absolute_url())


def test_a_prefecture_page_holds_the_articles_of_its_county_level_cities(client, articles):
    county_article = articles.get(city__level="county")
    prefecture = county_article.city.prefecture
    page = get(client, prefecture.get_absolute_url())
    assert county_article.title in page
    assert county_article.city.get_absolute_url() in page


def test_city_page_shows_initiatives_officials_and_a_chart(client):
    city = make_city("抚州", province="江西")
    initiative = make_initiative("五小民生警务")
    first = make_article(city, [initiative], published_on=date(2013, 4, 1))
    second = make_article(city, [initiative], published_on=date(2016, 4, 1))
    Official.objects.create(article=first, name="赵卫东", role="抚州市公安局局长")
    Official.objects.create(article=second, name="赵卫东", role="抚州市公安局局长")
    Official.objects.create(article=second, name="黄志刚", role="株良派出所副所长")
    page = get(client, city.get_absolute_url())
    assert f'<a href="{initiative.get_absolute_url()}">五小民生警务</a> <span class="count">2 篇</span>' in page
    assert page.count("赵卫东") == 1
    assert '>赵卫东</a>，抚州市公安局局长 <span class="count">2 篇</span>' in page
    assert '>黄志刚</a>，株良派出所副所长 <span class="count">1 篇</span>' in page
    assert 'role="img"' in page and "2014年 0 篇" in page


def test_city_articles_sort_newest_or_oldest_and_page_links_keep_the_order(client):
    city = make_city()
    for year in range(1995, 2020):
        make_article(city, title=f"{year}年的文章", published_on=date(year, 1, 1))
    make_article(city, title="没有日期的文章", published_on=None)
    newest = get(client, city.get_absolute_url())
    assert newest.index("2019年的文章") < newest.index("2018年的文章")
    oldest = get(client, city.get_absolute_url(), sort="oldest")
    assert oldest.index("1995年的文章") < oldest.index("1996年的文章")
    assert '<a href="?sort=oldest&amp;page=2" rel="next">' in oldest
    last = get(client, city.get_absolute_url(), sort="oldest", page=2)
    assert "没有日期的文章" in last  # undated last in either order
    assert '<a href="?sort=oldest&amp;page=1" rel="prev">' in last
    assert '<a href="?sort=newest">最新在前</a>' in last  # switching the order starts again at page 1


def test_a_city_without_articles_has_a_friendly_page(client):
    city = make_city("海口")
    make_article(make_city("三亚")).places.add(city)
    page = get(client, city.get_absolute_url())
    assert "还没有以海口为主要城市的文章" in page
    assert "有 1 篇文章提到了海口" in page
    assert "<svg" not in page


# Initiatives


def test_initiative_list_gives_counts_cities_and_first_and_last_year(client):
    initiative = make_initiative("路长制")
    sanya, danzhou = make_city("三亚"), make_city("儋州")
    make_article(sanya, [initiative], published_on=date(2014, 1, 1))
    make_article(sanya, [initiative], published_on=date(2018, 1, 1))
    make_article(danzhou, [initiative], published_on=None)
    unreported = make_initiative("护瓜行动")
    page = get(client, "/initiatives/")
    row = re.search(rf'<a href="{initiative.get_absolute_url()}">路长制</a>.*?</tr>', page, re.S).group(0)
    assert '<td class="num">3</td>' in row
    assert f'<a href="{sanya.get_absolute_url()}">三亚</a> <span class="count">2</span>' in row
    assert f'<a href="{danzhou.get_absolute_url()}">儋州</a> <span class="count">1</span>' in row
    assert "2014–2018" in row
    assert unreported.get_absolute_url() not in page  # lists show only the initiatives that occur


def test_counts_and_lists_show_only_initiatives_that_occur(client):
    make_initiative("没有报道的举措")
    reported = make_initiative("路长制")
    make_article(make_city("三亚"), [reported])
    occurring = Initiative.objects.shown().occurring().count()
    assert occurring < Initiative.objects.filter(confirmed=True).count()  # the seeded names mostly occur nowhere
    assert f"{occurring} 项警务举措" in get(client, "/")
    assert "没有报道的举措" not in get(client, "/initiatives/")


def test_a_shown_candidate_is_listed_and_marked_unconfirmed_with_its_evidence(client):
    sanya = make_city("三亚")
    candidate = make_initiative("护瓜行动", confirmed=False, score=SHOWN_SCORE + 0.1)
    weak = make_initiative("警民一家", confirmed=False, score=SHOWN_SCORE - 0.3)
    article = make_article(sanya, [candidate, weak])
    candidate.evidence = [{"article": article.pk, "sentence": "开展“护瓜行动”,守护瓜农。", "quoted": True,
                           "launched": True, "described": False, "count": 1}]
    candidate.save()
    listing = get(client, "/initiatives/")
    assert re.search(r'护瓜行动</a> <span class="unconfirmed"[^>]*>未确认</span>', listing)
    assert "警民一家" not in listing
    assert "未确认" in get(client, article.get_absolute_url())
    assert "警民一家" not in get(client, article.get_absolute_url())
    page = get(client, candidate.get_absolute_url())
    assert "尚未经人工审核" in page and "开展“护瓜行动”,守护瓜农。" in page
    assert client.get(weak.get_absolute_url()).status_code == 404


def test_initiative_page_shows_description_timeline_cities_and_articles(client):
    initiative = make_initiative("路长制", description="由局领导担任路长。\n\n民警担任路管员 <b>不加粗</b>。")
    sanya = make_city("三亚")
    make_article(sanya, [initiative], title="较早的文章", published_on=date(2016, 1, 1))
    make_article(sanya, [initiative], title="较新的文章", published_on=date(2019, 1, 1))
    make_article(None, [initiative], title="没有日期的文章", published_on=None)
    page = get(client, initiative.get_absolute_url())
    assert "<p>由局领导担任路长。</p>" in page
    assert "<p>民警担任路管员 &lt;b&gt;不加粗&lt;/b&gt;。</p>" in page
    assert 'aria-labelledby="initiative-years-title initiative-years-desc"' in page
    assert "2017年 0 篇" in page
    assert "另有 1 篇日期不详" in page
    assert f'<a href="{sanya.get_absolute_url()}">三亚</a> <span class="count">2</span>' in page
    assert page.index("较新的文章") < page.index("较早的文章")
    oldest = get(client, initiative.get_absolute_url(), sort="oldest")
    assert oldest.index("较早的文章") < oldest.index("较新的文章")


def test_an_initiative_without_articles_has_a_friendly_page(client):
    initiative = make_initiative("护瓜行动")
    page = get(client, initiative.get_absolute_url())
    assert "还没有提到这项举措的文章" in page
    assert "<svg" not in page


def test_unconfirmed_candidates_have_no_public_page(client, articles):
    candidate = Initiative.objects.create(name="护瓜行动", slug="huguaxingdong", confirmed=False)
    assert client.get(candidate.get_absolute_url()).status_code == 404


# About, search, errors


def test_about_page_gives_live_counts_the_search_syntax_and_the_data_sources(client, articles):
    page = get(client, "/about/")
    assert f"<strong>{articles.count()}</strong> 篇文章" in page
    assert f"<strong>{articles.filter(script='traditional').count()}</strong> 篇原文为繁体字" in page
    for example in ("三亚 路长制", '"警务 广场"', "路长制 OR 警保联控", "公安 -交警", "title:公安"):
        assert f"<code>{example}</code>" in page
    assert "解码" in page and "GB18030" in page and "SHA-256" in page


def test_a_search_without_hits_says_so_in_the_site_layout(client, search_index):
    page = get(client, "/search/", q="火星人")
    assert "没有找到" in page
    assert 'aria-current="page">搜索</a>' in page


def test_unknown_pages_are_404(client, articles):
    assert client.get("/articles/999999/").status_code == 404
    assert client.get("/cities/nowhere/").status_code == 404
    assert client.get(reverse("archive:city", args=[articles.exclude(city=None).first().city.slug]),
                      {"page": "x"}).status_code == 404


@pytest.mark.parametrize("url", ["/articles/999999/", "/cities/nowhere/", "/initiatives/nothing/", "/no/such/page/"])
def test_unknown_pages_render_the_styled_404(client, settings, url):
    settings.DEBUG = False
    response = client.get(url)
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有找到这个页面" in page
    assert '<a href="/about/"' in page and "/static/css/site.css" in page
    assert no_inline_style_or_script(page)


def test_the_500_page_renders_without_a_request():
    page = render_to_string("500.html")
    assert "服务器出错了" in page
    assert "/static/css/site.css" in page and '<a href="/cities/"' in page
    assert no_inline_style_or_script(page)


# Queries do not grow with the rows a page shows.


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def add_article(city, initiative):
    """An article with a year of its own, a second initiative and an official: one more row everywhere."""
    year = 2000 + next(_numbers) % 20
    article = make_article(city, [initiative, make_initiative()], published_on=date(year, 1, 1))
    Official.objects.create(article=article, name=f"官员{article.pk}", role="局长")


@pytest.mark.parametrize("page", ["home", "cities", "city", "initiatives", "initiative"])
def test_browse_pages_make_as_many_queries_for_many_rows_as_for_few(client, search_index, page):
    city, initiative = make_city(), make_initiative()
    url = {"home": "/", "cities": "/cities/", "city": city.get_absolute_url(), "initiatives": "/initiatives/",
           "initiative": initiative.get_absolute_url()}[page]

    def add(count):
        for _ in range(count):  # new cities for the lists, more articles for the city and initiative
            add_article(make_city(f"城市{next(_numbers)}"), initiative)
            add_article(city, initiative)

    add(3)
    few = count_queries(client, url)
    add(12)
    assert count_queries(client, url) == few


def test_article_page_makes_as_many_queries_for_many_links_as_for_few(client, search_index):
    first = make_article(make_city())

    def add(count):
        for _ in range(count):
            number = next(_numbers)
            first.initiatives.add(make_initiative())
            Official.objects.create(article=first, name=f"官员{number}", role="局长")
            Comment.objects.create(article=first, position=number, author="网友", text="回复")
            make_article(near_duplicate_of=first)

    add(3)
    few = count_queries(client, first.get_absolute_url())
    add(12)
    assert count_queries(client, first.get_absolute_url()) == few


# The admin


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


# Estimated dates, headings and credits


def estimated_article(city=None, **fields) -> Article:
    return make_article(
        city, published_on=None, estimated_year=2013, estimated_month=11,
        date_reasoning="dateline 11月22日; 2011年6月 + 兩年多來 → 2013",
        date_evidence="2011年6月,浙江第一個網上公安局落戶台州。\n兩年多來,瀏覽量突破百萬。", **fields,
    )


def test_an_estimated_date_is_shown_as_such_with_its_reasoning(client):
    article = estimated_article()
    page = get(client, article.get_absolute_url())
    assert '<details class="date-estimate"><summary>约 2013 年 11 月（推断）</summary>' in page
    assert "2011年6月 + 兩年多來 → 2013" in page
    assert "兩年多來,瀏覽量突破百萬。" in page


def test_a_list_can_keep_only_estimated_stated_or_undated_articles(client):
    city = make_city("台州")
    estimated = estimated_article(city, title="推断年份的文章")
    make_article(city, title="注明日期的文章")
    make_article(city, title="日期不详的文章", published_on=None)
    everything = get(client, city.get_absolute_url())
    assert "约 2013 年 11 月（推断）" in everything and "日期不详的文章" in everything
    only_estimated = get(client, city.get_absolute_url(), dates="estimated")
    assert estimated.title in only_estimated
    assert "注明日期的文章" not in only_estimated and "日期不详的文章" not in only_estimated
    assert "推断年份的文章" not in get(client, city.get_absolute_url(), dates="undated")
    assert "注明日期的文章" in get(client, city.get_absolute_url(), dates="stated")


def test_timelines_draw_estimated_years_in_their_own_shade(client):
    city = make_city("台州")
    estimated_article(city)
    make_article(city, published_on=date(2013, 3, 1))
    make_article(city, published_on=None)
    page = get(client, city.get_absolute_url())
    assert 'class="bar bar-estimated"' in page
    assert "2013年：推断 1 篇" in page
    assert "另有 1 篇日期不详" in page


def test_sub_headings_are_rendered_as_headings_and_not_indexed_with_their_marks(client):
    article = make_article(body="第一段，讲述背景。\n\n## 为百姓解难题\n\n### 推行路长制\n\n正文段落。\n\n最后一段。")
    page = get(client, article.get_absolute_url())
    assert "<h2>为百姓解难题</h2>" in page and "<h3>推行路长制</h3>" in page
    assert "##" not in page
    assert article.plain_body.startswith("第一段，讲述背景。\n\n为百姓解难题")
    record = article.export_record()
    assert record["headings"] == ["为百姓解难题", "推行路长制"] and "#" not in record["body"]


def test_photographers_editors_and_forum_figures_are_shown_apart_from_authors(client):
    article = make_article(authors=["吴舒琴"], photographers=["秦方"], editors=["陈晓丹"],
                           forum_location="中国江苏徐州", forum_views=1166, forum_replies=3)
    page = get(client, article.get_absolute_url())
    assert "<dt>作者</dt><dd>吴舒琴</dd>" in page
    assert "<dt>摄影</dt><dd>秦方</dd>" in page
    assert "<dt>编辑</dt><dd>陈晓丹</dd>" in page
    assert "发帖地点：中国江苏徐州 · 查看 1166 · 回复 3" in page
    record = article.export_record()
    assert (record["photographers"], record["editors"], record["forum_views"]) == (["秦方"], ["陈晓丹"], 1166)


def test_the_export_gives_an_estimate_and_its_evidence():
    record = estimated_article().export_record()
    assert record["published_on"] is None
    assert record["date_estimate"] == "2013-11"
    assert record["date_evidence"].startswith("dateline 11月22日; 2011年6月 + 兩年多來 → 2013\n2011年6月")


def test_an_initiative_page_shows_its_spread_across_cities_and_provinces(client):
    initiative = make_initiative("路长制")
    sanya, taizhou = make_city("三亚"), make_city("台州")
    make_article(sanya, [initiative], published_on=date(2018, 10, 21))
    make_article(taizhou, [initiative], published_on=date(2013, 11, 22))
    make_article(taizhou, [initiative], published_on=date(2019, 1, 1))
    page = get(client, initiative.get_absolute_url())
    spread = re.search(r'<ol class="spread">(.*?)</ol>', page, re.S).group(1)
    assert spread.index("台州") < spread.index("三亚")
    assert "2013年11月起 · 2 篇" in spread
    assert 'class="chart tile-grid"' in page and f"{taizhou.province}：2013 年首次报道" in page


def test_outlets_are_listed_and_each_has_its_page_linked_from_its_articles(client):
    sanya, danzhou = make_city("三亚"), make_city("儋州")
    first = make_article(sanya, outlet="海南日报", published_on=date(2015, 3, 1))
    make_article(danzhou, outlet="海南日报", published_on=date(2018, 3, 1))
    make_article(sanya, outlet="新华社")
    listing = get(client, "/outlets/")
    row = r'<a href="/outlets/hainanribao/">海南日报</a></th><td class="num">2</td><td>2015–2018</td>'
    assert re.search(row, listing)
    page = get(client, "/outlets/hainanribao/")
    assert "<h1>海南日报</h1>" in page and 'class="chart"' in page
    assert f'<a href="{sanya.get_absolute_url()}">三亚</a> <span class="count">1</span>' in page
    assert 'href="/outlets/hainanribao/"' in get(client, first.get_absolute_url())
    assert client.get("/outlets/no-such-outlet/").status_code == 404


def test_officials_are_people_in_cities_with_their_roles_over_time(client):
    sanya, wanning = make_city("三亚"), make_city("万宁")
    earlier = make_article(sanya, published_on=date(2012, 5, 1))
    later = make_article(sanya, published_on=date(2018, 10, 21))
    elsewhere = make_article(wanning, published_on=date(2013, 1, 1))
    Official.objects.create(article=earlier, name="张兆腾", role="三亚市公安局副局长", city=sanya)
    Official.objects.create(article=later, name="张兆腾", role="三亚市副市长、公安局局长", city=sanya)
    Official.objects.create(article=elsewhere, name="张兆腾", role="万宁市公安局局长", city=wanning)
    listing = get(client, "/officials/")
    assert listing.count(">张兆腾</a>") == 2  # the same name in two cities is two people
    found = get(client, "/officials/", q="張兆騰")  # either script
    assert found.count(">张兆腾</a>") == 2
    page = get(client, "/officials/zhangzhaoteng-sanya/")
    roles = re.search(r'<ol class="roles">(.*?)</ol>', page, re.S).group(1)
    assert roles.index("三亚市公安局副局长") < roles.index("三亚市副市长、公安局局长")
    assert "万宁市公安局局长" not in page
    assert later.get_absolute_url() in page and elsewhere.get_absolute_url() not in page
    assert client.get("/officials/nobody/").status_code == 404
