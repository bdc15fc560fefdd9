"""Hostile dump content is shown as text, never run: markup in titles, bodies, replies and file names."""

import json
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils.html import escape

from archive.models import Article

from .test_commands import ARTICLE, run_import, write

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
LINK = '<a href="javascript:alert(1)">点我</a>'
PAYLOADS = (SCRIPT, IMAGE, LINK)

# Three tags make a dump read as a web page (ingest.html.looks_like_html), whose tags are dropped:
# each text dump holds fewer, so its markup stays text all the way to the page. The cleaning rules
# drop some lines that end in markup, so the payloads sit where they are kept.
UNCLOSED_LINK = '<a href="javascript:alert(1)">点我'
TEXT_DUMP = (ARTICLE.replace("三亚公安推行", f"{SCRIPT}三亚公安推行")
             .replace("兼管服务。", f"兼管服务。{IMAGE}又讲了很多。")
             .replace("  同时建立", f"  {UNCLOSED_LINK}同时建立"))

FORUM_DUMP = f"""简州人论坛

查看: 1166|回复: 2

【新闻转播】{SCRIPT}简阳公安“赶场警务”让村民安心

发表于 2012-3-5 09:12:30 | 显示全部楼层 |阅读模式 来自 中国四川成都
 {SCRIPT}每逢赶场天,简阳市石桥镇的集市上总能看到一支“警务小分队”的身影。这是简阳市公安局推出“赶场警务”后的新变化。

  今年初,简阳市公安局在全市各乡镇推行“赶场警务”,每逢场天,由2名民警带领4名协警组成小分队巡逻。

发表于 2012-3-5 10:01:07 | 显示全部楼层 来自 中国四川资阳
{LINK}赶场天确实看到警察了。
发表于 2012-3-5 11:20:18 | 显示全部楼层 来自 中国四川眉山
{SCRIPT}我们镇上也有,给民警点赞
"""

# In a web page, tags are markup (dropped with the page's chrome) and escaped tags are text (kept).
HTML_DUMP = f"""<html><head><title>湖州警方推行警务广场 {escape(SCRIPT)}_某某网</title>
<script>alert("page script")</script></head><body>
<h1>湖州警方推行“警务广场” {escape(SCRIPT)}</h1>
<p>{escape(IMAGE)}湖州市公安局依托广场、公园等公众活动场所,每年6次在固定时间开展全市性“警务广场”活动。</p>
<p>{IMAGE}{escape(LINK)}在市、县两级公安机关门口,建立“警务广场”服务区,集办事办证、接待信访等功能于一体。</p>
<p>{LINK}湖州公安坚持和发展“枫桥经验”,群众满意度上升到全省第1位。</p>
</body></html>
"""
HTML_FORUM_DUMP = (f"<html><head><title>{escape(SCRIPT)}简州人论坛</title></head><body>\n"
                   + "\n".join(f"<div>{escape(line)}</div>" for line in FORUM_DUMP.splitlines())
                   + "\n</body></html>")


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcdoc"}


