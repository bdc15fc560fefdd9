"""Does the archive agree with itself? The database, the stored originals and the search index, compared.

check() lists every mismatch as a Problem (one line naming ids and paths); repair() fixes what can
be fixed and says what cannot. An index that cannot be read at all is one problem, and its repair
is a rebuild from the database. Nothing here prints: the check_archive command does.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import Article, ImportRecord, Original
from .originals import copy_into_store, file_sha256
from .search.documents import article_id_of
from .search.indexing import engine, index_articles
from .search.interface import IndexUnavailable

INDEX_UNREADABLE = "index unreadable"
MISSING_FROM_INDEX = "missing from index"
PENDING = "pending"
ORPHAN_ENTRY = "orphan entry"
NEAR_DUPLICATE_ENTRY = "near-duplicate entry"
ORIGINAL_MISSING = "original missing"
ORIGINAL_DAMAGED = "original damaged"
NO_IMPORT_RECORD = "no import record"


@dataclass(frozen=True)
class Problem:
    kind: str
    text: str
    article_id: int | None = None
    entry: str = ""  # an index entry's id, e.g. archive.article.12
    sha256: str = ""


@dataclass
class Report:
    articles: int = 0
    originals: int = 0
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)

    def line(self) -> str:
        count = len(self.problems)
        return (f"checked {self.articles} articles, {self.originals} originals, {self.entries} index entries: "
                f"{count} problem{'' if count == 1 else 's'}")


def untracked(items: Iterable, total: int) -> Iterable:
    return items


def check(*, hash_originals: bool = True, track: Callable[[Iterable, int], Iterable] = untracked,
          using: str = "default") -> Report:
    """Every mismatch between the database, the originals and the index.

    `track` wraps the originals as they are checked (a progress bar); without `hash_originals`,
    originals are checked for presence and size only.
    """
    articles = dict(Article.objects.values_list("pk", "near_duplicate_of_id"))
    pending = set(Article.objects.filter(needs_indexing=True).values_list("pk", flat=True))
    try:
        entries = index_entries(using)
        problems = [
            *index_problems(articles, pending, entries),
            *(Problem(PENDING, f"article #{pk}: waiting to be indexed (needs_indexing is set)", pk)
              for pk in sorted(pending)),
        ]
    except IndexUnavailable as error:  # nothing in it can be compared: the rebuild indexes every article
        entries, problems = [], [Problem(INDEX_UNREADABLE, f"{error}: rebuild it from the database with "
                                         "`python manage.py check_archive --repair` (or `rebuild_index`)")]
    originals = list(Original.objects.order_by("sha256").values_list("sha256", "size"))
    problems += [
        *record_problems(),
        *original_problems(track(originals, len(originals)), hash_originals),
    ]
    return Report(len(articles), len(originals), len(entries), problems)


def index_entries(using: str = "default") -> list[str]:
    """The id of every document in the search index (e.g. archive.article.12)."""
    return engine(using).entries()


def index_problems(articles: dict[int, int | None], pending: set[int], entries: list[str]) -> list[Problem]:
    """Entries that should not be in the index, and canonical articles it lacks (near-duplicates are
    deliberately not indexed: see ArticleIndex.index_queryset)."""
    problems, indexed = [], set()
    for entry in sorted(entries):
        pk = article_id_of(entry)
        if pk not in articles:
            problems.append(Problem(ORPHAN_ENTRY, f"index entry {entry}: no such article", entry=entry))
        elif articles[pk] is not None:
            problems.append(Problem(NEAR_DUPLICATE_ENTRY, f"index entry {entry}: article #{pk} is a near-duplicate "
                                    f"of #{articles[pk]} and should not be listed", pk, entry))
        else:
            indexed.add(pk)
    for pk in sorted(articles):
        if articles[pk] is None and pk not in indexed and pk not in pending:
            problems.append(Problem(MISSING_FROM_INDEX, f"article #{pk}: not in the search index", pk))
    return problems


def record_problems() -> list[Problem]:
    orphans = Article.objects.filter(import_records__isnull=True).order_by("pk")
    return [
        Problem(NO_IMPORT_RECORD, f"article #{article.pk} “{article.title}”: no import record "
                f"(its file was {article.source_name}, original {article.original_id})", article.pk)
        for article in orphans.only("pk", "title", "source_name", "original_id")
    ]


def original_problems(originals: Iterable[tuple[str, int]], hash_originals: bool) -> list[Problem]:
    problems = []
    for sha256, size in originals:
        path = Original.path_for(sha256)
        fault = original_fault(path, sha256, size, hash_originals)
        if fault:
            kind = ORIGINAL_MISSING if fault == "missing" else ORIGINAL_DAMAGED
            problems.append(Problem(kind, f"original {path}: {fault}; {users_of(sha256)}", sha256=sha256))
    return problems


def original_fault(path: Path, sha256: str, size: int, hash_original: bool) -> str:
    """What is wrong with a stored original, or "" when its bytes are the ones its name promises."""
    try:
        stored = path.stat().st_size
        if stored != size:
            return f"damaged ({stored} bytes, not {size})"
        if hash_original and (actual := file_sha256(path)) != sha256:
            return f"damaged (its bytes hash to {actual})"
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    return ""


def users_of(sha256: str) -> str:
    """The articles and import records that refer to an original, for a problem's line."""
    articles = [f"article #{pk} “{title}”" for pk, title in
                Article.objects.filter(original_id=sha256).order_by("pk").values_list("pk", "title")]
    records = [f"import record {path} ({status})" for path, status in
               ImportRecord.objects.filter(original_id=sha256).order_by("path").values_list("path", "status")]
    return "used by " + ", ".join(articles + records) if articles or records else "used by nothing"


