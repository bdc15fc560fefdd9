"""The only part of the import that touches the database and the data folder.

Each file is one transaction: its original bytes are stored first (content-addressed, written
atomically), then the article, its links and the import record are saved together or not at all.
"""

import hashlib
import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path

from django.db import connections as db_connections
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from pypinyin import lazy_pinyin

from .ingest import dedupe
from .ingest.draft import ArticleDraft
from .ingest.files import TooLarge, read_dump
from .ingest.gazetteer import Gazetteer, Place
from .ingest.initiatives import InitiativeMatcher
from .ingest.pipeline import DumpError, parse_dump
from .models import Article, City, Comment, ImportRecord, Initiative, InitiativeAlias, Official
from .originals import file_sha256, store_original, store_original_file
from .search.documents import CutText, cut

UNCHANGED = "unchanged"
TITLE_LENGTH = 300
SKIPPED = "skipped"


@dataclass
class Outcome:
    """What happened to one file, as the command reports it."""

    path: str
    status: str
    reason: str = ""
    sha256: str = ""
    encoding: str = ""
    article_id: int | None = None
    title: str = ""
    duplicate_of: int | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, *statuses: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status in statuses)

    def line(self) -> str:
        S = ImportRecord.Status
        return (
            f"imported {self.count(S.IMPORTED)}, updated {self.count(S.UPDATED)}, "
            f"unchanged {self.count(UNCHANGED)}, duplicates {self.count(S.DUPLICATE, S.NEAR_DUPLICATE)}, "
            f"failed {self.count(S.FAILED)}"
        )


def pinyin_slug(name: str) -> str:
    return slugify("".join(lazy_pinyin(name))) or "x"


def unique_slug(model, base: str, fallback: str) -> str:
    slug = base
    if model.objects.filter(slug=slug).exists():
        slug = f"{base}-{fallback}"
    number = 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{fallback}-{number}", number + 1
    return slug


def city_for(place: Place, gazetteer: Gazetteer) -> City:
    city = City.objects.filter(adcode=place.adcode).first()
    if city:
        return city
    prefecture = None
    if place.prefecture and (parent := gazetteer.get(place.prefecture)):
        prefecture = city_for(parent, gazetteer)
    return City.objects.create(
        adcode=place.adcode,
        name=place.name,
        name_traditional=place.traditional,
        full_name=place.full_name,
        province=place.province,
        level=City.Level.COUNTY if place.level == "county" else City.Level.PREFECTURE,
        prefecture=prefecture,
        slug=unique_slug(City, pinyin_slug(place.name), pinyin_slug(place.province)),
    )


def initiative_names() -> dict[str, str]:
    """Every confirmed initiative's name and aliases, mapped to its name, for the matcher.

    Candidates are left out: they are linked only to the articles that quote them until someone
    confirms them (then `import_dumps --force` finds them everywhere). So what a file yields does
    not depend on the files imported before it in the same run, and the matcher stays small.
    """
    confirmed = Initiative.objects.filter(confirmed=True)
    names = {name: name for name in confirmed.values_list("name", flat=True)}
    for alias, name in InitiativeAlias.objects.filter(initiative__in=confirmed).values_list("name", "initiative__name"):
        names[alias] = name
    return names


def file_key(path: Path) -> str:
    """How an import record knows a file: its absolute path with links resolved.

    A dangling link or a link loop keeps the path it was given: it fails to read, with a reason.
    """
    try:
        return str(path.resolve(strict=True))
    except (OSError, RuntimeError):  # Python 3.11 raises RuntimeError for a loop
        return str(path.absolute())


@dataclass
class Prepared:
    """A file read and parsed, before anything is written (a bulk import makes these in worker processes)."""

    path: Path
    key: str
    raw: bytes | None = None  # None: the file could not be read, or is too large to read whole
    sha256: str = ""
    draft: ArticleDraft | None = None
    failure: Outcome | None = None  # unreadable or unparseable
    unchanged: bool = False
    too_large: bool = False  # refused, but its bytes are kept: copied into the store in chunks
    cut: CutText | None = None  # the index words of its title and body, when cut ahead


