"""Trends: for up to six searches, the articles each finds per year or month, and their share of
all the archive's articles dated in that period under the same filters.

The counts are the search's own (search.service.period_counts): a period's count is what the
search page finds for the query with from/to set to that period. Near-duplicates are not in the
index, so they are never counted. Only dates the texts state count; estimated years (ingest.dates)
are left out, and the page says so.
"""

import re
from dataclasses import dataclass, replace

from .search.service import SearchParams, period_counts

MAX_QUERIES = 6
_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


@dataclass(frozen=True)
class Row:
    period: str
    query: str
    articles: int
    share: float | None  # of the period's dated articles under the same filters; None when it has none


@dataclass
class Trends:
    queries: list[str]
    by: str
    periods: list[str]
    rows: list[Row]
    partial: bool = False
    notes: list[str] | None = None

    def series(self) -> list[tuple[str, list[float]]]:
        """Each query's share per period, in per cent (0 where a period has no dated articles)."""
        share = {(row.query, row.period): (row.share or 0) * 100 for row in self.rows}
        return [(query, [share[(query, period)] for period in self.periods]) for query in self.queries]

    def table(self) -> list[tuple[str, list[Row]]]:
        by_period = {}
        for row in self.rows:
            by_period.setdefault(row.period, []).append(row)
        return [(period, by_period[period]) for period in self.periods]


def read_period(text: str, by: str, end: bool = False) -> str | None:
    """"2013" or "2013-05" as a period key of `by` ("2013-05" for months); None when malformed."""
    match = _PERIOD_RE.match(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2)) if match.group(2) else None
    if not 1900 <= year <= 2100 or (month is not None and not 1 <= month <= 12):
        return None
    if by == "year":
        return str(year)
    return f"{year}-{month or (12 if end else 1):02d}"


def _every_period(first: str, last: str, by: str) -> list[str]:
    if by == "year":
        return [str(year) for year in range(int(first), int(last) + 1)]
    periods, (year, month) = [], map(int, first.split("-"))
    while f"{year}-{month:02d}" <= last:
        periods.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def trends(queries: list[str], filters: SearchParams, by: str, start: str | None, end: str | None) -> Trends:
    """The rows of a trends page: every period from the first to the last dated article found (or
    from `start` to `end`), each query's count and share in it."""
    queries = list(dict.fromkeys(q.strip()[:200] for q in queries if q.strip()))[:MAX_QUERIES]
    # The years bound the searches; months are cut to the range below.
    years = replace(filters, q="", page=1, sort="relevance",
                    year_from=int(start[:4]) if start else None, year_to=int(end[:4]) if end else None)
    everything = period_counts(years, by)
    found = {query: period_counts(replace(years, q=query), by) for query in queries}
    keys = {*everything.counts, *(key for counted in found.values() for key in counted.counts)}
    keys = {key for key in keys if (start is None or key >= start) and (end is None or key <= end)}
    periods = _every_period(start or min(keys), end or max(keys), by) if keys or (start and end) else []
    rows = [
        Row(period, query, found[query].counts.get(period, 0),
            found[query].counts.get(period, 0) / everything.counts[period] if everything.counts.get(period) else None)
        for period in periods for query in queries
    ]
    notes = [note for counted in found.values() for note in counted.notes]
    partial = everything.partial or any(counted.partial for counted in found.values())
    return Trends(queries, by, periods, rows, partial, list(dict.fromkeys(notes)))
