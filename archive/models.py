"""The archive's data: articles, the cities and initiatives they are filed under, and provenance."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear
from django.urls import reverse

from .citations import Citable, gbt7714
from .ingest.discovery import SHOWN_SCORE
from .ingest.headings import PARAGRAPH, body_blocks, plain_text


class Script(models.TextChoices):
    SIMPLIFIED = "simplified", "简体"
    TRADITIONAL = "traditional", "繁體"


class City(models.Model):
    """A prefecture-level or county-level city from the gazetteer, created when an article names it."""

    class Level(models.TextChoices):
        PREFECTURE = "prefecture", "地级"
        COUNTY = "county", "县级"

    adcode = models.CharField(max_length=6, unique=True)
    name = models.CharField("名称", max_length=40)
    name_traditional = models.CharField("繁体名称", max_length=40)
    full_name = models.CharField("全称", max_length=60)
    province = models.CharField("省份", max_length=20, db_index=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    prefecture = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="county_cities"
    )
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["province", "name"]
        verbose_name = verbose_name_plural = "城市"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:city", args=[self.slug])


class InitiativeQuerySet(models.QuerySet):
    def shown(self):
        """What pages, facets and the API show: the confirmed, and candidates scoring SHOWN_SCORE or more
        (marked 未确认) that nobody rejected. `Initiative.is_shown` says the same of one row."""
        return self.filter(Q(confirmed=True) | Q(score__gte=SHOWN_SCORE, rejected=False))

    def occurring(self):
        """Those that at least one canonical article names."""
        return self.filter(articles__isnull=False, articles__near_duplicate_of__isnull=True).distinct()

    def with_article_counts(self):
        """Each with `article_count`: how many canonical articles name it."""
        canonical = Q(articles__near_duplicate_of__isnull=True)
        return self.annotate(article_count=Count("articles", filter=canonical, distinct=True))

    def review_queue(self):
        """Candidates waiting for a person, the best supported first."""
        return self.filter(confirmed=False, rejected=False).order_by("-score", "name")


class Initiative(models.Model):
    """A named policing programme. Candidates found by the import wait for a person to confirm them."""

    name = models.CharField("名称", max_length=60, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField("简介", blank=True)
    confirmed = models.BooleanField("已确认", default=False, db_index=True)
    # A candidate a person rejected: kept so that no later import proposes it again.
    rejected = models.BooleanField("已拒绝", default=False, db_index=True)
    # How strongly the texts suggest a candidate is a programme's name (ingest.discovery), and why.
    score = models.FloatField("候选分数", default=0)
    evidence = models.JSONField("证据", default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "举措"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("archive:initiative", args=[self.slug])

    @property
    def is_shown(self) -> bool:
        """InitiativeQuerySet.shown's rule, for a row already loaded (an article's prefetched initiatives)."""
        return self.confirmed or (not self.rejected and self.score >= SHOWN_SCORE)

    @property
    def shown_name(self) -> str:
        """The name as lists and facets give it: a candidate nobody has reviewed is marked 未确认."""
        return self.name if self.confirmed else f"{self.name}（未确认）"

    def all_names(self) -> list[str]:
        return [self.name, *(alias.name for alias in self.aliases.all())]

    def merge(self, others):
        """Fold other initiatives into this one: their articles, aliases and names become this one's."""
        for other in others:
            if other.pk == self.pk:
                continue
            self.articles.add(*other.articles.all())
            other.aliases.update(initiative=self)
            name = other.name
            other.delete()
            if name != self.name:
                InitiativeAlias.objects.get_or_create(name=name, defaults={"initiative": self})