class Importer:
    def __init__(self, *, dry_run: bool = False, force: bool = False):
        self.dry_run = dry_run
        self.force = force
        self.gazetteer = Gazetteer.default()
        self.matcher = InitiativeMatcher(initiative_names())
        # Cities and initiatives saved so far, by adcode and by name: most files name the same few.
        self._cities: dict[str, City] = {}
        self._initiatives: dict[str, Initiative] = {}
        self._met: set[str] = set()  # paths saved (or tried) in this run
        # What each path held when the run began: an unchanged file is known without asking again.
        self.known = {path: (sha256, encoding, article_id) for path, sha256, encoding, article_id
                      in ImportRecord.objects.values_list("path", "sha256", "encoding", "article_id")}
        # Contents some record holds with an article: a file with other bytes repeats no file.
        self._contents = {sha256 for sha256, _, article_id in self.known.values() if article_id}

    def prepare(self, path: Path, segment: bool = False) -> Prepared:
        """Read and parse one file; writes nothing and asks nothing of the database.

        With `segment`, the text is also cut into words for the index (the costly part of indexing).
        """
        key = file_key(path)
        failure = None
        try:
            try:
                raw = read_dump(path)
                sha256 = hashlib.sha256(raw).hexdigest()
            except TooLarge as error:  # refused, yet known by its hash like any file
                raw, sha256 = None, file_sha256(path)
                failure = Outcome(key, ImportRecord.Status.FAILED, str(error), sha256)
        except OSError as error:
            return Prepared(path, key, failure=Outcome(key, ImportRecord.Status.FAILED,
                                                 f"cannot read file: {error.strerror or error}"))
        if key in self.known and self.known[key][0] == sha256 and not self.force:
            return Prepared(path, key, raw, sha256, unchanged=True)
        if failure:
            return Prepared(path, key, None, sha256, failure=failure, too_large=True)
        try:
            draft = parse_dump(raw, self.matcher, self.gazetteer)
        except DumpError as error:
            return Prepared(path, key, raw, sha256, failure=Outcome(key, ImportRecord.Status.FAILED, str(error),
                                                              sha256, error.encoding))
        except Exception as error:  # a fault of ours on odd input must not stop the batch or lose the file
            return Prepared(path, key, raw, sha256, failure=Outcome(key, ImportRecord.Status.FAILED,
                                                              f"could not be parsed: {error!r}", sha256))
        prepared = Prepared(path, key, raw, sha256, draft)
        if segment:
            title = draft.title[:TITLE_LENGTH]
            prepared.cut = cut(title, draft.body)
        return prepared

    def save(self, prepared: Prepared) -> Outcome:
        """Write what one prepared file holds, in one transaction."""
        key, raw, sha256 = prepared.key, prepared.raw, prepared.sha256
        if prepared.unchanged:
            _, encoding, article_id = self.known[key]
            return Outcome(key, UNCHANGED, sha256=sha256, encoding=encoding, article_id=article_id)
        if raw is None and not prepared.too_large:  # unreadable: nothing to keep
            return prepared.failure
        record = None  # a path neither known at the start of the run nor met since has no record
        if key in self.known or key in self._met:
            record = ImportRecord.objects.filter(path=key).select_related("article").first()
        self._met.add(key)
        if prepared.too_large:
            return prepared.failure if self.dry_run else self._save_failure(record, key, prepared, prepared.failure)
        first = sha256 in self._contents and (
            ImportRecord.objects.filter(sha256=sha256, article__isnull=False)
            .exclude(path=key)
            .order_by("imported_at", "pk")
            .first()
        )
        if first:
            outcome = Outcome(key, ImportRecord.Status.DUPLICATE, f"same bytes as {first.name}", sha256,
                              first.encoding, first.article_id, duplicate_of=first.article_id)
            return outcome if self.dry_run else self._save_duplicate(record, key, raw, outcome)
        if prepared.failure:
            return prepared.failure if self.dry_run else self._save_failure(record, key, prepared, prepared.failure)

        draft = prepared.draft
        near = self._near_duplicate(draft, exclude=record.article_id if record else None)
        if near:
            status = ImportRecord.Status.NEAR_DUPLICATE
        elif record and record.article_id:
            status = ImportRecord.Status.UPDATED
        else:
            status = ImportRecord.Status.IMPORTED
        outcome = Outcome(key, status, f"same article as #{near.pk} in other chrome" if near else "",
                          sha256, draft.encoding, title=draft.title, duplicate_of=near.pk if near else None)
        if self.dry_run:
            return outcome
        try:
            with transaction.atomic():
                original = store_original(sha256, raw)
                article = self._save_article(draft, record, prepared.path, original, near)
                self._save_record(record, key, outcome, original, article)
        except Exception:
            self._cities.clear()  # they may hold rows the rollback took away
            self._initiatives.clear()
            raise
        outcome.article_id = article.pk
        self._contents.add(sha256)
        return outcome

    def _city(self, place: Place) -> City:
        if place.adcode not in self._cities:
            self._cities[place.adcode] = city_for(place, self.gazetteer)
        return self._cities[place.adcode]

    def _near_duplicate(self, draft: ArticleDraft, exclude: int | None) -> Article | None:
        same = Q(fingerprint=draft.fingerprint)
        for number, band in enumerate(dedupe.bands(draft.simhash)):
            same |= Q(**{f"band{number}": band})
        # Rows, not models: a band is shared by more articles as the archive grows (six at 10,000).
        candidates = (
            Article.objects.filter(same)
            .exclude(pk=exclude)
            .order_by("pk")
            .values_list("pk", "fingerprint", "simhash", "near_duplicate_of")
        )
        for pk, fingerprint, simhash, first in candidates:
            close = dedupe.distance(int(simhash, 16), draft.simhash) <= dedupe.NEAR_DUPLICATE_DISTANCE
            if fingerprint == draft.fingerprint or close:
                return Article.objects.get(pk=first or pk)
        return None

    def _save_article(self, draft, record, path, original, near) -> Article:
        article = record.article if record and record.article_id else None
        if article and article.import_records.exclude(pk=record.pk).exists():
            article = None  # other files still hold the old text: the changed file gets its own article
        created = article is None
        article = article or Article()
        for name, value in {
            "title": draft.title[:TITLE_LENGTH],
            "body": draft.body,
            "published_on": draft.published_on,
            "date_basis": draft.date_basis,
            "outlet": draft.outlet[:80],
            "authors": draft.authors,
            "city": self._city(draft.city) if draft.city else None,
            "script": draft.script,
            "lost_characters": draft.lost_characters,
            "pinyin_removed": draft.pinyin_removed,
            "chrome_lines_removed": draft.chrome_lines_removed,
            "original": original,
            "source_name": path.name[:255],
            "fingerprint": draft.fingerprint,
            "simhash": f"{draft.simhash:016x}",
            **{f"band{number}": band for number, band in enumerate(dedupe.bands(draft.simhash))},
            "near_duplicate_of": near,
        }.items():
            setattr(article, name, value)
        article.save()
        if not created:  # a changed file: its article's links and rows are made again
            article.places.clear()
            article.initiatives.clear()
            article.comments.all().delete()
            article.officials.all().delete()
        # The links in one insert each (add() first asks which exist; there are none).
        places, initiatives = Article.places.through, Article.initiatives.through
        places.objects.bulk_create(places(article_id=article.pk, city_id=city.pk)
                                   for city in {self._city(place) for place in draft.places})
        initiatives.objects.bulk_create(initiatives(article_id=article.pk, initiative_id=initiative.pk)
                                        for initiative in set(self._initiatives_of(draft, article)))
        Comment.objects.bulk_create(
            Comment(article=article, position=number, author=c.author[:80], text=c.text,
                    posted_at=timezone.make_aware(c.posted_at) if c.posted_at else None,
                    quote_author=c.quote_author[:80], quote_text=c.quote_text)
            for number, c in enumerate(draft.comments)
        )
        Official.objects.bulk_create(
            Official(article=article, name=o.name, role=o.role[:120], city=self._city(o.place) if o.place else None)
            for o in draft.officials
        )
        return article

    def _initiatives_of(self, draft: ArticleDraft, article: Article) -> list[Initiative]:
        if not self._initiatives:
            self._initiatives = Initiative.objects.in_bulk(field_name="name")
        found = [self._initiatives[name] for name in draft.initiatives if name in self._initiatives]
        for name in (name[:60] for name in draft.candidates):
            if name not in self._initiatives:
                self._initiatives[name] = Initiative.objects.create(
                    name=name, slug=unique_slug(Initiative, pinyin_slug(name), str(article.pk)), confirmed=False
                )
            found.append(self._initiatives[name])
        return found

    def _save_record(self, record, key, outcome, original, article):
        record = record or ImportRecord(path=key)
        record.sha256 = outcome.sha256
        record.size = original.size
        record.encoding = outcome.encoding
        record.status = outcome.status
        record.reason = outcome.reason
        record.original = original
        record.article = article
        record.imported_at = timezone.now()
        record.save()
        return record

    def _save_duplicate(self, record, key, raw, outcome) -> Outcome:
        with transaction.atomic():
            original = store_original(outcome.sha256, raw)
            previous = record.article if record else None
            self._save_record(record, key, outcome, original, Article.objects.get(pk=outcome.article_id))
            if previous and not previous.import_records.exists():
                previous.delete()  # its only file now repeats another: the original stays stored
        return outcome

    def _save_failure(self, record, key, prepared, outcome) -> Outcome:
        with transaction.atomic():
            if prepared.raw is None:  # too large to hold: copied as it is hashed (it may have changed since)
                original = store_original_file(prepared.path)
                outcome.sha256 = original.sha256
            else:
                original = store_original(outcome.sha256, prepared.raw)
            previous = record.article if record else None
            self._save_record(record, key, outcome, original, None)
            if previous and not previous.import_records.exists():
                previous.delete()
        return outcome


