"""The only part of the import that touches the database and the data folder.

Each file is one transaction: its original bytes are stored first (content-addressed, written
atomically), then the article, its links and the import record are saved together or not at all.
"""

import errno
import hashlib
import multiprocessing
import os
import signal
import sqlite3
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from django.conf import settings
from django.db import connections as db_connections
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from pypinyin import lazy_pinyin

from .candidates import alias_targets, keep_mention
from .ingest import dedupe
from .ingest.draft import ArticleDraft
from .ingest.files import TooLarge, dump_sha256, read_dump
from .ingest.gazetteer import Gazetteer, Place
from .ingest.initiatives import InitiativeMatcher
from .ingest.pipeline import DumpError, parse_dump
from .models import (
    Article,
    ArticleVersion,
    City,
    Comment,
    ImportRecord,
    Initiative,
    InitiativeAlias,
    MergedArticle,
    Official,
    Original,
)
from .originals import DiskFull, check_free_space, store_original
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
    text_sha256: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    not_indexed: int = 0  # articles stored that the search index has yet to take

    def count(self, *statuses: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status in statuses)

    def line(self) -> str:
        S = ImportRecord.Status
        return (
            f"imported {self.count(S.IMPORTED)}, updated {self.count(S.UPDATED)}, "
            f"unchanged {self.count(UNCHANGED)}, duplicates {self.count(S.DUPLICATE, S.COPY, S.NEAR_DUPLICATE)}, "
            f"failed {self.count(S.FAILED)}, not indexed {self.not_indexed}"
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
    too_large: bool = False  # refused and recorded with its size and sha256; its bytes are not stored
    size: int = 0  # of a file too large
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
        self._candidate_aliases: dict[str, str] = {}  # names merged into a candidate, to its name
        self._met: set[str] = set()  # paths saved (or tried) in this run
        self._stored: list[Path] = []  # originals new to the store since the file being saved began
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
        failure, size = None, 0
        try:
            try:
                raw = read_dump(path)
                sha256 = hashlib.sha256(raw).hexdigest()
            except TooLarge as error:  # refused, yet known by its hash like any file
                raw, sha256, size = None, dump_sha256(path), error.size
                failure = Outcome(key, ImportRecord.Status.FAILED, str(error), sha256)
        except OSError as error:
            return Prepared(path, key, failure=Outcome(key, ImportRecord.Status.FAILED,
                                                 f"cannot read file: {error.strerror or error}"))
        if key in self.known and self.known[key][0] == sha256 and not self.force:
            return Prepared(path, key, raw, sha256, unchanged=True)
        if failure:
            return Prepared(path, key, None, sha256, failure=failure, too_large=True, size=size)
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

    def stopped(self, path: Path, reason: str) -> Prepared:
        """A file whose preparing was stopped (see prepare_files): failed for `reason`, its bytes read
        again to be kept, as those of any file that cannot be parsed."""
        key = file_key(path)
        try:
            raw = read_dump(path)
        except (OSError, TooLarge):  # nothing to keep, nor to hash in this process (the writer)
            return Prepared(path, key, failure=Outcome(key, ImportRecord.Status.FAILED, reason))
        sha256 = hashlib.sha256(raw).hexdigest()
        return Prepared(path, key, raw, sha256, failure=Outcome(key, ImportRecord.Status.FAILED, reason, sha256))

    def save(self, prepared: Prepared) -> Outcome:
        """Write what one prepared file holds, in one transaction.

        Raises DiskFull, with nothing of the file written, when the data folder has too little space
        left for it, or a write fails for want of space.
        """
        self._stored = []
        try:
            return self._save(prepared)
        except Exception as error:
            for path in self._stored:  # their rows went with the rollback: no original is left unrecorded
                path.unlink(missing_ok=True)
            if isinstance(error, DiskFull):
                raise DiskFull(str(error), prepared.path) from error
            if _disk_full(error):
                raise DiskFull(f"the data folder {settings.ARCHIVE_DATA_DIR} is full ({error})",
                               prepared.path) from error
            raise

    def _save(self, prepared: Prepared) -> Outcome:
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
        if copied := self._copy_of(draft, key):
            outcome = Outcome(key, ImportRecord.Status.COPY,
                              f"identical text to #{copied.article_id} ({encoding_label(draft.encoding)})", sha256,
                              draft.encoding, copied.article_id, duplicate_of=copied.article_id,
                              text_sha256=draft.text_sha256)
            return outcome if self.dry_run else self._save_duplicate(record, key, raw, outcome)
        near = self._near_duplicate(draft, exclude=record.article_id if record else None)
        if near:
            status = ImportRecord.Status.NEAR_DUPLICATE
        elif record and record.article_id:
            status = ImportRecord.Status.UPDATED
        else:
            status = ImportRecord.Status.IMPORTED
        outcome = Outcome(key, status, f"same story in other page chrome as #{near.pk}" if near else "",
                          sha256, draft.encoding, title=draft.title, duplicate_of=near.pk if near else None,
                          text_sha256=draft.text_sha256)
        if self.dry_run:
            return outcome
        try:
            with transaction.atomic():
                original = self._store(sha256, raw)
                article = self._save_article(draft, record, prepared.path, original, near,
                                             changed_because=self._change_reason(record, sha256))
                self._save_record(record, key, outcome, original, article)
        except Exception:
            self._cities.clear()  # they may hold rows the rollback took away
            self._initiatives.clear()
            raise
        outcome.article_id = article.pk
        self._contents.add(sha256)
        return outcome

    def _copy_of(self, draft: ArticleDraft, key: str) -> ImportRecord | None:
        """The first file of another path whose decoded text is the same as this one's."""
        return (
            ImportRecord.objects.filter(text_sha256=draft.text_sha256, article__isnull=False)
            .exclude(path=key)
            .order_by("imported_at", "pk")
            .first()
        )

    def _change_reason(self, record: ImportRecord | None, sha256: str) -> str:
        """Why an article's text may change now: kept with the version it replaces."""
        if record and record.sha256 and record.sha256 != sha256:
            return f"source file changed (sha256 {record.sha256[:12]}… → {sha256[:12]}…)"
        return "re-imported with --force: the cleaning gave another text"

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

    def _save_article(self, draft, record, path, original, near, changed_because: str) -> Article:
        article = record.article if record and record.article_id else None
        if article and article.import_records.exclude(pk=record.pk).exists():
            article = None  # other files still hold the old text: the changed file gets its own article
        created = article is None
        article = article or Article()
        if not created and (article.title, article.body) != (draft.title[:TITLE_LENGTH], draft.body):
            keep_version(article, changed_because)
        for name, value in {
            "title": draft.title[:TITLE_LENGTH],
            "body": draft.body,
            "published_on": draft.published_on,
            "date_basis": draft.date_basis,
            "outlet": draft.outlet[:80],
            "authors": draft.authors,
            "photographers": draft.photographers,
            "editors": draft.editors,
            "estimated_year": draft.date_estimate.year if draft.date_estimate else None,
            "estimated_month": draft.date_estimate.month if draft.date_estimate else None,
            "date_evidence": draft.date_estimate.evidence if draft.date_estimate else "",
            "date_reasoning": draft.date_estimate.reasoning[:200] if draft.date_estimate else "",
            "forum_location": draft.forum_location[:80],
            "forum_views": draft.forum_views,
            "forum_replies": draft.forum_replies,
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
        """The curated and confirmed initiatives the text names, and the candidates it gives evidence
        for (kept with them; `rescore_candidates` scores them once the run ends). A rejected name is
        never linked; a name merged into a candidate is filed under it."""
        if not self._initiatives:
            self._initiatives = Initiative.objects.in_bulk(field_name="name")
            self._candidate_aliases = alias_targets()
        found = [self._initiatives[name] for name in draft.initiatives if name in self._initiatives]
        for mention in draft.candidates:
            name = self._candidate_aliases.get(mention.name, mention.name)
            if name not in self._initiatives:
                self._initiatives[name] = Initiative.objects.create(
                    name=name, slug=unique_slug(Initiative, pinyin_slug(name), str(article.pk)), confirmed=False
                )
            candidate = self._initiatives[name]
            if candidate.rejected:
                continue
            if not candidate.confirmed and keep_mention(candidate, article.pk, mention):
                candidate.save(update_fields=["evidence"])
            found.append(candidate)
        return found

    def _save_record(self, record, key, outcome, original, article, size=0):
        record = record or ImportRecord(path=key)
        record.sha256 = outcome.sha256
        record.size = original.size if original else size
        record.encoding = outcome.encoding
        record.text_sha256 = outcome.text_sha256
        record.status = outcome.status
        record.reason = outcome.reason
        record.original = original
        record.article = article
        record.imported_at = timezone.now()
        record.save()
        return record

    def _save_duplicate(self, record, key, raw, outcome) -> Outcome:
        with transaction.atomic():
            original = self._store(outcome.sha256, raw)
            previous = record.article if record else None
            article = Article.objects.get(pk=outcome.article_id)
            self._save_record(record, key, outcome, original, article)
            if previous and previous.pk != article.pk and not previous.import_records.exists():
                merge_into(previous, article)  # its only file now repeats another: the original stays stored
        return outcome

    def _store(self, sha256: str, raw: bytes) -> Original:
        """Keep a file's bytes, once the data folder is known to have room for them."""
        check_free_space(len(raw))
        path = Original.path_for(sha256)
        if not path.exists():
            self._stored.append(path)
        return store_original(sha256, raw)

    def _save_failure(self, record, key, prepared, outcome) -> Outcome:
        with transaction.atomic():
            # A file too large is not copied: its bytes stay where they are, known by their sha256.
            original = None if prepared.too_large else self._store(outcome.sha256, prepared.raw)
            previous = record.article if record else None
            self._save_record(record, key, outcome, original, None, prepared.size)
            if previous and not previous.import_records.exists():
                previous.delete()
        return outcome


def encoding_label(codec: str) -> str:
    """A codec as people name it: utf_16_le → UTF-16 LE, utf-8-sig → UTF-8 with BOM."""
    label = codec.upper().replace("_", "-")
    if label.endswith("-SIG"):
        return label[:-4] + " with BOM"
    return label[:-3] + " " + label[-2:] if label.endswith(("-LE", "-BE")) else label


def keep_version(article: Article, reason: str) -> ArticleVersion:
    """Keep the article's title and body as they stand, before a re-import replaces them."""
    versions = list(article.versions.order_by("number"))
    return ArticleVersion.objects.create(
        article=article,
        number=len(versions) + 1,
        title=article.title,
        body=article.body,
        saved_at=versions[-1].replaced_at if versions else article.created_at,
        replaced_at=timezone.now(),
        reason=reason[:200],
    )


def merge_into(article: Article, target: Article) -> None:
    """An article turned out to be a copy of another: its id redirects there, its near-duplicates follow."""
    article.near_duplicates.update(near_duplicate_of=target)
    MergedArticle.objects.filter(article=article).update(article=target)
    MergedArticle.objects.update_or_create(old_id=article.pk, defaults={"article": target})
    article.delete()


def _disk_full(error: BaseException) -> bool:
    """Did a write fail for want of space: in a file, in SQLite or in PostgreSQL?"""
    for cause in (error, error.__cause__):
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if (getattr(cause, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_FULL:
            return True
        if getattr(cause, "sqlstate", None) == "53100":  # PostgreSQL's disk_full
            return True
    return False


FILES_AHEAD = 256  # files sent to the workers and not yet written, at most
FILES_PER_WORKER = 4  # queued at each worker, so that it goes on while this process writes
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


def _work(importer: Importer, connection: Connection, inherited: list[Connection]) -> None:
    """A worker's life: prepare the files it is sent, in order, and send each back."""
    # The parent's ends of the pipes, its own included: once the parent is gone, no process holds
    # them, and the worker's next read or write fails and it ends.
    for end in inherited:
        end.close()
    _start_worker()
    segment = not importer.dry_run  # cut the words for the index here, in parallel, not in the writer
    while True:
        try:
            index, path = connection.recv()
        except EOFError:
            return
        try:
            prepared = importer.prepare(path, segment=segment)
        except Exception as error:  # a fault of ours: reported for this file, and the run goes on
            prepared = Prepared(path, str(path), failure=Outcome(str(path), ImportRecord.Status.FAILED,
                                                             f"could not be prepared: {error!r}"))
        connection.send((index, prepared))


@dataclass
class _Worker:
    process: multiprocessing.Process
    connection: Connection
    queue: deque = field(default_factory=deque)  # the files sent to it, in order: it works on the first
    since: float = 0.0  # when it began the first; if anything, later (the clock never runs ahead)


class _Workers:
    """Forked processes that prepare files, each limited to `time_limit` seconds a file.

    A file still not prepared after that is stopped the only way lxml or a regular expression can
    be: its process is killed (and replaced), and the file failed with the reason.
    """

    def __init__(self, importer: Importer, size: int, time_limit: float):
        self.importer, self.size, self.time_limit = importer, size, time_limit
        self.context = multiprocessing.get_context("fork")
        self.workers: list[_Worker] = []

    def prepare(self, paths: list[Path]) -> Iterator[Prepared]:
        unsent, done, following = deque(range(len(paths))), {}, 0
        while following < len(paths):
            self._send(paths, unsent, done, following)
            self._receive(paths, unsent, done, wait_for=following not in done)
            if following in done:
                yield done.pop(following)
                following += 1

    def close(self) -> None:
        for worker in self.workers:
            self._end(worker)
        self.workers = []

    def _send(self, paths, unsent: deque, done: dict, following: int) -> None:
        while unsent and unsent[0] < following + FILES_AHEAD:
            if len(self.workers) < min(self.size, len(paths)):
                self._start()
            worker = min(self.workers, key=lambda worker: len(worker.queue))
            if len(worker.queue) >= FILES_PER_WORKER:
                return
            try:
                worker.connection.send((unsent[0], paths[unsent[0]]))
            except OSError:  # it died
                self._replace(worker, paths, unsent, done)
                continue
            if not worker.queue:
                worker.since = time.monotonic()
            worker.queue.append(unsent.popleft())

    def _receive(self, paths, unsent: deque, done: dict, wait_for: bool) -> None:
        """Take what the workers have prepared; with `wait_for`, wait for something or a time limit."""
        busy = [worker for worker in self.workers if worker.queue]
        timeout = 0.0
        if wait_for and busy:
            timeout = max(0.0, min(worker.since for worker in busy) + self.time_limit - time.monotonic())
        ready = set(wait([worker.connection for worker in busy], timeout))
        for worker in busy:
            if worker.connection in ready:
                try:
                    index, prepared = worker.connection.recv()
                except (EOFError, OSError):  # it died: killed for its memory, say
                    self._replace(worker, paths, unsent, done)
                    continue
                done[index] = prepared
                worker.queue.popleft()
                worker.since = time.monotonic()
            elif time.monotonic() - worker.since > self.time_limit:
                self._replace(worker, paths, unsent, done,
                              f"parsing took too long (stopped at the limit of {self.time_limit:g} s)")

    def _start(self) -> None:
        ours, theirs = self.context.Pipe()
        inherited = [worker.connection for worker in self.workers] + [ours]
        process = self.context.Process(target=_work, args=(self.importer, theirs, inherited), daemon=True)
        process.start()
        theirs.close()
        self.workers.append(_Worker(process, ours))

    def _replace(self, worker: _Worker, paths, unsent: deque, done: dict, reason: str = "") -> None:
        """End a worker stuck (for `reason`) or dead: the file it was on fails, the rest go to the
        others (and to the worker started in its place)."""
        self._end(worker)
        self.workers.remove(worker)
        if not worker.queue:  # it died with nothing to do
            return
        stuck, *rest = worker.queue
        reason = reason or f"could not be prepared: its process {_ending(worker.process.exitcode)}"
        done[stuck] = self.importer.stopped(paths[stuck], reason)
        unsent.extendleft(reversed(rest))

    @staticmethod
    def _end(worker: _Worker) -> None:
        worker.process.kill()
        worker.process.join()
        worker.connection.close()


def _ending(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        return f"was killed ({signal.Signals(-exitcode).name})"
    return f"ended (exit code {exitcode})"


def prepare_files(importer: Importer, paths: list[Path], workers: int) -> Iterator[Prepared]:
    """Each file prepared, in order, by `workers` forked processes (one at least).

    Workers read, decode, clean, extract and cut the text into words for the index; the caller
    writes each result to the database in order, in this one process (one writer). A file whose
    preparing takes longer than ARCHIVE_PARSE_TIME_LIMIT seconds is failed with that reason, and
    the batch goes on. Close the iterator (or exhaust it) to end the workers.
    """
    pool = _Workers(importer, max(workers, 1), settings.ARCHIVE_PARSE_TIME_LIMIT)
    try:
        yield from pool.prepare(list(paths))
    finally:
        pool.close()
