"""The archive's pages: browsing by city and initiative, reading an article, and the search views."""

import csv
import hashlib
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from html import unescape
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.views import defaults
from django.views.decorators.http import condition

from . import charts, citations, officials, spread
from .candidates import evidence_summary
from .concordance import DEFAULT_WIDTH, MAX_WIDTH, concordance
from .concordance import MAX_ARTICLES as CONCORDANCE_ARTICLES
from .concordance import SORTS as CONCORDANCE_SORTS
from .export import csv_lines, csv_value, export_meta
from .feeds import search_feed
from .ingest.headings import body_blocks
from .ingest.script import to_simplified
from .middleware import API_METHODS, is_api, json_error, method_not_allowed
from .models import Article, ArticleVersion, City, Comment, Initiative, MergedArticle, Official, Script
from .outlets import outlet_of_slug, outlet_url, outlets_with_counts
from .search.highlight import highlight
from .search.interface import IndexUnavailable
from .search.query import parse
from .search.service import FACETS, SORTS, SearchParams, highlight_words, matching_ids, related_articles, search
from .slots import Streamed, take_slot
from .trends import MAX_QUERIES, Trends, read_period, trends

CSV_LIMIT = 5000
CONCORDANCE_PAGE = 500  # lines
EXPORT_CHUNK = 200  # articles read from the database at a time while an export streams
EXPORT_RETRY_AFTER = 30  # seconds, for a download refused while every export slot is taken
EXPORT_CPU_SHARE = 0.25  # of one processor, for each streaming download

PAGE_SIZE = 20
BROWSE_SORTS = {"newest": "最新在前", "oldest": "最早在前"}
# Which dates a list keeps: those the text states, those estimated from it (ingest.dates), or neither.
DATE_FILTERS = {"stated": "注明日期", "estimated": "推断年份", "undated": "日期不详"}
TOP = 8  # initiatives and cities named on the home page
TOP_CITIES = 3  # cities named beside each initiative in the list

logger = logging.getLogger(__name__)


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE, orphans=3)
    try:
        return paginator.page(request.GET.get("page", 1))
    except Exception as error:
        raise Http404("没有这一页") from error


def _sort(request) -> str:
    sort = request.GET.get("sort", "")
    return sort if sort in BROWSE_SORTS else "newest"


def _listing(request, articles) -> dict:
    """A sorted, paginated list of articles, filtered by kind of date, and what its template needs to
    keep the state in links. `total` counts them all, whatever the filter."""
    sort = _sort(request)
    dates = request.GET.get("dates", "")
    dates = dates if dates in DATE_FILTERS else ""
    page = _page(request, articles.with_dates(dates).with_related().sorted_by(sort))
    return {"page": page, "sort": sort, "sorts": BROWSE_SORTS, "dates": dates, "date_filters": DATE_FILTERS,
            "total": articles.count() if dates else page.paginator.count}


def _year_chart(articles, total: int, title: str, chart_id: str) -> SafeString:
    """Articles per year as a bar chart, estimated years in their own shade; those without either are
    counted beside it."""
    counts, estimated = articles.per_year(), articles.per_estimated_year()
    undated = total - sum(counts.values()) - sum(estimated.values())
    return charts.bar_chart(counts, title, chart_id=chart_id, undated=undated, estimated=estimated)


def home(request):
    articles = Article.objects.all()
    article_count = articles.count()
    return render(request, "archive/home.html", {
        "section": "home",
        "article_count": article_count,
        "city_count": City.objects.filter(articles__isnull=False).distinct().count(),
        "initiative_count": Initiative.objects.shown().occurring().count(),
        "top_initiatives": Initiative.objects.shown().with_article_counts().filter(article_count__gt=0)
        .order_by("-article_count", "name")[:TOP],
        "top_cities": City.objects.annotate(article_count=Count("articles")).filter(article_count__gt=0)
        .order_by("-article_count", "name")[:TOP],
        "latest": articles.with_related().order_by("-pk")[:10],  # ids grow with each addition (no table scan)
        "chart": _year_chart(articles, article_count, "每年的文章数", "home-years"),
    })


