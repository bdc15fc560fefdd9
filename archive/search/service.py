"""The one search function behind the search page, the JSON API and the CSV download.

Words, filters, sorting and facet counts all go to the engine as one interface.Request; a search
without words browses (newest first). The result is a page of articles from the database with snippets,
and counts per city, initiative, year and outlet over the whole result set.
"""

import difflib
import math
import time
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from django.utils.safestring import SafeString

from ..ingest.extract import EARLIEST_YEAR
from ..models import Article, City, Initiative
from . import words as text
from .documents import cut, outlet_term
from .highlight import highlight, snippet
from .indexes import sync_dictionary
from .indexing import engine
from .interface import (
    NEWEST,
    OLDEST,
    RELEVANCE,
    TEXT,
    TITLE,
    AllOf,
    AnyOf,
    Character,
    Match,
    Near,
    Phrase,
    Request,
    Substring,
    Word,
)
from .query import NEAR_DISTANCE, Query, Term, parse

PAGE_SIZE = 20
# CPU seconds one search may spend in the engine, the suggestions for a search without hits
# included; past it the page shows what was found, marked partial (interface.Request.budget).
SEARCH_BUDGET = 0.2
MAX_SUGGESTION_ATTEMPTS = 4  # searches without one of the words, for a search that found nothing
SORTS = {"relevance": "相关度", "newest": "最新", "oldest": "最早"}
FACETS = ("city", "initiative", "year", "outlet")
FACET_LIMIT = 30


