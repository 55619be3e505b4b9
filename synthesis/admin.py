"""The admin for synthesis. Words and their links are written through synthesis.services; here a
highlight's words, note and participant are read-only, and evidence is picked by id (a campaign
may have 50,000 highlights) and checked to be from the theme's own campaign."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from empathy.admin_base import ReadOnlyAdmin

from .models import CampaignGeneration, Highlight, HighlightTag, Memo, PublishedQuote, RootCause, Tag, Theme, WhyStep


class HighlightTagInline(admin.TabularInline):
    model = HighlightTag
    extra = 0
    raw_id_fields = ["tag"]


@admin.register(Highlight)
class HighlightAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "participant", "theme", "starred", "dissenting", "needs_review"]
    list_filter = ["starred", "dissenting", "needs_review"]
    raw_id_fields = ["note", "campaign", "participant", "theme", "created_by"]
    readonly_fields = ["note", "campaign", "participant", "start", "end", "quote", "note_version", "created_by"]
    inlines = [HighlightTagInline]

    def has_add_permission(self, request):
        return False  # highlights are made on the notes page (services.highlight_create)


class EvidenceForm(forms.ModelForm):
    """Evidence and issue statements must belong to the theme's campaign."""

    def clean(self):
        cleaned = super().clean()
        theme = cleaned.get("theme")
        if theme is None:
            return cleaned
        wrong = [h for h in cleaned.get("evidence", []) if h.campaign_id != theme.campaign_id]
        wrong += [s for s in cleaned.get("issue_statements", []) if s.campaign_id != theme.campaign_id]
        if wrong:
            raise ValidationError(_("Evidence and issue statements must come from the theme's own campaign."))
        return cleaned


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "campaign"]
    search_fields = ["name"]
    raw_id_fields = ["campaign", "created_by"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "position", "published_at"]
    search_fields = ["title"]
    raw_id_fields = ["campaign", "created_by", "published_by"]
    filter_horizontal = ["issue_statements"]


@admin.register(HighlightTag)
class HighlightTagAdmin(admin.ModelAdmin):
    list_display = ["highlight", "tag", "created_at"]
    raw_id_fields = ["highlight", "tag"]


@admin.register(Memo)
class MemoAdmin(admin.ModelAdmin):
    list_display = ["__str__", "highlight", "tag", "author", "created_at"]
    raw_id_fields = ["highlight", "tag", "author"]


@admin.register(WhyStep)
class WhyStepAdmin(admin.ModelAdmin):
    list_display = ["__str__", "theme", "position"]
    form = EvidenceForm
    raw_id_fields = ["theme", "author", "evidence"]


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    list_display = ["statement", "category", "theme"]
    list_filter = ["category"]
    form = EvidenceForm
    raw_id_fields = ["theme", "author", "evidence", "issue_statements"]


@admin.register(PublishedQuote)
class PublishedQuoteAdmin(admin.ModelAdmin):
    list_display = ["theme", "highlight", "position"]
    raw_id_fields = ["theme", "highlight"]

    def has_add_permission(self, request):
        return False  # a lead publishes quotes on the theme page (consent is checked there)


@admin.register(CampaignGeneration)
class CampaignGenerationAdmin(ReadOnlyAdmin):
    """Database triggers write it (migration 0006); pages cache under it."""

    list_display = ("campaign_id", "generation")
    search_fields = ("campaign_id",)