@dataclass
class ShownComment:
    """A forum reply as the page shows it (in the script the reader chose)."""

    author: str
    posted_at: datetime | None
    text: str
    quote_author: str
    quote_text: str

    @classmethod
    def of(cls, comment: Comment, convert) -> "ShownComment":
        return cls(comment.author, comment.posted_at, convert(comment.text), comment.quote_author,
                   convert(comment.quote_text))


def _marked(paragraph: str, words: list[str]) -> SafeString:
    """A paragraph escaped, words in <mark>, its line breaks kept."""
    return mark_safe(str(highlight(paragraph, words)).replace("\n", "<br>"))


def _numbered_marks(blocks: list[tuple[str, SafeString]]) -> list[tuple[str, SafeString]]:
    """Each <mark> of the text with an id, m0, m1 … in reading order: a concordance line links to its own."""
    numbered, count = [], 0
    for kind, html in blocks:
        pieces = str(html).split("<mark>")
        text = pieces[0]
        for piece in pieces[1:]:
            text += f'<mark id="m{count}">' + piece
            count += 1
        numbered.append((kind, mark_safe(text)))
    return numbered


def _concordance(request):
    params = SearchParams.from_data(request.GET)
    query = parse(params.q)
    width = _bounded_int(request.GET.get("width"), DEFAULT_WIDTH, 1, MAX_WIDTH)
    sort = request.GET.get("sort", "article")
    sort = sort if sort in CONCORDANCE_SORTS else "article"
    ids = matching_ids(params) if params.q and query.terms() else []
    lines, cut = concordance(ids, query, width, sort)
    return params, width, sort, lines, cut


def _bounded_int(text, default: int, lowest: int, highest: int) -> int:
    try:
        return min(max(int(text), lowest), highest)
    except (TypeError, ValueError):
        return default


def concordance_page(request):
    """Every occurrence of the search's words in context, 500 lines a page."""
    try:
        params, width, sort, lines, cut = _concordance(request)
    except IndexUnavailable as error:
        return index_unavailable(request, error)
    page = Paginator(lines, CONCORDANCE_PAGE).get_page(request.GET.get("page"))
    return render(request, "archive/concordance.html", {
        "section": "search", "params": params, "width": width, "sort": sort, "sorts": CONCORDANCE_SORTS,
        "page": page, "line_count": len(lines), "cut": cut, "max_articles": CONCORDANCE_ARTICLES,
    })


def concordance_csv(request):
    try:
        _params, _width, _sort, lines, _cut = _concordance(request)
    except IndexUnavailable as error:
        return index_unavailable(request, error)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="concordance.csv"'
    writer = csv.writer(response)
    writer.writerow(["article_id", "title", "published_on", "left", "match", "right"])
    for line in lines:
        writer.writerow([line.article_id, csv_value(line.title),
                         line.published_on.isoformat() if line.published_on else "",
                         csv_value(line.left), csv_value(line.match), csv_value(line.right)])
    return response


def _merged(pk):
    """The address of an article merged into another (its file turned out to be a copy) moves there."""
    merged = MergedArticle.objects.filter(old_id=pk).select_related("article").first()
    if not merged:
        raise Http404("没有这篇文章")
    return merged.article


def article_detail(request, pk):
    article = (
        Article.objects.with_related()
        .select_related("near_duplicate_of")
        .prefetch_related("comments", "officials", "import_records", "versions")
        .filter(pk=pk)
        .first()
    )
    if article is None:
        target = _merged(pk).get_absolute_url()
        return redirect(f"{target}?{request.GET.urlencode()}" if request.GET else target, permanent=True)
    q = request.GET.get("q", "").strip()[:200]
    words = highlight_words(parse(q)) if q else []
    simplified = article.script == Script.TRADITIONAL and request.GET.get("script") == "simplified"
    convert = to_simplified if simplified else str
    url = request.build_absolute_uri(article.get_absolute_url())
    return render(request, "archive/article_detail.html", {
        "article": article,
        "q": q,
        "simplified": simplified,
        "shown_lang": "zh-Hant" if article.script == Script.TRADITIONAL and not simplified else "zh-Hans",
        "title": highlight(convert(article.title), words),
        "blocks": _numbered_marks([(kind, _marked(convert(text), words)) for kind, text in article.blocks()]),
        "comments": [ShownComment.of(comment, convert) for comment in article.comments.all()],
        "initiatives": [i for i in article.initiatives.all() if i.is_shown],
        "records": article.import_records.all(),
        "near_duplicates": article.near_duplicates.all(),
        "versions": article.versions.all(),
        "related": related_articles(article),
        "citation": article.citation(url, timezone.localdate()),
        "permalink": url,
        "outlet_url": outlet_url(article.outlet) if article.outlet else None,
    })