# The importer a bulk run's worker processes use: set in the parent just before they are forked.
_worker_importer: Importer | None = None
FILES_AHEAD = 256  # files in a window; two windows at most are prepared ahead of the writes
FILES_PER_MESSAGE = 8
WORKER_NICENESS = 5


def _refuse_queries(execute, sql, params, many, context):
    raise RuntimeError("an import worker only reads and parses files; the importing process writes")


def _start_worker():
    """A worker never uses the database: the connection it inherited is its parent's, and a worker
    still running after its parent was killed must write nothing (it ends when it next reports)."""
    for connection in db_connections.all():
        connection.execute_wrappers.append(_refuse_queries)
    # Workers yield the processor to the index writer, which has the most to do and no help: when
    # all shared the cores alike, the writer was still busy for a minute after the last file.
    os.nice(WORKER_NICENESS)


def _prepare_in_worker(path: Path) -> Prepared:
    try:
        return _worker_importer.prepare(path, segment=True)
    except Exception as error:  # a fault of ours: reported for this file, and the run goes on
        return Prepared(path, str(path), failure=Outcome(str(path), ImportRecord.Status.FAILED,
                                                         f"could not be prepared: {error!r}"))


def prepare_files(importer: Importer, paths: list[Path], workers: int) -> Iterator[Prepared]:
    """Each file prepared, in order: in this process, or by `workers` forked processes.

    Workers read, decode, clean, extract and cut the text into words for the index; the caller
    writes each result to the database in order, in this one process (one writer).
    """
    if workers <= 1:
        yield from (importer.prepare(path) for path in paths)
        return
    global _worker_importer
    _worker_importer = importer
    remaining = iter(paths)
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:

        def next_window():
            # Files go out and come back in chunks: one message per file left the workers waiting
            # while this busy process found time for the pool's threads.
            window = list(islice(remaining, FILES_AHEAD))
            return pool.imap(_prepare_in_worker, window, chunksize=FILES_PER_MESSAGE) if window else None

        window = next_window()
        while window is not None:
            following = next_window()  # prepared while this window is written
            yield from window
            window = following
