"""Outlets (the papers, agencies, sites and forums articles come from) and their pages' addresses.

An outlet is a name on articles, not a row of its own: its slug is the name's pinyin, with a
number after it for a second outlet whose name reads the same, in the order of the names.
"""

from django.db.models import Count, Max, Min
from django.urls import reverse

from .importer import pinyin_slug
from .models import Article


def _slugs(names) -> dict[str, str]:
    """Each outlet name's slug, numbered where two names read the same."""
    taken: dict[str, int] = {}
    slugs = {}
    for name in sorted(names):
        base = pinyin_slug(name)
        taken[base] = taken.get(base, 0) + 1
        slugs[name] = base if taken[base] == 1 else f"{base}-{taken[base]}"
    return slugs


def _names():
    return Article.objects.canonical().exclude(outlet="").order_by().values_list("outlet", flat=True).distinct()


def outlets_with_counts() -> list[dict]:
    """Every outlet of canonical articles: name, slug, url, article count, first and last date."""
    rows = (Article.objects.canonical().exclude(outlet="").order_by().values("outlet")
            .annotate(article_count=Count("pk"), first=Min("published_on"), last=Max("published_on")))
    slugs = _slugs(row["outlet"] for row in rows)
    outlets = [{"name": row["outlet"], "slug": slugs[row["outlet"]],
                "url": reverse("archive:outlet", args=[slugs[row["outlet"]]]), **row} for row in rows]
    return sorted(outlets, key=lambda outlet: (-outlet["article_count"], outlet["name"]))


def outlet_of_slug(slug: str) -> str | None:
    """The outlet name a slug stands for."""
    return next((name for name, found in _slugs(_names()).items() if found == slug), None)


def outlet_url(outlet: str) -> str | None:
    slug = _slugs(_names()).get(outlet)
    return reverse("archive:outlet", args=[slug]) if slug else None
