from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils.html import format_html

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


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["name", "confirmed", "article_count", "alias_list"]
    list_filter = ["confirmed"]
    search_fields = ["name", "aliases__name"]
    inlines = [AliasInline]
    actions = ["confirm", "merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("articles")).prefetch_related("aliases")

    @admin.display(description="文章数", ordering="article_total")
    def article_count(self, initiative):
        return initiative.article_total

    @admin.display(description="别名")
    def alias_list(self, initiative):
        return "、".join(alias.name for alias in initiative.aliases.all())

    @admin.action(description="确认所选举措")
    def confirm(self, request, queryset):
        chosen = list(queryset.filter(confirmed=False))
        with transaction.atomic():
            for initiative in chosen:  # saved one by one: the articles naming it are indexed anew
                initiative.confirmed = True
                initiative.save(update_fields=["confirmed"])
        self.message_user(request, f"已确认 {len(chosen)} 项举措。")

    @admin.action(description="合并所选举措（并入其中已确认且文章最多的一项，其余名称成为别名）")
    def merge(self, request, queryset):
        chosen = list(queryset.order_by("-confirmed", "-article_total", "pk"))
        if len(chosen) < 2:
            self.message_user(request, "请至少选择两项举措。", messages.WARNING)
            return
        target, others = chosen[0], chosen[1:]
        with transaction.atomic():
            target.merge(others)
        self.message_user(request, f"已将 {len(others)} 项并入“{target.name}”。")


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
