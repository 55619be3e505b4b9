from django.contrib import admin

from empathy.admin_base import ReadOnlyAdmin

from .models import ConsentForm, ConsentRecord, ParticipantLink, Purge, RetentionNotice, TransparencyStatement


@admin.register(TransparencyStatement)
class TransparencyStatementAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "language", "version", "retain_until", "created_by", "updated_at"]
    list_filter = ["language", "campaign"]
    list_select_related = ["campaign", "created_by"]


@admin.register(ConsentForm)
class ConsentFormAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "language", "version", "title", "statement", "updated_at"]
    list_filter = ["language", "campaign"]
    list_select_related = ["campaign", "statement", "statement__campaign"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["participant", "kind", "given_by", "method", "given_on", "may_quote", "attribution", "created_at"]
    list_filter = ["kind", "method", "given_by"]
    search_fields = ["participant__code"]
    list_select_related = ["participant"]
    date_hierarchy = "created_at"


@admin.register(ParticipantLink)
class ParticipantLinkAdmin(ReadOnlyAdmin):
    list_display = ["participant", "recipient", "delivery", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_select_related = ["participant"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.action(description="Revoke the selected links")
    def revoke(self, request, queryset):
        from .services import link_revoke

        for link in queryset.select_related("participant__campaign"):
            link_revoke(link=link, by=request.user, request=request)


@admin.register(RetentionNotice)
class RetentionNoticeAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "kind", "retain_until", "created_at"]


@admin.register(Purge)
class PurgeAdmin(ReadOnlyAdmin):
    list_display = ["participant", "by", "created_at"]
    list_select_related = ["participant", "by"]
