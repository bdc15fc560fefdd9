"""Index and query the plain recipe (run by bench/run.py in child processes, with bench.plain.settings)."""

import math
import time
from datetime import date

from haystack import connections
from haystack.inputs import AutoQuery
from haystack.query import SQ, SearchQuerySet

from archive.models import Article
from archive.search.query import Term, parse

BATCH = 1000  # haystack's update_index default: one Whoosh writer commit per batch
PAGE_SIZE = 20


def build_index(limit: int) -> dict:
    """Index the first `limit` articles with haystack's single writer, in batches; return the figures."""
    from bench.search import text_bytes

    backend = connections["default"].get_backend()
    index = connections["default"].get_unified_index().get_index(Article)
    backend.clear()
    ids = list(index.index_queryset().values_list("pk", flat=True)[:limit])
    started = time.perf_counter()
    for start in range(0, len(ids), BATCH):
        batch = list(index.index_queryset().filter(pk__in=ids[start : start + BATCH]))
        backend.update(index, batch)
    seconds = time.perf_counter() - started
    backend.index = backend.index.refresh()
    return {
        "articles": backend.index.doc_count(),
        "seconds": seconds,
        "text_bytes": text_bytes(Article.objects.filter(pk__in=ids)),
    }


def _term(term: Term) -> SQ:
    text = f'"{term.text}"' if term.phrase else term.text
    return SQ(**{"title" if term.in_title else "content": AutoQuery(text)})


def _with_words(sqs: SearchQuerySet, q: str) -> SearchQuerySet:
    """auto_query, as the recipe's users write it; OR and title: (words to auto_query) through SQ."""
    query = parse(q)
    terms = query.terms() + query.excluded
    if all(len(group) == 1 for group in query.groups) and not any(term.in_title for term in terms):
        return sqs.auto_query(q)
    for group in query.groups:
        either = _term(group[0])
        for term in group[1:]:
            either = either | _term(term)
        sqs = sqs.filter(either)
    for term in query.excluded:
        sqs = sqs.exclude(_term(term))
    return sqs


def queryset(params: dict) -> SearchQuerySet:
    """The search page's parameters as a SearchQuerySet (no facets: the recipe has none)."""
    sqs = SearchQuerySet()
    if params.get("q"):
        sqs = _with_words(sqs, params["q"])
    if params.get("city"):
        sqs = sqs.filter(city=params["city"])
    if params.get("initiative"):
        sqs = sqs.filter(initiatives=params["initiative"])
    if params.get("from"):
        sqs = sqs.filter(published_on__gte=date(int(params["from"]), 1, 1))
    if params.get("to"):
        sqs = sqs.filter(published_on__lte=date(int(params["to"]), 12, 31))
    if params.get("sort") == "newest" or not params.get("q"):
        sqs = sqs.order_by("-published_on")
    return sqs


def search(params: dict) -> int:
    """The exact count, then one page of hits, as Django's Paginator in haystack's SearchView asks
    (two searches); a page past the end shows the last, as the archive's page does. No page is rendered."""
    sqs = queryset(params)
    count = sqs.count()
    page = min(int(params.get("page", 1)), max(1, math.ceil(count / PAGE_SIZE)))
    list(sqs[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return count
