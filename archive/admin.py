from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from .candidates import confirm, evidence_summary, merge_as_alias, reject
from .ingest.discovery import SHOWN_SCORE
from .models import Article, City, Comment, ImportRecord, Initiative, InitiativeAlias, Official


class OfficialInline(admin.TabularInline):
    model = Official
    extra = 0
    autocomplete_fields = ["city"]


class CommentInline(admin.StackedInline):
    model = Comment
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "published_on", "city", "outlet", "script", "lost_characters", "near_duplicate_of"]
    list_filter = ["script", "city__province", "outlet"]
    search_fields = ["title", "outlet"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["city", "places", "initiatives"]
    raw_id_fields = ["original", "near_duplicate_of"]
    readonly_fields = ["fingerprint", "simhash", "date_basis", "pinyin_removed", "chrome_lines_removed",
                       "created_at", "updated_at", "source_name"]
    exclude = ["band0", "band1", "band2", "band3", "band4"]
    inlines = [OfficialInline, CommentInline]


class AliasInline(admin.TabularInline):
    model = InitiativeAlias
    extra = 1


class ReviewFilter(admin.SimpleListFilter):
    title = "审核状态"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("queue", "待审核的候选"), ("shown", "未确认但已显示"), ("confirmed", "已确认"), ("rejected", "已拒绝")]

    def queryset(self, request, queryset):
        if self.value() == "queue":
            return queryset.review_queue()
        if self.value() == "shown":
            return queryset.review_queue().filter(score__gte=SHOWN_SCORE)
        if self.value() == "confirmed":
            return queryset.filter(confirmed=True)
        if self.value() == "rejected":
            return queryset.filter(rejected=True)
        return queryset


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    """The curated list, and the review queue of candidates the import found (filter 待审核的候选)."""

    list_display = ["name", "status", "score", "article_count", "city_list", "alias_list"]
    list_filter = [ReviewFilter]
    search_fields = ["name", "aliases__name"]
    readonly_fields = ["score", "evidence_sentences"]
    exclude = ["evidence"]
    inlines = [AliasInline]
    actions = ["confirm", "reject", "merge"]

    def get_queryset(self, request):
        canonical = Q(articles__near_duplicate_of__isnull=True)
        return (
            super().get_queryset(request)
            .annotate(article_total=Count("articles", filter=canonical, distinct=True))
            .prefetch_related("aliases")
        )

    @admin.display(description="状态")
    def status(self, initiative):
        if initiative.confirmed:
            return "已确认"
        if initiative.rejected:
            return "已拒绝"
        return "未确认（已显示）" if initiative.is_shown else "候选"

    @admin.display(description="文章数", ordering="article_total")
    def article_count(self, initiative):
        return initiative.article_total

    @admin.display(description="城市")
    def city_list(self, initiative):
        cities = initiative.articles.canonical().exclude(city=None).values_list("city__name", flat=True)
        return "、".join(sorted(set(cities)))

    @admin.display(description="别名")
    def alias_list(self, initiative):
        return "、".join(alias.name for alias in initiative.aliases.all())

    @admin.display(description="文中证据")
    def evidence_sentences(self, initiative):
        summary = evidence_summary(initiative)
        items = format_html_join(
            "", '<li><a href="{}">#{}</a> {}</li>',
            ((reverse("archive:article", args=[pk]), pk, sentence) for pk, sentence in summary["sentences"]),
        )
        cities = "、".join(summary["cities"]) or "—"
        return format_html("<p>{} 篇文章 · 城市：{}</p><ol>{}</ol>", summary["article_count"], cities, items)

    @admin.action(description="确认所选举措")
    def confirm(self, request, queryset):
        count = confirm(queryset.filter(confirmed=False))
        self.message_user(request, f"已确认 {count} 项举措。")

    @admin.action(description="拒绝所选候选（不是举措名称；以后的导入不再提出）")
    def reject(self, request, queryset):
        count = reject(queryset.filter(confirmed=False))
        self.message_user(request, f"已拒绝 {count} 项候选。")

    @admin.action(description="合并所选举措（并入其中已确认且文章最多的一项，其余名称成为别名）")
    def merge(self, request, queryset):
        chosen = list(queryset.order_by("-confirmed", "-article_total", "pk"))
        if len(chosen) < 2:
            self.message_user(request, "请至少选择两项举措。", messages.WARNING)
            return
        target, others = chosen[0], chosen[1:]
        merge_as_alias(target, others)
        self.message_user(request, f"已将 {len(others)} 项并入“{target.name}”，其名称成为别名。")


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_traditional", "province", "level", "prefecture", "adcode"]
    list_filter = ["level", "province"]
    search_fields = ["name", "name_traditional", "full_name", "adcode"]
    readonly_fields = ["adcode"]


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "encoding", "reason", "imported_at", "article_link"]
    list_filter = ["status", "encoding"]
    search_fields = ["path", "sha256", "reason"]
    readonly_fields = [field.name for field in ImportRecord._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="文章")
    def article_link(self, record):
        if not record.article_id:
            return "—"
        return format_html('<a href="{}">#{}</a>', record.article.get_absolute_url(), record.article_id)