class LiveMarkup(HTMLParser):
    """What in a page a browser would run: script elements, on… handlers, javascript: addresses."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.found.append("<script>")
        for name, value in attrs:
            address = (value or "").replace(" ", "").lower()
            if name.startswith("on") or (name in URL_ATTRIBUTES and "javascript:" in address):
                self.found.append(f"<{tag} {name}={value!r}>")


def live_markup(html: str) -> list[str]:
    parser = LiveMarkup()
    parser.feed(html)
    return parser.found


@pytest.fixture
def hostile(tmp_path, search_index):
    write(tmp_path / "dumps", "sanya.txt", TEXT_DUMP)
    write(tmp_path / "dumps", "forum.txt", FORUM_DUMP)
    write(tmp_path / "dumps", "huzhou.html", HTML_DUMP)
    write(tmp_path / "dumps", "forum.html", HTML_FORUM_DUMP)  # the same thread: a near-duplicate
    assert run_import(tmp_path / "dumps") == "imported 3, updated 0, unchanged 0, duplicates 1, failed 0, not indexed 0"
    return {article.source_name: article for article in Article.objects.all()}


@pytest.mark.parametrize("name", ["sanya.txt", "forum.txt", "huzhou.html", "forum.html"])
def test_the_payloads_reach_the_database_as_text(hostile, name):
    """Otherwise the page tests below would prove nothing."""
    article = hostile[name]
    stored = " ".join([article.title, article.body, *article.comments.values_list("text", flat=True)])
    assert SCRIPT in article.title
    assert "javascript:alert(1)" in stored
    assert "page script" not in stored, "a page's own script element is dropped"
    if name.startswith("forum"):
        assert LINK in article.comments.first().text
    else:
        assert IMAGE in article.body


@pytest.mark.parametrize("name", ["sanya.txt", "forum.txt", "huzhou.html", "forum.html"])
def test_article_page_shows_markup_from_the_dump_as_text(client, hostile, name):
    article = hostile[name]
    html = client.get(article.get_absolute_url()).content.decode()

    assert live_markup(html) == []
    assert escape(SCRIPT) in html


def test_search_page_and_city_page_show_hostile_titles_and_snippets_as_text(client, hostile):
    pages = [
        client.get(reverse("archive:search"), {"q": "路长制"}),
        client.get(reverse("archive:search"), {"q": "警务广场"}),
        client.get(reverse("archive:search"), {"q": "赶场警务"}),
        client.get(hostile["sanya.txt"].city.get_absolute_url()),
        client.get(reverse("archive:home")),
    ]
    for response in pages:
        html = response.content.decode()
        assert response.status_code == 200
        assert live_markup(html) == [], response.request
        assert escape(SCRIPT) in html, response.request


@pytest.mark.parametrize("q", [SCRIPT, IMAGE, LINK, f'"{SCRIPT}" OR title:{IMAGE}'])
def test_a_hostile_query_is_shown_as_text(client, hostile, q):
    for url in (reverse("archive:search"), hostile["sanya.txt"].get_absolute_url()):
        html = client.get(url, {"q": q}).content.decode()
        assert live_markup(html) == [], (url, q)


def test_api_gives_markup_back_as_data_never_as_a_page(client, hostile):
    sanya = hostile["sanya.txt"]
    for url, params in ((reverse("archive:api_search"), {"q": "路长制"}),
                        (reverse("archive:api_article", args=[sanya.pk]), {})):
        response = client.get(url, params)
        assert response["Content-Type"] == "application/json"
        assert response["X-Content-Type-Options"] == "nosniff", "a browser must not read it as HTML"
        assert SCRIPT in json.dumps(response.json(), ensure_ascii=False)

    record = client.get(reverse("archive:api_article", args=[sanya.pk])).json()
    assert record["title"] == sanya.title, "the data is the text itself, not HTML-escaped"
    hit = client.get(reverse("archive:api_search"), {"q": "路长制"}).json()["results"][0]
    assert "&lt;" not in hit["title"] + hit["snippet"]


def test_original_is_served_as_plain_text_that_is_not_sniffed(client, hostile):
    response = client.get(reverse("archive:article_original", args=[hostile["sanya.txt"].pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert SCRIPT in response.content.decode()


@pytest.mark.parametrize("name", ["a b.txt", "三亚 报道.txt", "$(rm -rf x);'\"&|.txt", f"{IMAGE}.txt"])
def test_file_names_with_spaces_chinese_and_shell_characters_import_and_show_in_provenance(
        client, tmp_path, search_index, name):
    path = write(tmp_path / "dumps", name, ARTICLE)
    assert run_import(tmp_path / "dumps") == "imported 1, updated 0, unchanged 0, duplicates 0, failed 0, not indexed 0"

    article = Article.objects.get()
    assert article.source_name == name
    assert article.import_records.get().path == str(path.resolve())
    html = client.get(article.get_absolute_url()).content.decode()
    assert f"<dt>源文件</dt><dd>{escape(name)}</dd>" in html
    assert live_markup(html) == []
