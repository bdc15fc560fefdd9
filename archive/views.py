from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Article, City, Initiative

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
