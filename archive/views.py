from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import strip_tags

from .export import write_csv
from .models import Article, City, Initiative
from .search import FACETS, SORTS, SearchParams, related_articles, search

CSV_LIMIT = 5000

PAGE_SIZE = 20


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE, orphans=3)
    try:
        return paginator.page(request.GET.get("page", 1))
    except Exception as error:
        raise Http404("没有这一页") from error


def home(request):
    return render(request, "archive/home.html", {
        "article_count": Article.objects.count(),
        "city_count": City.objects.filter(articles__isnull=False).distinct().count(),
        "initiative_count": Initiative.objects.filter(confirmed=True).count(),
        "latest": Article.objects.with_related().order_by("-created_at", "-pk")[:10],
    })


def article_detail(request, pk):
    article = get_object_or_404(
        Article.objects.with_related().prefetch_related("comments", "officials", "places", "import_records"),
        pk=pk,
    )
    return render(request, "archive/article_detail.html", {
        "article": article,
        "initiatives": [i for i in article.initiatives.all() if i.confirmed],
        "records": article.import_records.all(),
        "near_duplicates": article.near_duplicates.all(),
        "related": related_articles(article),
    })


def article_original(request, pk):
    """The untouched dump, served as text (decoded as it was at import; the bytes are on disk as they came)."""
    article = get_object_or_404(Article.objects.select_related("original"), pk=pk)
    record = article.first_record()
    encoding = record.encoding if record and record.encoding else "utf-8"
    text = article.original.read_bytes().decode(encoding, errors="replace")
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


def city_list(request):
    cities = City.objects.annotate(article_count=Count("articles")).filter(article_count__gt=0)
    return render(request, "archive/city_list.html", {"cities": cities.order_by("province", "-article_count")})


def city_detail(request, slug):
    city = get_object_or_404(City, slug=slug)
    articles = Article.objects.with_related().filter(Q(city=city) | Q(city__prefecture=city)).distinct()
    return render(request, "archive/city_detail.html", {"city": city, "page": _page(request, articles)})


def initiative_list(request):
    initiatives = Initiative.objects.filter(confirmed=True).annotate(article_count=Count("articles"))
    return render(request, "archive/initiative_list.html", {"initiatives": initiatives.order_by("-article_count")})


def initiative_detail(request, slug):
    initiative = get_object_or_404(Initiative, slug=slug, confirmed=True)
    articles = initiative.articles.with_related()
    context = {"initiative": initiative, "page": _page(request, articles)}
    return render(request, "archive/initiative_detail.html", context)


def search_page(request):
    params = SearchParams.from_data(request.GET)
    results = search(params)
    return render(request, "search/search.html", {
        "results": results,
        "params": params,
        "sorts": SORTS,
        "facet_names": {"city": "城市", "initiative": "举措", "year": "年份", "outlet": "来源"},
    })


def api_search(request):
    params = SearchParams.from_data(request.GET)
    results = search(params)
    return JsonResponse({
        "count": results.count,
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
                "initiatives": [i.name for i in hit.article.initiatives.all() if i.confirmed],
                "snippet": strip_tags(hit.snippet),
            }
            for hit in results.hits
        ],
        "facets": {
            name: [[facet.label, facet.count] for facet in results.facets.get(name, [])] for name in FACETS
        },
    }, json_dumps_params={"ensure_ascii": False})


def api_article(request, pk):
    article = get_object_or_404(Article.objects.for_export(), pk=pk)
    return JsonResponse(article.export_record(), json_dumps_params={"ensure_ascii": False})


def search_csv(request):
    """Every result of a search (up to CSV_LIMIT), one export record per row."""
    params = SearchParams.from_data(request.GET)
    params.page = 1
    ids = [hit.article.pk for hit in search(params, page_size=CSV_LIMIT).hits]
    articles = Article.objects.for_export().in_bulk(ids)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search-results.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    records = [articles[pk].export_record() for pk in ids]
    for record in records:
        record["url"] = request.build_absolute_uri(reverse("archive:article", args=[record["id"]]))
    write_csv(response, records)
    return response
