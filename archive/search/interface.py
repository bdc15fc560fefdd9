"""The one interface between the archive and a search engine.

The archive asks an engine for exactly this; each engine the README offers implements all of it as
a haystack backend (chosen by the HAYSTACK_CONNECTIONS setting), so the page, the API, the exports,
the import and check_archive never depend on which engine answers. A query reaches the engine as
the structures below, never as a string to be parsed again.

Writing: `write()` and `delete()` change documents; nothing they do needs to be visible before
`commit()`. `cancel()` drops what was written since the last commit where the engine can roll
back; an engine that cannot may already show part of it. Either way the caller marks articles
indexed only after `commit()` returned, so whatever a cancel left half-done stays pending in the
database (`needs_indexing`) and is written again, whole, by the next indexing run: every write
replaces a document whole, so writing it twice is harmless.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from .documents import IndexedArticle

TEXT, TITLE = "text", "title"  # the two word fields: the whole text (headline included) and the headline
RELEVANCE, NEWEST, OLDEST = "relevance", "newest", "oldest"


class IndexLocked(Exception):
    """Another process holds the index's writer and does not let go; str(error) says who and what to do."""


class IndexUnavailable(Exception):
    """The index cannot be opened or read: damaged, missing files, or written by an older version
    of the code. str(error) names the index and the error; rebuilding it from the database fixes it."""


@dataclass(frozen=True)
class Word:
    """A word, or a longer word that holds it (公安 in 公安局)."""

    text: str
    field: str = TEXT


@dataclass(frozen=True)
class Character:
    """One character wherever it stands: as a word of its own or inside a longer word (鹰 in 鹰潭)."""

    text: str
    field: str = TEXT


@dataclass(frozen=True)
class Phrase:
    """Words next to each other, in this order."""

    words: tuple[str, ...]
    field: str = TEXT


@dataclass(frozen=True)
class Substring:
    """Characters next to each other exactly as given, however the text was cut into words: inside
    one word, or running across several (公安局长 finds 公安局 长, and 安局 finds 公安局). Spaces
    and punctuation, which the index does not hold, are not compared. At least two characters."""

    text: str
    field: str = TEXT


@dataclass(frozen=True)
class Near:
    """Words close together, in either order: each at most `distance` words away from one
    occurrence of the first (so two words: at most `distance` words between them)."""

    words: tuple[str, ...]
    distance: int = 10
    field: str = TEXT


@dataclass(frozen=True)
class AllOf:
    parts: tuple["Match", ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple["Match", ...]


Match = Word | Character | Phrase | Substring | Near | AllOf | AnyOf


@dataclass(frozen=True)
class Request:
    """What to find, how to order it, which slice of it to return and what to count.

    By relevance, matches are ranked by the first of `tiers` they also match (those matching none
    come last), then by score, then by article id.

    `filters` pairs a facet field with the values it may take (any of them); every filter must
    hold. Facet counts are over all matches; with `facets_ignore_own_filter` each facet's counts
    leave out that facet's own filter (so the page can offer the other values of a multiple choice).
    """

    match: Match | None = None  # None: every document
    exclude: tuple[Match, ...] = ()
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    sort: str = RELEVANCE
    tiers: tuple[Match, ...] = ()
    start: int = 0
    end: int | None = 20
    facets: tuple[str, ...] = ()
    facets_ignore_own_filter: bool = False
    # CPU seconds the engine may spend on it; past them it answers with the matches found so far
    # (Results.partial). None: no limit (exports, which run in a bounded number of slots).
    budget: float | None = None


@dataclass
class Results:
    ids: list[int]  # article ids of the slice asked for, in rank order; ties by article id
    scores: list[float]
    total: int  # every match, not just the slice
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # most frequent first
    partial: bool = False  # the budget ran out: only some of the matches, ranked as far as it went


# The facet fields every engine indexes (see documents.IndexedArticle); "month" gives per-month histograms.
FACET_FIELDS = ("city", "province", "initiatives", "outlet", "year", "month")


class SearchEngine(Protocol):
    def write(self, documents: Iterable[IndexedArticle], commit: bool = True) -> None: ...

    def delete(self, article_ids: Iterable[int], commit: bool = True) -> None: ...

    def commit(self) -> None: ...

    def cancel(self) -> None: ...

    def find(self, request: Request) -> Results: ...

    def matching_ids(self, request: Request) -> list[int]:
        """Every matching article id in rank order (exports, trends), without facets."""
        ...

    def more_like(self, article_id: int, text: str, limit: int) -> list[int]:
        """Articles most like this one (given its text), best first, leaving it out."""
        ...

    def entries(self) -> list[str]:
        """The id of every document the index holds (archive.article.12), for check_archive."""
        ...

    def wait_until_writable(self, timeout: float | None = None) -> None:
        """Return once a writer could start; raise IndexLocked naming the holder after `timeout`."""
        ...

    @property
    def write_batch(self) -> int:
        """Documents the engine wants in one write() call during a bulk import."""
        ...

    @property
    def segment_size(self) -> int:
        """Documents a bulk import may write before it should commit."""
        ...
