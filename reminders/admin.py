from django.contrib import admin

from .models import Email, EmailTemplate, ReminderSettings


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "campaign", "recipient", "status", "send_at", "sent_at", "attempts"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "message_id", "dedupe_key"]
    raw_id_fields = ["campaign", "interview", "participant", "user"]
    readonly_fields = [f.name for f in Email._meta.fields if f.name not in ("id", "context")]
    exclude = ["context"]  # may hold a one-time link token until the email is sent

    def has_add_permission(self, request):
        return False


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ["campaign", "kind", "language", "updated_at"]
    list_filter = ["kind", "language"]
    raw_id_fields = ["campaign", "updated_by"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ["campaign", "offsets_minutes", "remind_team"]
    raw_id_fields = ["campaign"]
