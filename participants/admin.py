from django.contrib import admin

from audit.models import AuditEvent
from audit.services import audit_record
from empathy.admin_base import ReadOnlyAdmin

from .models import (
    CodeSequence,
    DimensionValue,
    EquityDimension,
    Participant,
    ParticipantValue,
    Person,
    PriorityGroup,
    SelectionRule,
    StatusChange,
    TargetOverride,
)


class DimensionValueInline(admin.TabularInline):
    model = DimensionValue
    extra = 0


@admin.register(EquityDimension)
class EquityDimensionAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "key", "source", "often_marginalized", "position"]
    list_filter = ["source", "often_marginalized", "campaign"]
    search_fields = ["name", "key", "campaign__title"]
    list_select_related = ["campaign"]
    inlines = [DimensionValueInline]


class ParticipantValueInline(admin.TabularInline):
    model = ParticipantValue
    extra = 0
    raw_id_fields = ["dimension", "value"]


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    readonly_fields = ["from_status", "to_status", "by", "note", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    """Identity is read-only here and never listed or searched: changes go through the
    participant pages (participants.services), and opening one participant is audited.
    Deleting one is audited too. The status history is shown inline, read-only; it has no page
    of its own, so no row of it can be edited or deleted alone."""

    list_display = ["code", "campaign", "role", "status", "is_minor", "most_directly_impacted"]
    list_filter = ["status", "role", "most_directly_impacted", "not_usually_asked", "is_minor", "campaign"]
    search_fields = ["code"]
    list_select_related = ["campaign"]
    readonly_fields = [
        "campaign",
        "code",
        "number",
        "person",
        "full_name",
        "email",
        "phone",
        "school",
        "grade",
        "preferred_language",
        "note",
        "role",
        "is_minor",
        "most_directly_impacted",
        "not_usually_asked",
        "status",
        "status_changed_at",
        "interviewed_at",
        "assigned_interviewers",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ParticipantValueInline, StatusChangeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        participant = Participant.objects.select_related("campaign").filter(pk=object_id).first()
        if participant is not None and getattr(response, "status_code", None) == 200:
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.VIEW_IDENTIFIED,
                campaign=participant.campaign,
                target=participant,
                detail={"page": "admin"},
                request=request,
            )
        return response

    def delete_model(self, request, obj):
        _audit_deletion(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        _audit_deletion(request, list(queryset.select_related("campaign")))
        super().delete_queryset(request, queryset)


def _audit_deletion(request, participants):
    for participant in participants:
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.DELETE,
            campaign=participant.campaign,
            target=participant,
            detail={"what": "participant", "page": "admin"},
            request=request,
        )


@admin.register(PriorityGroup)
class PriorityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "role", "target"]
    list_filter = ["campaign", "role"]
    search_fields = ["name"]
    filter_horizontal = ["values"]


@admin.register(TargetOverride)
class TargetOverrideAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "by", "created_at"]
    list_filter = ["campaign"]
    search_fields = ["reason"]
    readonly_fields = ["campaign", "reason", "unmet", "by", "created_at"]


@admin.register(SelectionRule)
class SelectionRuleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "district", "recent_interview_days"]
    list_filter = ["district"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["pk", "district", "created_at"]
    list_filter = ["district"]


@admin.register(DimensionValue)
class DimensionValueAdmin(admin.ModelAdmin):
    list_display = ["label", "dimension", "population_share", "often_marginalized"]
    list_filter = ["often_marginalized", "dimension__campaign"]
    search_fields = ["label", "dimension__name"]
    list_select_related = ["dimension"]


@admin.register(ParticipantValue)
class ParticipantValueAdmin(admin.ModelAdmin):
    list_display = ["participant", "dimension", "value"]
    list_filter = ["dimension"]
    search_fields = ["participant__code", "value__label"]
    list_select_related = ["participant", "dimension", "value"]
    raw_id_fields = ["participant", "dimension", "value"]


@admin.register(CodeSequence)
class CodeSequenceAdmin(admin.ModelAdmin):
    list_display = ["campaign", "last_number"]
    list_select_related = ["campaign"]
    readonly_fields = ["campaign", "last_number"]
