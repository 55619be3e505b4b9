from django.contrib import admin

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


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "campaign", "role", "status", "is_minor", "most_directly_impacted"]
    list_filter = ["status", "role", "most_directly_impacted", "not_usually_asked", "is_minor", "campaign"]
    search_fields = ["code", "full_name", "email", "school"]
    list_select_related = ["campaign"]
    readonly_fields = ["code", "number", "interviewed_at", "status", "status_changed_at", "created_at", "updated_at"]
    raw_id_fields = ["person"]
    filter_horizontal = ["assigned_interviewers"]
    inlines = [ParticipantValueInline, StatusChangeInline]


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    list_display = ["participant", "from_status", "to_status", "by", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["participant__code", "note"]
    list_select_related = ["participant", "by"]
    date_hierarchy = "created_at"


@admin.register(PriorityGroup)
class PriorityGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign", "role", "target"]
    list_filter = ["campaign", "role"]
    search_fields = ["name"]
    filter_horizontal = ["values"]


@admin.register(TargetOverride)
class TargetOverrideAdmin(admin.ModelAdmin):
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
