"""A search as an Atom 1.0 feed (RFC 4287): the articles most recently added that match it.

Written with Django's own feed generator; the view asks the search for the matching ids.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags

from .models import Article
from .search.highlight import snippet
from .search.query import parse
from .search.service import SearchParams, highlight_words

FEED_ENTRIES = 50


def feed_title(params: SearchParams) -> str:
    described = [params.q and f"“{params.q}”", params.city and f"城市 {params.city}",
                 params.province and f"省份 {params.province}", params.initiative and f"举措 {params.initiative}",
                 params.outlet and f"来源 {params.outlet}",
                 (params.year_from or params.year_to) and f"{params.year_from or ''}–{params.year_to or ''} 年"]
    return "警务实践文章档案 · " + ("，".join(part for part in described if part) or "新收录的文章")


def search_feed(request, params: SearchParams, ids: list[int]) -> Atom1Feed:
    """The FEED_ENTRIES most recently added of `ids` (ids grow with each addition), newest first."""
    newest = sorted(ids, reverse=True)[:FEED_ENTRIES]
    articles = Article.objects.select_related("city").in_bulk(newest)
    words = highlight_words(parse(params.q)) if params.q else []
    search_url = request.build_absolute_uri(reverse("archive:search")) + _query(params)
    feed = Atom1Feed(
        title=feed_title(params), link=search_url, description="", language="zh-Hans",
        feed_url=request.build_absolute_uri(), feed_guid=request.build_absolute_uri(),
    )
    for pk in newest:
        article = articles.get(pk)
        if article is None:
            continue
        permalink = request.build_absolute_uri(article.get_absolute_url())
        feed.add_item(
            title=article.title, link=permalink, unique_id=permalink, description=strip_tags(
                snippet(article.plain_body, words)),
            updateddate=article.updated_at, pubdate=article.created_at,
            author_name="、".join(article.authors) or article.outlet or None,
        )
    return feed


def _query(params: SearchParams) -> str:
    query = params.as_query(page="")
    return f"?{urlencode(query)}" if query else ""
