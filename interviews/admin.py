from django.contrib import admin

from .models import Interview, InterviewGuide, Note, NoteRevision, Prediction, Prompt, PromptPattern


class PromptInline(admin.TabularInline):
    model = Prompt
    extra = 0
    fields = ["kind", "position", "text"]


@admin.register(InterviewGuide)
class InterviewGuideAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "created_by", "updated_at"]
    list_filter = ["campaign"]
    search_fields = ["title"]
    raw_id_fields = ["copied_from", "created_by"]
    inlines = [PromptInline]


@admin.register(PromptPattern)
class PromptPatternAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "campaign", "position"]
    list_filter = ["kind", ("campaign", admin.EmptyFieldListFilter)]
    search_fields = ["text"]
    raw_id_fields = ["created_by"]


@admin.register(Prediction)
class PredictionAdmin(admin.ModelAdmin):
    list_display = ["text", "author", "campaign", "status"]
    list_filter = ["status", "campaign"]
    search_fields = ["text"]
    raw_id_fields = ["author"]


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "position", "guide"]
    list_filter = ["kind"]
    search_fields = ["text", "guide__title"]
    list_select_related = ["guide"]
    raw_id_fields = ["guide"]


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    """Times, places and teams can be fixed here; status moves through the app (it has side effects)."""

    list_display = ["participant", "campaign", "scheduled_at", "time_zone", "mode", "interviewer", "status"]
    list_filter = ["status", "mode", "campaign"]
    search_fields = ["participant__code", "place_or_link"]
    list_select_related = ["participant", "campaign", "interviewer"]
    raw_id_fields = ["participant", "guide", "interviewer", "note_taker", "created_by"]
    readonly_fields = ["status", "started_at", "completed_at", "ends_at"]
    date_hierarchy = "scheduled_at"


class NoteRevisionInline(admin.TabularInline):
    model = NoteRevision
    extra = 0
    can_delete = False
    fields = ["version", "kind", "body", "edited_by", "edited_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    """Read-only: notes change through the note-taking page, which keeps versions and history."""

    list_display = ["__str__", "kind", "interview", "author", "version", "is_deleted", "updated_at"]
    list_filter = ["kind", "is_deleted", "campaign"]
    search_fields = ["body", "participant__code"]
    list_select_related = ["interview__participant", "author"]
    inlines = [NoteRevisionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