def article_version(request, pk, number):
    """An earlier text of an article, as it stood before a re-import replaced it."""
    version = get_object_or_404(ArticleVersion.objects.select_related("article"), article_id=pk, number=number)
    return render(request, "archive/article_version.html", {
        "version": version,
        "article": version.article,
        "blocks": body_blocks(version.body),
    })


def article_original(request, pk):
    """The untouched dump, served as text (decoded as it was at import; the bytes are on disk as they came)."""
    article = get_object_or_404(Article.objects.select_related("original"), pk=pk)
    record = article.first_record()
    encoding = record.encoding if record and record.encoding else "utf-8"
    content = article.original.read_bytes().decode(encoding, errors="replace")
    return HttpResponse(content, content_type="text/plain; charset=utf-8")


@dataclass
class Province:
    name: str
    cities: list[City]

    @property
    def article_count(self) -> int:
        return sum(city.article_count for city in self.cities)


def city_list(request):
    cities = (City.objects.annotate(article_count=Count("articles")).filter(article_count__gt=0)
              .select_related("prefecture").order_by("province", "-article_count", "name"))
    provinces: dict[str, Province] = {}
    for city in cities:
        provinces.setdefault(city.province, Province(city.province, [])).cities.append(city)
    ordered = sorted(provinces.values(), key=lambda province: (-province.article_count, province.name))
    return render(request, "archive/city_list.html", {"section": "cities", "provinces": ordered})


@dataclass
class NamedOfficial:
    name: str
    roles: list[str]
    article_count: int


def officials_named_in(articles) -> list[NamedOfficial]:
    """The officials these articles name, one entry per name, with their roles and how many articles."""
    found: dict[str, tuple[dict[str, None], set[int]]] = {}
    rows = Official.objects.filter(article__in=articles.values("pk")).order_by().values_list("name", "role", "article")
    for name, role, article in rows:
        roles, seen_in = found.setdefault(name, ({}, set()))
        roles[role] = None
        seen_in.add(article)
    named = [NamedOfficial(name, list(roles), len(seen_in)) for name, (roles, seen_in) in found.items()]
    return sorted(named, key=lambda official: (-official.article_count, official.name))


def city_detail(request, slug):
    city = get_object_or_404(City.objects.select_related("prefecture"), slug=slug)
    articles = Article.objects.in_city(city)
    listing = _listing(request, articles)
    return render(request, "archive/city_detail.html", {
        "section": "cities",
        "city": city,
        **listing,
        "counties": city.county_cities.annotate(article_count=Count("articles")).filter(article_count__gt=0)
        .order_by("-article_count", "name"),
        "initiatives": Initiative.objects.shown().filter(articles__in=articles.values("pk"))
        .annotate(article_count=Count("articles")).order_by("-article_count", "name"),
        "officials": officials_named_in(articles),
        "mentioned_count": city.mentioned_in.count(),
        "chart": _year_chart(articles, listing["total"], f"{city.name}每年的文章数", "city-years"),
    })


def _add_figures(initiatives: list[Initiative]) -> None:
    """Give each initiative its article count, first and last date and `top_cities`, in Python.

    The same figures aggregated over joins made SQLite read every article row past its body
    (a second at 10,000 articles); these three queries read indexes only.
    """
    dates = dict(Article.objects.order_by().values_list("id", "published_on"))
    city_of = dict(Article.objects.order_by().filter(city__isnull=False).values_list("id", "city_id"))
    links = Article.initiatives.through.objects.filter(
        initiative__in=initiatives, article__near_duplicate_of__isnull=True
    ).values_list("initiative_id", "article_id")
    articles_of: dict[int, list[int]] = {}
    for initiative_id, article_id in links:
        articles_of.setdefault(initiative_id, []).append(article_id)
    cities = City.objects.in_bulk(set(city_of.values()))
    for initiative in initiatives:
        article_ids = articles_of.get(initiative.pk, [])
        known_dates = [dates[pk] for pk in article_ids if dates.get(pk)]
        initiative.article_count = len(article_ids)
        initiative.first_published = min(known_dates, default=None)
        initiative.last_published = max(known_dates, default=None)
        counts = Counter(city_of[pk] for pk in article_ids if pk in city_of)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], cities[item[0]].name))[:TOP_CITIES]
        initiative.top_cities = [
            {"name": cities[pk].name, "url": cities[pk].get_absolute_url(), "article_count": count}
            for pk, count in ranked
        ]