class InitiativeAlias(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("别名", max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = verbose_name_plural = "别名"

    def __str__(self):
        return self.name


class Original(models.Model):
    """The untouched bytes of a dump, stored once per content under the data folder."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    size = models.PositiveBigIntegerField()
    stored_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.sha256

    @staticmethod
    def path_for(sha256: str) -> Path:
        return Path(settings.ARCHIVE_ORIGINALS_DIR) / sha256[:2] / sha256

    @property
    def path(self) -> Path:
        return self.path_for(self.sha256)

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


class ArticleQuerySet(models.QuerySet):
    def canonical(self):
        """Articles that are not near-duplicates of an earlier one."""
        return self.filter(near_duplicate_of__isnull=True)

    def with_related(self):
        return self.select_related("city", "original").prefetch_related("initiatives")

    def for_export(self):
        return self.select_related("city").prefetch_related(
            "places", "initiatives", "comments", "import_records", "officials__city",
            models.Prefetch("near_duplicates", queryset=Article.objects.only("pk", "near_duplicate_of").order_by("pk")),
            models.Prefetch("versions", queryset=ArticleVersion.objects.only("pk", "article", "number")),
        )

    def in_city(self, city):
        """Articles filed under this city or under a county-level city that belongs to it."""
        return self.filter(Q(city=city) | Q(city__prefecture=city))

    def sorted_by(self, sort: str):
        """Newest or oldest first; articles without a date come last either way."""
        if sort == "oldest":
            return self.order_by(F("published_on").asc(nulls_last=True), "pk")
        return self.order_by(F("published_on").desc(nulls_last=True), "-pk")

    def with_dates(self, kind: str):
        """"stated": dated by the text; "estimated": a year inferred instead; "undated": neither; "": all."""
        if kind == "stated":
            return self.filter(published_on__isnull=False)
        if kind == "estimated":
            return self.filter(published_on__isnull=True, estimated_year__isnull=False)
        if kind == "undated":
            return self.filter(published_on__isnull=True, estimated_year__isnull=True)
        return self

    def per_estimated_year(self) -> dict[int, int]:
        """How many undated articles the text puts in each year (ingest.dates)."""
        rows = (
            self.filter(published_on__isnull=True, estimated_year__isnull=False)
            .order_by()
            .values("estimated_year")
            .annotate(n=Count("pk"))
        )
        return {row["estimated_year"]: row["n"] for row in rows}

    def per_year(self) -> dict[int, int]:
        """How many of these articles were published in each year (undated ones left out)."""
        rows = (
            self.filter(published_on__isnull=False)
            .annotate(year=ExtractYear("published_on"))
            .order_by()
            .values("year")
            .annotate(n=Count("pk"))
        )
        return {row["year"]: row["n"] for row in rows}


class Article(models.Model):
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文")
    published_on = models.DateField("日期", null=True, blank=True, db_index=True)
    date_basis = models.CharField("日期依据", max_length=120, blank=True)
    outlet = models.CharField("来源", max_length=80, blank=True, db_index=True)
    authors = models.JSONField("作者", default=list, blank=True)
    photographers = models.JSONField("摄影", default=list, blank=True)
    editors = models.JSONField("编辑", default=list, blank=True)
    # An estimate where the text states no date: the year (and month) it implies, and why.
    estimated_year = models.PositiveSmallIntegerField("推断年份", null=True, blank=True, db_index=True)
    estimated_month = models.PositiveSmallIntegerField("推断月份", null=True, blank=True)
    date_evidence = models.TextField("推断依据", blank=True)
    date_reasoning = models.CharField("推断理由", max_length=200, blank=True)
    # A forum thread's own figures, as the page showed them.
    forum_location = models.CharField("发帖地点", max_length=80, blank=True)
    forum_views = models.PositiveIntegerField("查看数", null=True, blank=True)
    forum_replies = models.PositiveIntegerField("回复数", null=True, blank=True)
    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles", verbose_name="城市"
    )
    places = models.ManyToManyField(City, blank=True, related_name="mentioned_in", verbose_name="提及地点")
    initiatives = models.ManyToManyField(Initiative, blank=True, related_name="articles", verbose_name="举措")
    script = models.CharField("字体", max_length=12, choices=Script.choices, default=Script.SIMPLIFIED)
    lost_characters = models.PositiveIntegerField("丢失字符", default=0)
    damaged_characters = models.PositiveIntegerField("无法修复的乱码字符", default=0)
    pinyin_removed = models.PositiveIntegerField("删除的拼音注音", default=0)
    chrome_lines_removed = models.PositiveIntegerField("删除的网页杂项行", default=0)
    original = models.ForeignKey(Original, on_delete=models.PROTECT, related_name="articles")
    source_name = models.CharField("源文件", max_length=255)
    fingerprint = models.CharField(max_length=64, db_index=True)
    simhash = models.CharField(max_length=16)
    # The simhash in five bands: near duplicates share at least one (see ingest.dedupe).
    band0 = models.PositiveIntegerField(db_index=True)
    band1 = models.PositiveIntegerField(db_index=True)
    band2 = models.PositiveIntegerField(db_index=True)
    band3 = models.PositiveIntegerField(db_index=True)
    band4 = models.PositiveIntegerField(db_index=True)
    near_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="near_duplicates"
    )
    # Set by every save, cleared once the search index holds this version (archive/search/indexing.py).
    needs_indexing = models.BooleanField(default=True, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-id"]
        verbose_name = verbose_name_plural = "文章"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.needs_indexing = True
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "needs_indexing"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("archive:article", args=[self.pk])

    @property
    def date_estimate(self) -> str | None:
        """The estimated year (2013) or month (2013-11) where the text states no date."""
        if self.estimated_year is None:
            return None
        return f"{self.estimated_year}-{self.estimated_month:02d}" if self.estimated_month else str(self.estimated_year)

    @property
    def date_estimate_label(self) -> str:
        """"约 2013 年（推断）", as pages show an estimate."""
        if self.estimated_year is None:
            return ""
        month = f" {self.estimated_month} 月" if self.estimated_month else ""
        return f"约 {self.estimated_year} 年{month}（推断）"

    @property
    def date_evidence_text(self) -> str:
        """The reasoning, then the sentences it rests on (the export's `date_evidence`)."""
        if self.estimated_year is None:
            return ""
        return f"{self.date_reasoning}\n{self.date_evidence}".strip()

    @property
    def province(self) -> str:
        return self.city.province if self.city else ""

    def blocks(self) -> list[tuple[str, str]]:
        """The body as (kind, text): "heading", "subheading" or "paragraph" (see ingest.headings)."""
        return body_blocks(self.body)

    def paragraphs(self) -> list[str]:
        """Every block's text, headings included, without their marks."""
        return [text for _kind, text in self.blocks()]

    @property
    def plain_body(self) -> str:
        return plain_text(self.body)

    def citable(self, url: str, accessed: date) -> Citable:
        """What a reference to this article says (citations.py writes it in each format)."""
        return Citable(
            article_id=self.pk, title=self.title, authors=tuple(self.authors), outlet=self.outlet,
            published_on=self.published_on, estimated_year=self.estimated_year,
            estimated_month=self.estimated_month, url=url, accessed=accessed, sha256=self.original_id,
            version=self.version_number(),
            is_post=self.forum_views is not None or self.forum_replies is not None or bool(self.comments.all()),
        )

    def citation(self, url: str, accessed: date) -> str:
        """A GB/T 7714-2015 reference, ready to copy."""
        reference = gbt7714(self.citable(url, accessed))
        # Re-imports may have changed the text: the reference names the one it quotes.
        number = self.version_number()
        return f"{reference}（档案文本第 {number} 版）" if number > 1 else reference

    def first_record(self):
        return min(self.import_records.all(), key=lambda record: (record.imported_at, record.pk), default=None)

    def version_number(self) -> int:
        """The number of the text shown now: 1 unless re-imports changed it (earlier ones are `versions`)."""
        return len(self.versions.all()) + 1

    def copies(self) -> list[dict]:
        """Every file that holds this article: the first, copies of its text, copies of its bytes."""
        records = sorted(self.import_records.all(), key=lambda record: (record.imported_at, record.pk))
        return [{"path": record.path, "sha256": record.sha256, "encoding": record.encoding} for record in records]

    def export_record(self) -> dict:
        """One article as the export and the API give it (field names are part of the interface)."""
        record = self.first_record()
        return {
            "id": self.pk,
            "source_file": record.name if record else self.source_name,
            "sha256": self.original_id,
            "encoding": record.encoding if record else "",
            "title": self.title,
            "published_on": self.published_on.isoformat() if self.published_on else None,
            "date_estimate": self.date_estimate,
            "date_evidence": self.date_evidence_text,
            "outlet": self.outlet,
            "authors": list(self.authors),
            "photographers": list(self.photographers),
            "editors": list(self.editors),
            "city": self.city.name if self.city else None,
            "province": self.province or None,
            "places": [place.name for place in self.places.all()],
            "officials": [
                {"name": o.name, "role": o.role, "city": o.city.name if o.city else None}
                for o in self.officials.all()
            ],
            "initiatives": [i.name for i in self.initiatives.all() if i.is_shown],
            "script": self.script,
            "body": self.plain_body,
            "headings": [text for kind, text in self.blocks() if kind != PARAGRAPH],
            "comments": [
                {
                    "author": c.author,
                    "posted_at": c.posted_at.isoformat() if c.posted_at else None,
                    "text": c.text,
                }
                for c in self.comments.all()
            ],
            "forum_location": self.forum_location,
            "forum_views": self.forum_views,
            "forum_replies": self.forum_replies,
            "url": settings.ARCHIVE_SITE_URL + self.get_absolute_url(),
            "version": self.version_number(),
            "copies": self.copies(),
            "near_duplicate_of": self.near_duplicate_of_id,
            "near_duplicates": [article.pk for article in self.near_duplicates.all()],
        }

    def file_records(self) -> list[dict]:
        """One export record per file of this article (`export_articles --all`), each naming its file.

        `duplicate_of` is the article a file repeats: this one for a copy, the first for a near-duplicate.
        """
        record = self.export_record()
        first = self.first_record()
        rows = []
        for file in sorted(self.import_records.all(), key=lambda file: (file.imported_at, file.pk)):
            repeated = self.pk if file != first else self.near_duplicate_of_id
            rows.append({**record, "source_file": file.name, "sha256": file.sha256, "encoding": file.encoding,
                         "duplicate_of": repeated})
        return rows


class Comment(models.Model):
    """A reply to a forum thread, kept apart from the article's text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    position = models.PositiveIntegerField()
    author = models.CharField(max_length=80, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)
    text = models.TextField(blank=True)
    quote_author = models.CharField(max_length=80, blank=True)
    quote_text = models.TextField(blank=True)

    class Meta:
        ordering = ["article", "position"]
        verbose_name = verbose_name_plural = "评论"

    def __str__(self):
        return f"{self.author or '匿名'}: {self.text[:30]}"


class Official(models.Model):
    """A police official named in an article, with the role the article gives them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="officials")
    name = models.CharField("姓名", max_length=20, db_index=True)
    role = models.CharField("职务", max_length=120)
    city = models.ForeignKey(City, null=True, blank=True, on_delete=models.SET_NULL, related_name="officials")

    class Meta:
        ordering = ["article", "id"]
        verbose_name = verbose_name_plural = "警务官员"

    def __str__(self):
        return f"{self.role}{self.name}"


class ImportRecord(models.Model):
    """What happened to one dump file the last time its content changed."""

    class Status(models.TextChoices):
        IMPORTED = "imported", "已导入"
        UPDATED = "updated", "已更新"
        DUPLICATE = "duplicate", "重复"
        COPY = "copy", "相同文本"
        NEAR_DUPLICATE = "near_duplicate", "近似重复"
        FAILED = "failed", "失败"

    path = models.CharField("路径", max_length=1024, unique=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    encoding = models.CharField("编码", max_length=32, blank=True)
    # sha256 of the decoded text after BOM, line ends, NFC and whitespace: equal for copies.
    text_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, db_index=True)
    reason = models.TextField("原因", blank=True)
    original = models.ForeignKey(Original, null=True, on_delete=models.PROTECT, related_name="records")
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_records"
    )
    imported_at = models.DateTimeField("时间")

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = verbose_name_plural = "导入记录"

    def __str__(self):
        return f"{self.name}: {self.get_status_display()}"

    @property
    def name(self) -> str:
        return Path(self.path).name


class ArticleVersion(models.Model):
    """An earlier title and body of an article, kept when a re-import changed them."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=300)
    body = models.TextField("正文")
    saved_at = models.DateTimeField("保存时间")  # when this text was first stored
    replaced_at = models.DateTimeField("替换时间")
    reason = models.CharField("原因", max_length=200)

    class Meta:
        ordering = ["article", "number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="one_number_per_version")]
        verbose_name = verbose_name_plural = "文章版本"

    def __str__(self):
        return f"#{self.article_id} v{self.number}"

    def get_absolute_url(self):
        return reverse("archive:article_version", args=[self.article_id, self.number])


class MergedArticle(models.Model):
    """The id of an article that turned out to be a copy of another: its address redirects there."""

    old_id = models.PositiveIntegerField(primary_key=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="merged_ids")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "合并的文章编号"

    def __str__(self):
        return f"#{self.old_id} → #{self.article_id}"
