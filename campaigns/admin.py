from django.contrib import admin
from django.core.exceptions import ValidationError

from . import services
from .models import Campaign, District, Goal, Invitation, IssueStatement, Membership


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class GoalInline(admin.TabularInline):
    model = Goal
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "district", "status", "starts_on", "ends_on", "created_at"]
    list_filter = ["status", "district"]
    search_fields = ["title", "slug", "policy_context"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "created_at"
    inlines = [GoalInline, MembershipInline]


@admin.register(IssueStatement)
class IssueStatementAdmin(admin.ModelAdmin):
    list_display = ["campaign", "version", "author", "created_at"]
    list_filter = ["campaign"]
    search_fields = ["text", "rationale"]
    list_select_related = ["campaign", "author"]

    def has_change_permission(self, request, obj=None):
        # Versions are history: refine by adding a version, never by editing one.
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "campaign", "role", "created_at"]
    list_filter = ["role", "campaign"]
    search_fields = ["user__email", "campaign__title"]
    list_select_related = ["user", "campaign"]
    autocomplete_fields = ["user", "campaign"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Admins invite people the same way leads do: through the service, which emails the link."""

    list_display = ["email", "campaign", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "campaign"]
    search_fields = ["email", "campaign__title"]
    list_select_related = ["campaign"]
    actions = ["revoke_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["campaign", "email", "role"]
        return ["campaign", "email", "role", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            invitation, _token = services.invitation_create(
                campaign=obj.campaign, email=obj.email, role=obj.role, invited_by=request.user, request=request
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        obj.pk = invitation.pk
        obj.token_hash = invitation.token_hash

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Withdraw the selected pending invitations")
    def revoke_selected(self, request, queryset):
        for invitation in queryset.pending():
            services.invitation_revoke(invitation=invitation, by=request.user, request=request)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ["text", "campaign", "position"]
    list_filter = ["campaign"]
    search_fields = ["text"]
    list_select_related = ["campaign"]