def initiative_list(request):
    initiatives = list(Initiative.objects.shown())
    _add_figures(initiatives)
    initiatives = [initiative for initiative in initiatives if initiative.article_count]  # only those that occur
    initiatives.sort(key=lambda initiative: (-initiative.article_count, initiative.name))
    return render(request, "archive/initiative_list.html", {"section": "initiatives", "initiatives": initiatives})


def official_list(request):
    """Every official the articles name (a name in a city), most named first; ?q= finds a name."""
    q = request.GET.get("q", "").strip()[:20]
    found = officials.people(q)
    page = Paginator(found, 100).get_page(request.GET.get("page"))
    return render(request, "archive/official_list.html", {"section": "officials", "page": page, "q": q,
                                                          "count": len(found)})


def official_detail(request, slug):
    """One official: roles over time, the cities, the articles naming them."""
    person = officials.person_of_slug(slug)
    if person is None:
        raise Http404("没有这位官员")
    articles = Article.objects.filter(pk__in=person.article_ids)
    listing = _listing(request, articles)
    return render(request, "archive/official_detail.html", {
        "section": "officials", "person": person, **listing,
        "roles": person.roles_over_time(),
    })


def outlet_list(request):
    return render(request, "archive/outlet_list.html", {"section": "outlets", "outlets": outlets_with_counts()})


def outlet_detail(request, slug):
    """An outlet's articles, per year, and the cities it covered."""
    name = outlet_of_slug(slug)
    if name is None:
        raise Http404("没有这个来源")
    articles = Article.objects.canonical().filter(outlet=name)
    listing = _listing(request, articles)
    return render(request, "archive/outlet_detail.html", {
        "section": "outlets",
        "outlet": name,
        **listing,
        "cities": City.objects.filter(articles__in=articles.values("pk")).annotate(article_count=Count("articles"))
        .order_by("-article_count", "name"),
        "chart": _year_chart(articles, listing["total"], f"{name}每年的文章数", "outlet-years"),
    })


def _spread(initiative, articles) -> dict:
    """The cities in the order they first reported the initiative, a chart of new cities per year
    and the provinces' tile grid."""
    rows = articles.canonical().exclude(city=None).values_list("city__name", "city__slug", "city__province",
                                                                "published_on")
    cities = spread.cities_in_order(
        (name, reverse("archive:city", args=[slug]), province, published_on)
        for name, slug, province, published_on in rows
    )
    return {
        "spread": cities,
        "spread_chart": charts.bar_chart(spread.new_cities_per_year(cities), f"{initiative.name}：每年新出现的城市",
                                         chart_id="spread-years", unit="个城市",
                                         undated=sum(1 for city in cities if city.first is None)),
        "tile_grid": spread.tile_grid(spread.first_years(cities), f"{initiative.name}：各省首次报道的年份",
                                      chart_id="spread-provinces"),
    }


def initiative_detail(request, slug):
    initiative = get_object_or_404(Initiative.objects.shown().prefetch_related("aliases"), slug=slug)
    articles = Article.objects.filter(initiatives=initiative)
    listing = _listing(request, articles)
    return render(request, "archive/initiative_detail.html", {
        "section": "initiatives",
        "initiative": initiative,
        "evidence": None if initiative.confirmed else evidence_summary(initiative),
        **_spread(initiative, articles),
        **listing,
        "cities": City.objects.filter(articles__initiatives=initiative)
        .annotate(article_count=Count("articles")).order_by("-article_count", "name"),
        "chart": _year_chart(articles, listing["total"], f"{initiative.name}：每年的文章数",
                             "initiative-years"),
    })


