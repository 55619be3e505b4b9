from django.contrib import admin

from .models import CommunitySummary, CommunitySummaryText, ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "campaign", "kind", "format", "anonymized", "status", "progress", "row_count", "created_at"]
    list_filter = ["status", "kind", "format", "anonymized"]
    search_fields = ["campaign__slug", "requested_by__email"]
    # Files are reached through the permission-checked, audited download view only.
    exclude = ["file"]
    readonly_fields = ["campaign", "kind", "format", "anonymized", "reason", "requested_by", "created_at"]


class CommunitySummaryTextInline(admin.StackedInline):
    model = CommunitySummaryText
    extra = 0


@admin.register(CommunitySummary)
class CommunitySummaryAdmin(admin.ModelAdmin):
    list_display = ["campaign", "published_at", "emailed_at"]
    exclude = ["token"]
    inlines = [CommunitySummaryTextInline]
