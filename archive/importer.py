"""The only part of the import that touches the database and the data folder.

Each file is one transaction: its original bytes are stored first (content-addressed, written
atomically), then the article, its links and the import record are saved together or not at all.
"""

import hashlib
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from pypinyin import lazy_pinyin

from .ingest import dedupe
from .ingest.draft import ArticleDraft
from .ingest.gazetteer import Gazetteer, Place
from .ingest.initiatives import InitiativeMatcher
from .ingest.pipeline import DumpError, parse_dump
from .models import Article, City, Comment, ImportRecord, Initiative, InitiativeAlias, Official, Original

UNCHANGED = "unchanged"
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
    """Every initiative name and alias, mapped to the initiative's name, for the matcher."""
    names = {name: name for name in Initiative.objects.values_list("name", flat=True)}
    for alias, name in InitiativeAlias.objects.values_list("name", "initiative__name"):
        names[alias] = name
    return names


def store_original(sha256: str, raw: bytes) -> Original:
    path = Original.path_for(sha256)
    if not (path.exists() and path.stat().st_size == len(raw)):
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a killed import never leaves a partial original behind.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        with os.fdopen(handle, "wb") as stream:
            stream.write(raw)
        os.replace(temporary, path)
    original, _ = Original.objects.get_or_create(sha256=sha256, defaults={"size": len(raw)})
    return original


class Importer:
    def __init__(self, *, dry_run: bool = False, force: bool = False):
        self.dry_run = dry_run
        self.force = force
        self.gazetteer = Gazetteer.default()
        self.matcher = InitiativeMatcher(initiative_names())

    def import_file(self, path: Path) -> Outcome:
        key = str(path.resolve())
        try:
            raw = path.read_bytes()
        except OSError as error:
            return Outcome(key, ImportRecord.Status.FAILED, f"cannot read file: {error.strerror or error}")
        sha256 = hashlib.sha256(raw).hexdigest()
        record = ImportRecord.objects.filter(path=key).select_related("article").first()
        if record and record.sha256 == sha256 and not self.force:
            return Outcome(key, UNCHANGED, sha256=sha256, encoding=record.encoding, article_id=record.article_id)

        first = (
            ImportRecord.objects.filter(sha256=sha256, article__isnull=False)
            .exclude(path=key)
            .order_by("imported_at", "pk")
            .first()
        )
        if first:
            outcome = Outcome(key, ImportRecord.Status.DUPLICATE, f"same bytes as {first.name}", sha256,
                              first.encoding, first.article_id, duplicate_of=first.article_id)
            return outcome if self.dry_run else self._save_duplicate(record, key, raw, outcome)

        try:
            draft = parse_dump(raw, self.matcher, self.gazetteer)
        except DumpError as error:
            outcome = Outcome(key, ImportRecord.Status.FAILED, str(error), sha256, error.encoding)
            return outcome if self.dry_run else self._save_failure(record, key, raw, outcome)
        except Exception as error:  # a fault of ours on odd input must not stop the batch or lose the file
            outcome = Outcome(key, ImportRecord.Status.FAILED, f"could not be parsed: {error!r}", sha256)
            return outcome if self.dry_run else self._save_failure(record, key, raw, outcome)

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
        with transaction.atomic():
            original = store_original(sha256, raw)
            article = self._save_article(draft, record, path, original, near)
            self._save_record(record, key, raw, outcome, original, article)
        outcome.article_id = article.pk
        return outcome

    def _near_duplicate(self, draft: ArticleDraft, exclude: int | None) -> Article | None:
        same = Q(fingerprint=draft.fingerprint)
        for number, band in enumerate(dedupe.bands(draft.simhash)):
            same |= Q(**{f"band{number}": band})
        candidates = (
            Article.objects.filter(same)
            .exclude(pk=exclude)
            .order_by("pk")
            .only("pk", "fingerprint", "simhash", "near_duplicate_of")
        )
        for candidate in candidates:
            close = dedupe.distance(int(candidate.simhash, 16), draft.simhash) <= dedupe.NEAR_DUPLICATE_DISTANCE
            if candidate.fingerprint == draft.fingerprint or close:
                return candidate.near_duplicate_of or candidate
        return None

    def _save_article(self, draft, record, path, original, near) -> Article:
        article = record.article if record and record.article_id else None
        if article and article.import_records.exclude(pk=record.pk).exists():
            article = None  # other files still hold the old text: the changed file gets its own article
        article = article or Article()
        for name, value in {
            "title": draft.title[:300],
            "body": draft.body,
            "published_on": draft.published_on,
            "date_basis": draft.date_basis,
            "outlet": draft.outlet[:80],
            "authors": draft.authors,
            "city": city_for(draft.city, self.gazetteer) if draft.city else None,
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
        article.places.set([city_for(place, self.gazetteer) for place in draft.places])
        article.initiatives.set(self._initiatives(draft, article))
        article.comments.all().delete()
        Comment.objects.bulk_create(
            Comment(article=article, position=number, author=c.author[:80], text=c.text,
                    posted_at=timezone.make_aware(c.posted_at) if c.posted_at else None,
                    quote_author=c.quote_author[:80], quote_text=c.quote_text)
            for number, c in enumerate(draft.comments)
        )
        article.officials.all().delete()
        Official.objects.bulk_create(
            Official(article=article, name=o.name, role=o.role[:120],
                     city=city_for(o.place, self.gazetteer) if o.place else None)
            for o in draft.officials
        )
        return article

    def _initiatives(self, draft: ArticleDraft, article: Article) -> list[Initiative]:
        found = list(Initiative.objects.filter(name__in=draft.initiatives))
        for name in draft.candidates:
            candidate, created = Initiative.objects.get_or_create(
                name=name[:60],
                defaults={"slug": unique_slug(Initiative, pinyin_slug(name), str(article.pk)), "confirmed": False},
            )
            if created:
                self.matcher = InitiativeMatcher({**self.matcher.names, candidate.name: candidate.name})
            found.append(candidate)
        return found

    def _save_record(self, record, key, raw, outcome, original, article):
        record = record or ImportRecord(path=key)
        record.sha256 = outcome.sha256
        record.size = len(raw)
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
            self._save_record(record, key, raw, outcome, original, Article.objects.get(pk=outcome.article_id))
            if previous and not previous.import_records.exists():
                previous.delete()  # its only file now repeats another: the original stays stored
        return outcome

    def _save_failure(self, record, key, raw, outcome) -> Outcome:
        with transaction.atomic():
            original = store_original(outcome.sha256, raw)
            previous = record.article if record else None
            self._save_record(record, key, raw, outcome, original, None)
            if previous and not previous.import_records.exists():
                previous.delete()
        return outcome
