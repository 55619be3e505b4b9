from django.contrib import admin

from .models import Highlight, HighlightTag, Memo, PublishedQuote, RootCause, Tag, Theme, WhyStep


class HighlightTagInline(admin.TabularInline):
    model = HighlightTag
    extra = 0
    raw_id_fields = ["tag"]


@admin.register(Highlight)
class HighlightAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "participant", "theme", "starred", "dissenting", "needs_review"]
    list_filter = ["starred", "dissenting", "needs_review"]
    raw_id_fields = ["note", "campaign", "participant", "theme", "created_by"]
    inlines = [HighlightTagInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign"]
    search_fields = ["name"]
    raw_id_fields = ["campaign", "created_by"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "position", "published_at"]
    search_fields = ["title"]
    raw_id_fields = ["campaign", "created_by", "published_by"]
    filter_horizontal = ["issue_statements"]


@admin.register(HighlightTag)
class HighlightTagAdmin(admin.ModelAdmin):
    list_display = ["highlight", "tag", "created_at"]
    raw_id_fields = ["highlight", "tag"]


@admin.register(Memo)
class MemoAdmin(admin.ModelAdmin):
    list_display = ["__str__", "highlight", "tag", "author", "created_at"]
    raw_id_fields = ["highlight", "tag", "author"]


@admin.register(WhyStep)
class WhyStepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "theme", "position"]
    raw_id_fields = ["theme", "author"]
    filter_horizontal = ["evidence"]


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ["statement", "category", "theme"]
    list_filter = ["category"]
    raw_id_fields = ["theme", "author"]
    filter_horizontal = ["evidence", "issue_statements"]


@admin.register(PublishedQuote)
class PublishedQuoteAdmin(admin.ModelAdmin):
    list_display = ["theme", "highlight", "position"]
    raw_id_fields = ["theme", "highlight"]
