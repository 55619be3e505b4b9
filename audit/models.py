from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def for_campaign(self, campaign):
        return self.filter(campaign=campaign)


class AuditEvent(models.Model):
    """One access to or change of sensitive data. Rows are only ever added, never edited."""

    class Action(models.TextChoices):
        VIEW_IDENTIFIED = "view_identified", _("Viewed identified data")
        EXPORT_IDENTIFIED = "export_identified", _("Exported identified data")
        EXPORT = "export", _("Exported data")
        CONSENT_CHANGE = "consent_change", _("Changed consent")
        DELETE = "delete", _("Deleted")
        PURGE = "purge", _("Purged data")
        ROLE_CHANGE = "role_change", _("Changed a team role")
        MEMBER_REMOVE = "member_remove", _("Removed a team member")
        INVITE = "invite", _("Invited a team member")
        INVITE_REVOKE = "invite_revoke", _("Revoked an invitation")
        INVITE_ACCEPT = "invite_accept", _("Accepted an invitation")
        OVERRIDE = "override", _("Overrode a rule")
        SETTINGS_CHANGE = "settings_change", _("Changed campaign settings")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Kept when the user or campaign is later removed: the email and slug are copied in.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_email = models.CharField(max_length=254, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    campaign_slug = models.CharField(max_length=80, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "-created_at"], name="audit_campaign_created_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.target_repr}"