def about(request):
    articles = Article.objects.all()
    span = articles.aggregate(first=Min("published_on"), last=Max("published_on"))
    return render(request, "archive/about.html", {
        "section": "about",
        "article_count": articles.count(),
        "canonical_count": articles.canonical().count(),
        "traditional_count": articles.filter(script=Script.TRADITIONAL).count(),
        "city_count": City.objects.filter(articles__isnull=False).distinct().count(),
        "province_count": City.objects.filter(articles__isnull=False).values("province").distinct().count(),
        "initiative_count": Initiative.objects.shown().occurring().count(),
        "outlet_count": articles.exclude(outlet="").values("outlet").distinct().count(),
        "comment_count": Comment.objects.count(),
        "first": span["first"],
        "last": span["last"],
    })


def search_page(request):
    params = SearchParams.from_data(request.GET)
    try:
        results = search(params)
    except IndexUnavailable as error:
        return index_unavailable(request, error)
    return render(request, "search/search.html", {
        "section": "search",
        "results": results,
        "params": params,
        "sorts": SORTS,
        "facet_names": {"city": "城市", "initiative": "举措", "year": "年份", "outlet": "来源"},
    })


def _trends(request) -> Trends:
    by = "month" if request.GET.get("by") == "month" else "year"
    start = read_period(request.GET.get("from", ""), by)
    end = read_period(request.GET.get("to", ""), by, end=True)
    filters = SearchParams.from_data(request.GET)
    return trends(request.GET.getlist("q"), filters, by, start, end)


def trends_page(request):
    """Compare searches over time: counts and shares per year or month, as a line chart and a table."""
    try:
        found = _trends(request)
    except IndexUnavailable as error:
        return index_unavailable(request, error)
    queries = found.queries + [""] * (MAX_QUERIES - len(found.queries))
    return render(request, "archive/trends.html", {
        "section": "trends",
        "trends": found,
        "query_boxes": queries[: max(len(found.queries) + 1, 2)][:MAX_QUERIES],
        "params": SearchParams.from_data(request.GET),
        "city": City.objects.filter(slug=request.GET.get("city", "")).first(),
        "initiative": Initiative.objects.filter(slug=request.GET.get("initiative", "")).first(),
        "chart": charts.line_chart(found.periods, found.series(), "各检索占同期文章的比例",
                                   chart_id="trends") if found.queries else "",
        "csv_query": request.GET.urlencode(),
    })


def trends_csv(request):
    try:
        found = _trends(request)
    except IndexUnavailable as error:
        return index_unavailable(request, error)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="trends.csv"'
    writer = csv.writer(response)
    writer.writerow(["period", "query", "articles", "share"])
    for row in found.rows:
        writer.writerow([row.period, row.query, row.articles, "" if row.share is None else f"{row.share:.6f}"])
    return response