def _integer(value, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@dataclass
class SearchParams:
    q: str = ""
    city: str = ""
    province: str = ""
    initiative: str = ""
    outlet: str = ""
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1

    @classmethod
    def from_data(cls, data) -> "SearchParams":
        """Read request parameters; anything malformed falls back to its default."""

        def get(name):
            value = data.get(name, "")
            # NUL is no character anyone searches for, and PostgreSQL refuses it in a query.
            return value.replace("\x00", "").strip()[:200] if isinstance(value, str) else ""

        sort = get("sort")
        return cls(
            q=get("q"),
            city=get("city"),
            province=get("province"),
            initiative=get("initiative"),
            outlet=get("outlet"),
            year_from=_integer(get("from"), 1900, 2100),
            year_to=_integer(get("to"), 1900, 2100),
            sort=sort if sort in SORTS else "relevance",
            page=_integer(get("page"), 1, 10_000) or 1,
        )

    def as_query(self, **changes) -> dict:
        """The URL parameters of this search (with changes), for links that keep the state."""
        values = {
            "q": self.q, "city": self.city, "province": self.province, "initiative": self.initiative,
            "outlet": self.outlet, "from": self.year_from, "to": self.year_to,
            "sort": "" if self.sort == "relevance" else self.sort, "page": "" if self.page == 1 else self.page,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value not in ("", None)}

    def has_filters(self) -> bool:
        return any([self.city, self.province, self.initiative, self.outlet, self.year_from, self.year_to])


@dataclass
class Hit:
    """One result; its highlighted title and snippet are made only when shown (not for CSV)."""

    article: Article
    words: list[str]

    @cached_property
    def title(self) -> SafeString:
        return highlight(self.article.title, self.words)

    @cached_property
    def snippet(self) -> SafeString:
        return snippet(self.article.plain_body, self.words)


@dataclass
class FacetValue:
    value: str  # what goes into the URL
    label: str
    count: int


@dataclass
class SearchResults:
    params: SearchParams
    query: Query
    count: int = 0
    page: int = 1
    pages: int = 1  # a search without hits still has its one (empty) page
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestions: list[tuple[str, str]] = field(default_factory=list)  # (label, query string)
    words: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the query was read, and what to type instead
    refused: bool = False  # over a limit of the query language (the notes say which): not searched
    partial: bool = False  # the budget ran out: `count` is of the articles found so far, not all

    def count_label(self) -> str:
        return f"至少 {self.count}" if self.partial else str(self.count)


def _term_match(term: Term) -> Match | None:
    field_name = TITLE if term.in_title else TEXT
    unspaced = "".join(term.text.split())
    folded = text.normalise(unspaced)
    if len(folded) == 1 and not folded.isascii():  # one character: wherever it stands, in either script
        return Character(folded, field_name)
    found = text.words(term.text)
    if not found:
        return None
    if term.near and len(found) > 1:
        return Near(tuple(found), term.near, field_name)
    if term.phrase and not folded.isascii():  # a quoted string: its characters as typed, however cut
        return Substring("".join(found), field_name) if len("".join(found)) > 1 else Character(found[0], field_name)
    if term.phrase and len(found) > 1:  # quoted Latin letters and digits: these words, whole, in this order
        return Phrase(tuple(found), field_name)
    # Each word itself or a longer word that holds it (公安 in 公安局): both are one term.
    return _combined(AllOf, [Word(word, field_name) for word in found])


def _combined(kind: type[AllOf] | type[AnyOf], parts: list[Match]) -> Match:
    """One part alone, or the parts joined by `kind`."""
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def _index_query(query: Query) -> tuple[Match | None, tuple[Match, ...]]:
    """The query's words as the engine's structures: what must match, and what must not."""
    required = []
    for group in query.groups:
        alternatives = [match for match in map(_term_match, group) if match is not None]
        if alternatives:
            required.append(_combined(AnyOf, alternatives))
    excluded = tuple(match for match in map(_term_match, query.excluded) if match is not None)
    return (_combined(AllOf, required) if required else None), excluded


def in_title(match: Match) -> Match:
    """The same match, in the headline."""
    if isinstance(match, Word | Character | Phrase | Substring | Near):
        return replace(match, field=TITLE)
    return type(match)(tuple(in_title(part) for part in match.parts))


def _tiers(required: Match | None) -> tuple[Match, ...]:
    """The order of relevance: articles whose headline holds the query, then those holding its words
    as a phrase (one character: as a word of its own), then within NEAR_DISTANCE words; then the
    rest, each tier by score."""
    if required is None:
        return ()
    tiers = [in_title(required)]
    if isinstance(required, Character) and required.field == TEXT:  # one character: standing alone as a word
        tiers.append(Word(required.text, TEXT))
    parts = required.parts if isinstance(required, AllOf) else ()
    if len(parts) > 1 and all(isinstance(part, Word) and part.field == TEXT for part in parts):
        found = tuple(part.text for part in parts)
        tiers += [Phrase(found), Near(found, NEAR_DISTANCE)]
    return tuple(tiers)


@dataclass
class _Filters:
    """The filters resolved against the database; `impossible` when one names nothing we have."""

    city: City | None = None
    province: str = ""
    initiative: Initiative | None = None
    outlet: str = ""
    years: list[int] | None = None  # None: any date, dated or not
    impossible: bool = False


def _resolve(params: SearchParams) -> _Filters:
    filters = _Filters(province=params.province, outlet=params.outlet)
    if params.city:
        filters.city = City.objects.filter(slug=params.city).first()
        filters.impossible |= filters.city is None
    if params.initiative:
        filters.initiative = Initiative.objects.shown().filter(slug=params.initiative).first()
        filters.impossible |= filters.initiative is None
    if params.year_from or params.year_to:
        # Dates come from the text and are never later than the import, nor before 1990.
        first, last = params.year_from or EARLIEST_YEAR, min(params.year_to or date.today().year, date.today().year)
        filters.years = list(range(max(first, EARLIEST_YEAR), last + 1))
        filters.impossible |= not filters.years
    return filters


def _index_filters(filters: _Filters) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The filters as the engine's facet fields and the values each may take."""
    found = []
    if filters.city:
        found.append(("city", (str(filters.city.pk),)))
    if filters.province:
        found.append(("province", ("".join(filters.province.split()),)))
    if filters.initiative:
        found.append(("initiatives", (str(filters.initiative.pk),)))
    if filters.outlet:
        found.append(("outlet", (outlet_term(filters.outlet),)))
    if filters.years is not None:
        found.append(("year", tuple(str(year) for year in filters.years)))
    return tuple(found)


def _facets_from_counts(counts: dict[str, dict[str, int]]) -> dict[str, list[FacetValue]]:
    """Facet counts keyed by ids (city, initiative) or values (year, outlet), with names and slugs."""
    counts = {name: {str(key): n for key, n in values.items() if key} for name, values in counts.items()}
    cities = City.objects.in_bulk([int(pk) for pk in counts.get("city", {}) if pk.isdigit()])
    initiatives = Initiative.objects.shown().in_bulk(
        [int(pk) for pk in counts.get("initiative", {}) if pk.isdigit()]
    )
    facets = {
        "city": [FacetValue(cities[int(pk)].slug, cities[int(pk)].name, n)
                 for pk, n in counts.get("city", {}).items() if pk.isdigit() and int(pk) in cities],
        "initiative": [FacetValue(initiatives[int(pk)].slug, initiatives[int(pk)].shown_name, n)
                       for pk, n in counts.get("initiative", {}).items() if pk.isdigit() and int(pk) in initiatives],
        "year": [FacetValue(year, year, n) for year, n in counts.get("year", {}).items()],
        "outlet": [FacetValue(outlet, outlet, n) for outlet, n in counts.get("outlet", {}).items()],
    }
    for name, values in facets.items():
        if name == "year":
            values.sort(key=lambda facet: facet.value, reverse=True)
        else:
            values.sort(key=lambda facet: (-facet.count, facet.label))
            del values[FACET_LIMIT:]
    return facets


def _hits(articles: list[Article], words: list[str]) -> list[Hit]:
    return [Hit(article, words) for article in articles]


def _paged(params: SearchParams, count: int, size: int) -> tuple[int, int, int, int]:
    pages = max(1, math.ceil(count / size))
    page = min(params.page, pages)
    return page, pages, (page - 1) * size, page * size


def highlight_words(query: Query) -> list[str]:
    """The words a search marks in a text: each term as typed and the words it is cut into."""
    found = []
    for term in query.terms():
        found.append(term.text)
        found.extend(text.words(term.text))
    return [word for word in dict.fromkeys(found) if word.strip()]


def _request(results: SearchResults) -> Request | None:
    """The engine's request for a search, or None when there is nothing to search (the results'
    notes then say why)."""
    params, query = results.params, results.query
    results.notes = list(query.notes)
    if query.refused:
        results.refused = True
        results.notes.append(query.refused)
        return None
    if query.is_unsearchable():
        if not query.excluded:
            results.notes.append(f"“{params.q}”里没有可检索的字词：请输入要查找的中文词语、数字或字母。")
            return None
        if not params.has_filters():  # excluding alone would mean "everything but": not a search
            results.notes.append("只有要排除的词：请再输入要查找的词，或先选一个筛选条件（城市、举措、年份……），"
                                 "在它的文章里排除。")
            return None
    filters = _resolve(params)
    if filters.impossible:
        return None
    sync_dictionary()
    required, excluded = _index_query(query)
    results.words = highlight_words(query)
    # Words or not, the index answers: without words it browses, filters and facets alike.
    sort = params.sort if params.sort in (NEWEST, OLDEST) else (NEWEST if required is None else RELEVANCE)
    return Request(match=required, exclude=excluded, filters=_index_filters(filters), sort=sort,
                   tiers=_tiers(required), facets=("city", "initiatives", "year", "outlet"))


@dataclass
class PeriodCounts:
    """How many articles a search finds in each year ("2013") or month ("2013-05") of their date."""

    counts: dict[str, int]
    partial: bool = False  # the budget ran out: counts of the articles found so far
    notes: list[str] = field(default_factory=list)


def period_counts(params: SearchParams, by: str = "year") -> PeriodCounts:
    """The search's own counts per period (the facet of its date), under the search's budget: a
    period's count is what the search finds with from/to set to it."""
    results = SearchResults(params=params, query=parse(params.q))
    started = time.thread_time()
    request = _request(results)
    if request is None:
        return PeriodCounts({}, notes=results.notes)
    field_name = "month" if by == "month" else "year"
    found = engine().find(replace(request, start=0, end=0, facets=(field_name,), budget=_left(started)))
    counts = {str(period): count for period, count in found.facets.get(field_name, []) if period}
    return PeriodCounts(counts, found.partial, results.notes)


def matching_ids(params: SearchParams) -> list[int]:
    """Every article id a search finds, in its order, without a budget: for exports, which run in a
    bounded number of slots, and must never be a part of the search in silence."""
    request = _request(SearchResults(params=params, query=parse(params.q)))
    return [] if request is None else engine().matching_ids(replace(request, start=0, end=None, facets=()))


def search(params: SearchParams, page_size: int = PAGE_SIZE) -> SearchResults:
    results = SearchResults(params=params, query=parse(params.q))
    request = _request(results)
    if request is None:
        return results
    # One pass gives the page, the count and the facets; a page past the end shows the last.
    asked = (params.page - 1) * page_size
    started = time.thread_time()  # the budget is for the engine's work: the words were cut before
    found = engine().find(replace(request, start=asked, end=asked + page_size, budget=_left(started)))
    results.count = found.total
    results.page, results.pages, start, end = _paged(params, results.count, page_size)
    if start != asked:
        found = engine().find(replace(request, start=start, end=end, budget=_left(started)))
    if found.partial:
        results.partial = True
        results.notes.append("检索超过了时间限制，结果不完整：只列出了已找到的文章，数目和分类统计也只算这些。"
                             "请加词、加引号或筛选，缩小检索范围。")
    ids = found.ids
    by_id = Article.objects.with_related().in_bulk(ids)
    results.hits = _hits([by_id[pk] for pk in ids if pk in by_id], results.words)
    results.facets = _facets_from_counts({
        "city": dict(found.facets["city"]),
        "initiative": dict(found.facets["initiatives"]),
        "year": dict(found.facets["year"]),
        "outlet": dict(found.facets["outlet"]),
    })
    if results.count == 0 and not results.query.is_empty() and not results.partial:
        results.suggestions = suggestions(results.query, started)
    return results


def _left(started: float) -> float:
    """What is left of a search's budget, which began at `started` (time.thread_time())."""
    return max(0.0, SEARCH_BUDGET - (time.thread_time() - started))


def suggestions(query: Query, started: float) -> list[tuple[str, str]]:
    """For a search with no hits: the query without one of its words (the first few, within what
    is left of the search's budget), and close initiative names."""
    found = []
    terms = [group[0] for group in query.groups]
    if len(terms) > 1:
        for dropped in terms[:MAX_SUGGESTION_ATTEMPTS]:
            rest = " ".join(term.text if not term.phrase else f'"{term.text}"' for term in terms if term != dropped)
            required, _ = _index_query(parse(rest))
            if required is None:
                continue
            tried = engine().find(Request(match=required, end=0, budget=_left(started)))
            if tried.partial:  # the budget is spent: no more attempts
                break
            if tried.total:
                found.append((f"去掉“{dropped.text}”", rest))
    names = list(Initiative.objects.filter(confirmed=True).values_list("name", flat=True))
    for term in terms:
        for name in difflib.get_close_matches(text.normalise(term.text), names, n=3, cutoff=0.5):
            if name != term.text:
                found.append((name, name))
    return list(dict.fromkeys(found))[:6]


def related_articles(article: Article, limit: int = 5) -> list[Article]:
    """Articles most like this one in the index, leaving out itself and its near-duplicates."""
    if article.near_duplicate_of_id:
        article = article.near_duplicate_of
    try:
        ids = engine().more_like(article.pk, cut(article.title, article.body).text, limit + 5)
    except Exception:  # the index may not hold this article yet; the page still renders
        return []
    same = {article.pk, *article.near_duplicates.values_list("pk", flat=True)}
    by_id = Article.objects.with_related().in_bulk([pk for pk in ids if pk not in same])
    return [by_id[pk] for pk in ids if pk in by_id][:limit]
