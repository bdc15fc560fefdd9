"""References to an article: RIS, BibTeX, CSL-JSON and GB/T 7714-2015, and the pages that give them."""

import json
from datetime import date

import pytest

from archive.citations import NEWS, POST, WEBPAGE, Citable, bibtex, csl_json, gbt7714, ris

ACCESSED = date(2026, 12, 4)


def citable(**fields) -> Citable:
    values = {"article_id": 7, "title": "三亚推行路长制", "authors": ("符明", "李华"), "outlet": "海南日报",
              "published_on": date(2019, 5, 20), "estimated_year": None, "estimated_month": None,
              "url": "https://archive.example/articles/7/", "accessed": ACCESSED, "sha256": "ab" * 32,
              "version": 1, "is_post": False, **fields}
    return Citable(**values)


# GB/T 7714-2015, with the standard's own examples written as Citables


def test_a_newspaper_article_follows_the_standards_example():
    # 丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20(15).
    item = citable(title="数字革命与竞争国际化", authors=("丁文祥",), outlet="中国青年报",
                   published_on=date(2000, 11, 20))
    assert gbt7714(item) == "丁文祥. 数字革命与竞争国际化[N]. 中国青年报, 2000-11-20."


def test_a_web_page_follows_the_standards_example():
    # 萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. http://www.creader.com/news/….
    item = citable(title="出版业信息化迈入快车道", authors=("萧钰",), outlet="中国新闻网",
                   published_on=date(2001, 12, 19), accessed=date(2002, 4, 15),
                   url="http://www.creader.com/news/20011219/200112190019.html")
    assert gbt7714(item) == ("萧钰. 出版业信息化迈入快车道[EB/OL]. (2001-12-19)[2002-04-15]. "
                             "http://www.creader.com/news/20011219/200112190019.html.")


def test_more_than_three_authors_are_cut_to_three_and_deng():
    item = citable(authors=("甲一", "乙二", "丙三", "丁四"))
    assert gbt7714(item).startswith("甲一, 乙二, 丙三, 等. 三亚推行路长制[N].")


def test_an_estimated_date_is_marked_as_inferred():
    item = citable(outlet="简阳人论坛", is_post=True, published_on=None, estimated_year=2013, estimated_month=11)
    assert "([约2013-11?])" in gbt7714(item)


def test_a_page_without_authors_names_the_outlet_as_responsible():
    assert gbt7714(citable(authors=(), outlet="宣讲家")).startswith("宣讲家. 三亚推行路长制[EB/OL]. (2019-05-20)")


# Kinds of source


@pytest.mark.parametrize(("outlet", "is_post", "kind"), [
    ("海南日报", False, NEWS), ("新华社", False, NEWS), ("简阳人论坛", False, POST), ("人民公安报", True, POST),
    ("宣讲家", False, WEBPAGE),
])
def test_the_kind_of_source_follows_the_outlet_and_the_page(outlet, is_post, kind):
    assert citable(outlet=outlet, is_post=is_post).kind == kind


# Formats


def test_ris_has_type_authors_date_link_access_and_the_originals_hash():
    lines = ris(citable()).split("\r\n")
    assert lines[0] == "TY  - NEWS"
    assert {"AU  - 符明", "AU  - 李华", "T2  - 海南日报", "DA  - 2019/05/20/", "PY  - 2019",
            "UR  - https://archive.example/articles/7/", "Y2  - 2026-12-04"} <= set(lines)
    assert any(line.startswith("N1  - ") and "ab" * 32 in line for line in lines)
    assert lines[-2] == "ER  - "


def test_bibtex_escapes_what_tex_reads_as_commands():
    entry = bibtex(citable(outlet="100%_A&B日报"))
    assert entry.startswith("@article{archive7_2019,")
    assert r"journal = {100\%\_A\&B日报}" in entry
    assert "author = {{符明} and {李华}}" in entry


def test_csl_json_marks_an_estimated_date_as_circa():
    record = csl_json(citable(published_on=None, estimated_year=2013, estimated_month=None))
    assert record["issued"] == {"date-parts": [[2013]], "circa": True}
    assert record["type"] == NEWS and record["container-title"] == "海南日报"
    assert "日期为推断" in record["note"]


# Pages


@pytest.mark.django_db
def test_an_article_gives_its_reference_in_each_format_and_highwire_tags(client):
    from .test_views import make_article

    article = make_article(title="三亚推行路长制", outlet="海南日报", authors=["符明"], published_on=date(2019, 5, 20))
    response = client.get(f"/articles/{article.pk}/cite.ris")
    assert response["Content-Type"].startswith("application/x-research-info-systems")
    assert "TI  - 三亚推行路长制" in response.content.decode()
    assert "@article{" in client.get(f"/articles/{article.pk}/cite.bib").content.decode()
    (record,) = json.loads(client.get(f"/articles/{article.pk}/cite.json").content)
    assert record["URL"] == f"http://testserver/articles/{article.pk}/"
    assert client.get(f"/articles/{article.pk}/cite.doc").status_code == 404
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="citation_title" content="三亚推行路长制">' in page
    assert '<meta name="citation_author" content="符明">' in page
    assert '<meta name="citation_publication_date" content="2019/05/20">' in page


@pytest.mark.django_db
def test_a_search_gives_the_references_of_its_articles(client, search_index):
    import io

    from django.core.management import call_command

    from .conftest import FIXTURES

    call_command("import_dumps", str(FIXTURES), stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    found = client.get("/api/search", {"q": "路长制"}).json()["count"]
    text = client.get("/search.ris", {"q": "路长制"}).content.decode()
    assert found > 0 and text.count("TY  - ") == found
    assert client.get("/search.bib", {"q": "路长制"}).content.decode().count("@") == found