def api_view(view):
    """An API view: GET and HEAD only (anything else, OPTIONS included, is refused with 405: the API
    serves no other site's pages, so it answers no preflight), and JSON when the index cannot be
    read; 404 and 500 are JSON through the error handlers below."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        if request.method not in API_METHODS:
            return method_not_allowed(request)
        try:
            return view(request, *args, **kwargs)
        except IndexUnavailable as error:
            return index_unavailable(request, error)

    return answer


@api_view
def api_search(request):
    params = SearchParams.from_data(request.GET)
    results = search(params)
    return JsonResponse({
        "count": results.count,
        "partial": results.partial,  # the time limit was reached: count and results are of those found
        "refused": results.refused,  # over a limit of the query language: the notes say which
        "notes": results.notes,
        "page": results.page,
        "pages": results.pages,
        "results": [
            {
                "id": hit.article.pk,
                "title": hit.article.title,
                "url": request.build_absolute_uri(hit.article.get_absolute_url()),
                "published_on": hit.article.published_on.isoformat() if hit.article.published_on else None,
                "city": hit.article.city.name if hit.article.city else None,
                "province": hit.article.province or None,
                "outlet": hit.article.outlet,
                "initiatives": [i.name for i in hit.article.initiatives.all() if i.is_shown],
                "snippet": unescape(strip_tags(hit.snippet)),  # plain text: no <mark>, no &lt;
            }
            for hit in results.hits
        ],
        "facets": {
            name: [[facet.label, facet.count] for facet in results.facets.get(name, [])] for name in FACETS
        },
    }, json_dumps_params={"ensure_ascii": False})


@api_view
def api_cities(request):
    """Every city with canonical articles: name, slug, province, article count (most first)."""
    cities = (City.objects.annotate(article_count=Count("articles", filter=Q(articles__near_duplicate_of=None)))
              .filter(article_count__gt=0).order_by("-article_count", "slug"))
    return JsonResponse({"cities": [
        {"name": city.name, "slug": city.slug, "province": city.province, "article_count": city.article_count}
        for city in cities
    ]}, json_dumps_params={"ensure_ascii": False})


@api_view
def api_initiatives(request):
    """Every initiative the site shows that occurs: name, slug, confirmed, article count (most first)."""
    initiatives = (Initiative.objects.shown().with_article_counts().filter(article_count__gt=0)
                   .order_by("-article_count", "slug"))
    return JsonResponse({"initiatives": [
        {"name": initiative.name, "slug": initiative.slug, "confirmed": initiative.confirmed,
         "article_count": initiative.article_count}
        for initiative in initiatives
    ]}, json_dumps_params={"ensure_ascii": False})


@api_view
def api_article(request, pk):
    article = Article.objects.for_export().filter(pk=pk).first()
    if article is None:
        return redirect("archive:api_article", _merged(pk).pk, permanent=True)
    return JsonResponse(article.export_record(), json_dumps_params={"ensure_ascii": False})


def _archive_changed(request):
    """When any article last changed, and the newest id: a feed of any search is the same until then.
    Asked once a request (the ETag and Last-Modified both need it)."""
    if not hasattr(request, "archive_changed"):
        request.archive_changed = Article.objects.aggregate(changed=Max("updated_at"), newest=Max("pk"))
    return request.archive_changed


def _feed_etag(request):
    changed = _archive_changed(request)
    search = sorted(SearchParams.from_data(request.GET).as_query(page="", sort="").items())
    key = f"{search}|{changed['newest']}|{changed['changed']}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


@condition(etag_func=_feed_etag, last_modified_func=lambda request: _archive_changed(request)["changed"])
def search_atom(request):
    """Follow a search: its newest additions as Atom, cheap to poll (ETag and Last-Modified)."""
    params = SearchParams.from_data(request.GET)
    try:
        ids = matching_ids(params)
    except IndexUnavailable as error:
        return index_unavailable(request, error)
    feed = search_feed(request, params, ids)
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


# A reference in each format reference managers read: content type, file extension, writer.
CITATION_FORMATS = {
    "ris": ("application/x-research-info-systems; charset=utf-8", citations.ris),
    "bib": ("application/x-bibtex; charset=utf-8", citations.bibtex),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", None),
}
CITATIONS_LIMIT = 5_000  # articles in one /search.ris or /search.bib


def _citation_file(items: list, fmt: str, filename: str) -> HttpResponse:
    content_type, write = CITATION_FORMATS[fmt]
    body = citations.csl_json_text(items) if write is None else "\n".join(write(item) for item in items)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def article_cite(request, pk, fmt):
    """One article's reference as RIS, BibTeX or CSL-JSON, for Zotero, EndNote and the like."""
    if fmt not in CITATION_FORMATS:
        raise Http404("no such citation format")
    article = Article.objects.prefetch_related("comments", "versions").filter(pk=pk).first()
    if article is None:
        return redirect("archive:article_cite", _merged(pk).pk, fmt, permanent=True)
    url = request.build_absolute_uri(article.get_absolute_url())
    return _citation_file([article.citable(url, timezone.localdate())], fmt, f"article-{pk}")


def search_citations(request, fmt):
    """The references of a search's articles (up to CITATIONS_LIMIT), in its order; in one of the
    export slots, as the CSV download."""
    slot = take_slot(settings.ARCHIVE_DATA_DIR / "slots", settings.ARCHIVE_EXPORT_SLOTS)
    if slot is None:
        return _every_slot_taken()
    try:
        ids = matching_ids(SearchParams.from_data(request.GET))[:CITATIONS_LIMIT]
        accessed, items = timezone.localdate(), []
        for start in range(0, len(ids), EXPORT_CHUNK):
            chunk = ids[start : start + EXPORT_CHUNK]
            articles = Article.objects.prefetch_related("comments", "versions").in_bulk(chunk)
            items += [articles[pk].citable(request.build_absolute_uri(articles[pk].get_absolute_url()), accessed)
                      for pk in chunk if pk in articles]
    except IndexUnavailable as error:
        return index_unavailable(request, error)
    finally:
        slot.release()
    return _citation_file(items, fmt, "search-results")


