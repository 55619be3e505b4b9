from django.contrib import admin

from empathy.admin_base import ReadOnlyAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is evidence, so nobody edits or deletes it here."""

    list_display = ["created_at", "actor_email", "action", "campaign_slug", "target_repr"]
    list_filter = ["action", "created_at"]
    search_fields = ["actor_email", "campaign_slug", "target_repr"]
    date_hierarchy = "created_at"
