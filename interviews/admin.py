from django.contrib import admin

from .models import InterviewGuide, Prediction, Prompt, PromptPattern


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