def _every_slot_taken() -> HttpResponse:
    response = HttpResponse("其他下载正在进行，请稍后再试。\n", status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(EXPORT_RETRY_AFTER)
    return response


def _streamed_export(request, limit: int | None, parts, content_type: str, filename: str):
    """A search's export records, streamed: articles are read EXPORT_CHUNK at a time, and at most
    ARCHIVE_EXPORT_SLOTS exports run at once (the others are asked to come back later). The
    response's headers name the query, the time, the hits and the archive's version."""
    slot = take_slot(settings.ARCHIVE_DATA_DIR / "slots", settings.ARCHIVE_EXPORT_SLOTS)
    if slot is None:
        return _every_slot_taken()
    try:
        params = SearchParams.from_data(request.GET)
        ids = matching_ids(params)[:limit]
    except IndexUnavailable as error:
        slot.release()
        return index_unavailable(request, error)
    except BaseException:
        slot.release()
        raise
    meta = export_meta(params.as_query(page=""), len(ids), timezone.now())
    response = StreamingHttpResponse(Streamed(parts(request, ids, meta), slot.release), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Archive-Query"] = urlencode(meta["query"])
    response["X-Archive-Exported-At"] = meta["exported_at"]
    response["X-Archive-Hits"] = str(meta["hits"])
    response["X-Archive-Version"] = meta["archive_version"]
    return response


def search_csv(request):
    """Every result of a search (up to CSV_LIMIT), one export record per row."""
    return _streamed_export(request, CSV_LIMIT, _csv_parts, "text/csv; charset=utf-8", "search-results.csv")


def search_jsonl(request):
    """Every result of a search, no cap: a first line of kind "meta", then one export record a line."""
    return _streamed_export(request, None, _jsonl_parts, "application/x-ndjson; charset=utf-8",
                            "search-results.jsonl")


def _jsonl_parts(request, ids: list[int], meta: dict):
    yield json.dumps(meta, ensure_ascii=False) + "\n"
    for record in _export_records(request, ids):
        yield json.dumps(record, ensure_ascii=False) + "\n"


def _csv_parts(request, ids: list[int], meta: dict):
    yield "\ufeff"  # so spreadsheet programs read the file as UTF-8
    yield from csv_lines(_export_records(request, ids))


def _export_records(request, ids: list[int]):
    """The articles' export records in the order of `ids`, read a chunk at a time, at most
    EXPORT_CPU_SHARE of a processor: after each chunk the stream waits, its thread idle, so that
    searches and pages go on beside a long download."""
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk_started = time.thread_time()
        chunk = ids[start : start + EXPORT_CHUNK]
        articles = Article.objects.for_export().in_bulk(chunk)
        for pk in chunk:
            if pk in articles:
                record = articles[pk].export_record()
                record["url"] = request.build_absolute_uri(reverse("archive:article", args=[pk]))
                yield record
        if start + EXPORT_CHUNK < len(ids):
            time.sleep((time.thread_time() - chunk_started) * (1 / EXPORT_CPU_SHARE - 1))


# Error answers ----------------------------------------------------------------------------------
# The site's pages in its own style; JSON under /api/ (config/urls.py names these handlers).


def index_unavailable(request, error: IndexUnavailable):
    """503 while the search index cannot be read; browsing and article pages go on without it."""
    logger.error("search unavailable: %s; rebuild the index: manage.py check_archive --repair", error)
    if is_api(request):
        return json_error(503, "index unavailable", "检索索引需要重建：请在服务器上运行 "
                          "python manage.py check_archive --repair（或 python manage.py rebuild_index）。")
    return render(request, "503.html", {"section": "search"}, status=503)


def bad_request(request, exception):
    if is_api(request):
        return json_error(400, "bad request", "请求有误。")
    return defaults.bad_request(request, exception)


def not_found(request, exception):
    if is_api(request):
        return json_error(404, "not found", f"没有这个地址，或没有这篇文章：{request.path}")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return json_error(500, "server error", "服务器出错了：错误已记录，请稍后再试。")
    return defaults.server_error(request)