def repair(report: Report, using: str = "default") -> list[str]:
    """Fix what can be fixed; one line per action, and one per problem that cannot be fixed."""
    lines = []
    if any(problem.kind == INDEX_UNREADABLE for problem in report.problems):
        lines.append(rebuild_index(using))
    reindex = sorted({problem.article_id for problem in report.problems
                      if problem.kind in (MISSING_FROM_INDEX, PENDING, NEAR_DUPLICATE_ENTRY)})
    if reindex:
        index_articles(reindex, using)  # indexes canonical articles, removes near-duplicates
        lines.append(f"re-indexed {len(reindex)} article{'s' * (len(reindex) != 1)}: "
                     f"{', '.join(f'#{pk}' for pk in reindex)}")
    for problem in report.problems:
        if problem.kind == ORPHAN_ENTRY:
            engine(using).remove(problem.entry)
            lines.append(f"removed index entry {problem.entry}")
        elif problem.kind in (ORIGINAL_MISSING, ORIGINAL_DAMAGED):
            lines.append(restore_original(problem))
        elif problem.kind == NO_IMPORT_RECORD:
            lines.append(f"cannot repair: {problem.text}: the path it was imported from is not recorded anywhere")
    return lines


def rebuild_index(using: str = "default") -> str:
    """A new index, every article indexed into it (the files of the old one are deleted unread)."""
    engine(using).clear()
    indexed = index_articles(Article.objects.values_list("pk", flat=True), using)
    return f"rebuilt the search index: {indexed} article{'s' * (indexed != 1)} indexed"


def restore_original(problem: Problem) -> str:
    """Copy an original back from a source file that still holds the same bytes, if any does."""
    sources = sorted(set(ImportRecord.objects.filter(original_id=problem.sha256).values_list("path", flat=True)))
    for source in sources:
        try:
            if file_sha256(Path(source)) == problem.sha256 and copy_into_store(Path(source))[0] == problem.sha256:
                return f"restored original {problem.sha256} from {source}"
        except OSError:
            continue
    where = f"its source files ({', '.join(sources)}) no longer hold them" if sources else "no source file is known"
    return f"cannot repair: {problem.text}: its bytes are lost from the archive and {where}"
