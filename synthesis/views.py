"""Synthesis pages: the board, notes to highlight, themes, codebook, root causes, findings, search."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from empathy.access import ALL_ROLES, LEAD_ONLY, TEAM, campaign_view
from interviews.models import Note, Prediction

from . import fragments, generations, selectors, services
from .forms import (
    HighlightForm,
    MemoForm,
    MergeForm,
    PredictionMarkForm,
    RefineForm,
    RootCauseForm,
    TagForm,
    TagsForm,
    ThemeForm,
    WhyStepForm,
)
from .models import Highlight, RootCause, Tag, Theme
from .selectors import parse_id, parse_ids


def _theme(campaign, theme_id) -> Theme:
    return get_object_or_404(Theme, pk=theme_id, campaign=campaign)


def _highlight(campaign, highlight_id) -> Highlight:
    """A highlight of this campaign whose words may be shown (never a withdrawn participant's)."""
    return get_object_or_404(
        Highlight.objects.visible().select_related("participant", "note__prompt", "theme"),
        pk=highlight_id,
        campaign=campaign,
    )


def _safe_next(request, target: str) -> str:
    """`target` if it is a path on this site, else "" (no //evil, /\\evil or javascript:)."""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _back(request, fallback):
    target = _safe_next(request, request.POST.get("next") or request.GET.get("next") or "")
    return redirect(target or fallback)


def _lead_only(request, campaign, *themes):
    """A 403 page saying why, when a published theme would be changed by someone not a lead."""
    if campaign.membership.is_lead or not services.theme_needs_lead(*themes):
        return None
    return render(
        request,
        "synthesis/lead_only.html",
        {"campaign": campaign, "themes": themes},
        status=403,
    )


def _errors(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


# --- Board ---------------------------------------------------------------------------------------


@campaign_view(TEAM)
def board(request, campaign):
    """The board's pieces come from the generation cache while nothing in the campaign changed
    (`synthesis.generations`); otherwise stale highlights are re-anchored and all is read anew."""
    filters = selectors.BoardFilters.from_request(request.GET)
    pieces = generations.cached(
        campaign,
        "board",
        (campaign.membership.role, request.get_full_path()),
        lambda: _board_pieces(request, campaign, filters),
    )
    context = {
        "campaign": campaign,
        "page": generations.page_of(pieces["card_ids"], pieces["count"], pieces["number"], selectors.BOARD_PAGE_SIZE),
        "card_ids": pieces["card_ids"],
        "themes_html": pieces["themes_html"],
        "filters_html": pieces["filters_html"],
        "cards_html": pieces["cards_html"],
        "filters": filters,
        "query": filters.querystring(),
        "theme_form_html": pieces["theme_form_html"],
    }
    return render(request, "synthesis/board.html", context)


def _board_pieces(request, campaign, filters) -> dict:
    services.highlights_reanchor_stale(campaign)
    themes = list(selectors.themes_for_board(campaign))
    previews = selectors.theme_previews(campaign, themes)
    for theme in themes:
        theme.preview = previews.get(theme.pk, [])
    page = Paginator(selectors.board_cards(campaign, filters), selectors.BOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cards = list(page.object_list)
    options = selectors.filter_options(campaign)
    return {
        "card_ids": [h.pk for h in cards],
        "count": page.paginator.count,
        "number": page.number,
        "themes_html": fragments.board_themes_html(campaign, themes),
        "filters_html": fragments.board_filters_html(campaign, filters, themes, options),
        "cards_html": fragments.board_cards_html(request, campaign, cards),
        "theme_form_html": fragments.crispy_html(campaign, ThemeForm()),
    }


@campaign_view(TEAM)
def highlight_move(request, campaign, highlight_id):
    """GET: the card's small "move to theme" form (loaded on demand, so a page of cards does not
    carry every theme forty times). POST: one small request per move; the card and the two theme
    headers it changed come back."""
    highlight = _highlight(campaign, highlight_id)
    if request.method != "POST":
        if not request.htmx:
            return redirect(reverse("synthesis:highlight", args=[campaign.slug, highlight.pk]) + "#theme-select")
        themes = list(Theme.objects.filter(campaign=campaign).only("pk", "title"))
        next_url = request.GET.get("next", "")
        return render(
            request,
            "synthesis/_move_form.html",
            {
                "campaign": campaign,
                "h": highlight,
                "themes": themes,
                "next": _safe_next(request, next_url),
            },
        )
    old_theme_id = highlight.theme_id
    raw = request.POST.get("theme", "")
    theme_id = parse_id(raw)
    theme = _theme(campaign, theme_id) if theme_id is not None else None
    services.highlight_move(highlight_id=highlight.pk, campaign=campaign, theme=theme)
    if not request.htmx:
        return _back(request, reverse("synthesis:board", args=[campaign.slug]))
    highlight = _highlight(campaign, highlight_id)
    changed = {pk for pk in (old_theme_id, highlight.theme_id) if pk}
    themes = list(selectors.themes_with_counts(campaign).filter(pk__in=changed)) if changed else []
    return render(request, "synthesis/_moved.html", {"campaign": campaign, "h": highlight, "themes": themes})


# --- Notes and highlights -----------------------------------------------------------------------

NOTES_PAGE_SIZE = 15


@campaign_view(TEAM)
def notes(request, campaign):
    """Notes to read and highlight, one interview or all, paginated; existing highlights marked."""
    from consent.selectors import exclude_withdrawn

    services.highlights_reanchor_stale(campaign)
    qs = exclude_withdrawn(Note.objects.live().for_campaign(campaign), "participant").select_related(
        "participant", "prompt"
    )
    interview = request.GET.get("interview", "")
    if parse_id(interview) is not None:
        qs = qs.filter(interview_id=parse_id(interview))
    code = request.GET.get("participant", "").strip()
    if code:
        qs = qs.filter(participant__code__iexact=code)
    # Interview by interview, each in the order it was typed: the (interview, created_at) index.
    qs = qs.order_by("interview_id", "created_at", "id")
    page = Paginator(qs, NOTES_PAGE_SIZE).get_page(request.GET.get("page"))
    notes = list(page.object_list)
    by_note = {}
    for h in Highlight.objects.filter(note__in=notes).order_by("start"):
        by_note.setdefault(h.note_id, []).append(h)
    for note in notes:
        note.segments = _segments(note.body, by_note.get(note.pk, []))
        note.highlight_list = by_note.get(note.pk, [])
    query = "&".join(f"{k}={v}" for k, v in (("interview", interview), ("participant", code)) if v)
    return render(
        request,
        "synthesis/notes.html",
        {
            "campaign": campaign,
            "page": page,
            "notes": notes,
            "query": query,
            "code": code,
            "tags": list(Tag.objects.for_campaign(campaign).only("name")),
            "form": HighlightForm(),
        },
    )


def _segments(body: str, highlights) -> list[tuple[str, object]]:
    """The body cut into (text, highlight-or-None) runs; overlapping highlights show the first."""
    out, pos = [], 0
    for h in highlights:
        if h.needs_review or h.start < pos or body[h.start : h.end] != h.quote:
            continue
        if h.start > pos:
            out.append((body[pos : h.start], None))
        out.append((body[h.start : h.end], h))
        pos = h.end
    if pos < len(body):
        out.append((body[pos:], None))
    return out


@campaign_view(TEAM)
@require_POST
def highlight_create(request, campaign):
    from consent.selectors import exclude_withdrawn

    raw = request.POST.get("note", "")
    note = get_object_or_404(
        exclude_withdrawn(Note.objects.live().for_campaign(campaign), "participant"),
        pk=parse_id(raw) or 0,
    )
    form = HighlightForm(request.POST)
    if form.is_valid():
        try:
            services.highlight_create(
                note=note,
                user=request.user,
                start_utf16=form.cleaned_data["start_utf16"],
                end_utf16=form.cleaned_data["end_utf16"],
                quote=form.cleaned_data["quote"],
                new_tags=form.tag_names(),
                memo=form.cleaned_data["memo"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Highlight saved."))
    else:
        messages.error(request, _("Select some words of the note first."))
    fallback = reverse("synthesis:notes", args=[campaign.slug]) + f"#note-{note.pk}"
    return _back(request, fallback)


@campaign_view(TEAM)
def highlight_detail(request, campaign, highlight_id):
    highlight = _highlight(campaign, highlight_id)
    tags = list(highlight.tags.order_by("name"))
    return render(
        request,
        "synthesis/highlight.html",
        {
            "campaign": campaign,
            "h": highlight,
            "tags": tags,
            "tags_form": TagsForm(initial={"tags": ", ".join(t.name for t in tags)}),
            "memo_form": MemoForm(),
            "memos": list(highlight.memos.select_related("author")),
            "themes": list(Theme.objects.filter(campaign=campaign).only("pk", "title")),
        },
    )


@campaign_view(TEAM)
@require_POST
def highlight_tags(request, campaign, highlight_id):
    highlight = _highlight(campaign, highlight_id)
    form = TagsForm(request.POST)
    if form.is_valid():
        services.highlight_set_tags(highlight=highlight, new_tags=form.tag_names(), user=request.user)
        messages.success(request, _("Tags saved."))
    return _back(request, reverse("synthesis:highlight", args=[campaign.slug, highlight.pk]))


@campaign_view(TEAM)
@require_POST
def highlight_toggle(request, campaign, highlight_id):
    highlight = _highlight(campaign, highlight_id)
    field = request.POST.get("field")
    if field not in ("starred", "dissenting"):
        raise Http404
    services.highlight_toggle(highlight=highlight, field=field)
    if request.htmx:
        return render(request, "synthesis/_flags.html", {"campaign": campaign, "h": highlight})
    return _back(request, reverse("synthesis:highlight", args=[campaign.slug, highlight.pk]))


@campaign_view(TEAM)
@require_POST
def highlight_memo(request, campaign, highlight_id):
    highlight = _highlight(campaign, highlight_id)
    form = MemoForm(request.POST)
    if form.is_valid():
        services.memo_add(user=request.user, body=form.cleaned_data["body"], highlight=highlight)
        messages.success(request, _("Memo added."))
    return redirect("synthesis:highlight", campaign.slug, highlight.pk)


@campaign_view(TEAM)
def highlight_delete(request, campaign, highlight_id):
    highlight = _highlight(campaign, highlight_id)
    if request.method == "POST":
        services.highlight_delete(highlight=highlight, user=request.user, request=request)
        messages.success(request, _("Highlight deleted; the note itself is unchanged."))
        return redirect("synthesis:board", campaign.slug)
    return render(
        request,
        "synthesis/confirm.html",
        {
            "campaign": campaign,
            "title": _("Delete this highlight?"),
            "body": _("The words stay in the note; the highlight, its tags and memos go."),
            "object": highlight,
            "cancel": reverse("synthesis:highlight", args=[campaign.slug, highlight.pk]),
        },
    )


# --- Themes --------------------------------------------------------------------------------------


@campaign_view(TEAM)
@require_POST
def theme_create(request, campaign):
    form = ThemeForm(request.POST)
    if form.is_valid():
        try:
            theme = services.theme_create(campaign=campaign, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Theme “%(t)s” added; drag cards onto it.") % {"t": theme.title})
    else:
        messages.error(request, _("Give the theme a title."))
    return _back(request, reverse("synthesis:board", args=[campaign.slug]))


THEME_EVIDENCE_PAGE = 30


@campaign_view(TEAM)
def theme(request, campaign, theme_id):
    """A theme page's pieces come from the generation cache while nothing in the campaign
    changed (`synthesis.generations`); what a lead sees differs, so the role is in the key."""
    pieces = generations.cached(
        campaign,
        "theme",
        (campaign.membership.role, theme_id, request.get_full_path()),
        lambda: _theme_pieces(request, campaign, theme_id),
    )
    context = {
        **pieces,
        "campaign": campaign,
        "page": generations.page_of(pieces["evidence_ids"], pieces["count"], pieces["number"], THEME_EVIDENCE_PAGE),
    }
    return render(request, "synthesis/theme.html", context)


def _theme_pieces(request, campaign, theme_id) -> dict:
    theme = _theme(campaign, theme_id)
    page = Paginator(selectors.theme_evidence(campaign, theme), THEME_EVIDENCE_PAGE).get_page(request.GET.get("page"))
    cards = list(page.object_list)
    others = [t for t in Theme.objects.filter(campaign=campaign).only("pk", "title") if t.pk != theme.pk]
    causes = list(theme.root_causes.all())
    published_ids = set(theme.published_quotes.values_list("highlight_id", flat=True))
    voices = selectors.whose_voices(campaign, theme.highlights.all())
    forms = {
        "form": ThemeForm(initial={"title": theme.title, "statement": theme.statement}),
        "merge_form": MergeForm(choices=others),
    }
    quotable = set()
    if campaign.membership.is_lead:
        current = campaign.issue_statements.first()
        forms["refine_form"] = RefineForm(
            initial={"text": current.text if current else "", "root_causes": [c.pk for c in causes]}, causes=causes
        )
        from consent.selectors import scopes_by_participant

        # The page's participants' consent, read once for both uses below.
        scopes = scopes_by_participant({h.participant_id for h in cards})
        quotable = _quotable_ids(cards, scopes)
        _attach_attributions(campaign, cards, scopes)
    pieces = {
        "theme": theme,
        "evidence_ids": [h.pk for h in cards],
        "count": page.paginator.count,
        "number": page.number,
        "voices": voices,
        "others": [(t.pk, t.title) for t in others],
        "causes": causes,
        "published_ids": published_ids,
        "quotable": quotable,
        "cards_html": fragments.evidence_cards_html(campaign, theme, cards, published_ids, quotable),
        "voices_html": fragments.voices_html(campaign, voices),
    }
    for name in ("form", "merge_form", "refine_form"):
        pieces[f"{name}_html"] = fragments.crispy_html(campaign, forms.get(name))
    return pieces


def _attach_attributions(campaign, highlights, scopes) -> None:
    """How each quote is attributed wherever it leaves the product: consent and small-group
    protection (exports.attribution, the one rule). One query (the group sizes)."""
    from exports.attribution import attribution_for, campaign_group_sizes

    sizes = campaign_group_sizes(campaign)
    for h in highlights:
        h.public_attribution = attribution_for(h.participant, sizes, scopes.get(h.participant_id))


def _quotable_ids(highlights, scopes) -> set[int]:
    # Words no longer in the edited note (needs_review) are not offered: they may be what was edited out.
    return {
        h.pk
        for h in highlights
        if not h.needs_review and scopes.get(h.participant_id) and scopes[h.participant_id].may_quote
    }


@campaign_view(TEAM)
@require_POST
def theme_edit(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    if refused := _lead_only(request, campaign, theme):
        return refused
    form = ThemeForm(request.POST)
    if form.is_valid():
        try:
            services.theme_update(theme=theme, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Theme saved."))
    return redirect(theme)


@campaign_view(TEAM)
@require_POST
def theme_merge(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    target_id = parse_id(request.POST.get("into"))
    if target_id is None:
        messages.error(request, _("Choose the theme to merge into."))
        return redirect(theme)
    target = _theme(campaign, target_id)
    if refused := _lead_only(request, campaign, theme, target):
        return refused
    try:
        services.theme_merge(source=theme, target=target, user=request.user, request=request)
    except ValidationError as error:
        _errors(request, error)
        return redirect(theme)
    messages.success(request, _("Merged into “%(t)s”; every card came along.") % {"t": target.title})
    return redirect(target)


@campaign_view(TEAM)
@require_POST
def theme_split(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    if refused := _lead_only(request, campaign, theme):
        return refused
    ids = parse_ids(request.POST.getlist("cards"))
    try:
        new = services.theme_split(
            theme=theme, highlight_ids=ids, title=request.POST.get("title", ""), user=request.user
        )
    except ValidationError as error:
        _errors(request, error)
        return redirect(theme)
    messages.success(request, _("Split: %(n)s cards moved to “%(t)s”.") % {"n": new.moved_cards, "t": new.title})
    if new.moved_quotes:
        messages.warning(
            request,
            ngettext(
                "%(n)s published quote went with its card; viewers will not see it until you publish this theme.",
                "%(n)s published quotes went with their cards; viewers will not see them until you publish this theme.",
                new.moved_quotes,
            )
            % {"n": new.moved_quotes},
        )
    return redirect(new)


@campaign_view(TEAM)
def theme_delete(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    if refused := _lead_only(request, campaign, theme):
        return refused
    if request.method == "POST":
        services.theme_delete(theme=theme, user=request.user, request=request)
        messages.success(request, _("Theme deleted; its cards are back in the pool."))
        return redirect("synthesis:board", campaign.slug)
    return render(
        request,
        "synthesis/confirm.html",
        {
            "campaign": campaign,
            "title": _("Delete the theme “%(t)s”?") % {"t": theme.title},
            "body": _("Its cards go back to the pool; its why-chain and root causes are deleted."),
            "cancel": theme.get_absolute_url(),
        },
    )


@campaign_view(LEAD_ONLY)
@require_POST
def theme_publish(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    if request.POST.get("action") == "unpublish":
        services.theme_unpublish(theme=theme)
        messages.success(request, _("The theme is no longer published."))
        return redirect(theme)
    ids = parse_ids(request.POST.getlist("quotes"))
    # The cards that were on the page with a checkbox: only they change (quotes chosen on other
    # pages stay). A post without them adds the ticked quotes and removes none.
    shown = parse_ids(request.POST.getlist("shown")) if "shown" in request.POST else None
    try:
        services.theme_publish(theme=theme, highlight_ids=ids, shown_ids=shown, user=request.user, request=request)
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(
            request,
            ngettext(
                "Published with %(n)s quote; viewers can see it under Findings.",
                "Published with %(n)s quotes; viewers can see it under Findings.",
                theme.quote_count,
            )
            % {"n": theme.quote_count},
        )
    return redirect(theme)


@campaign_view(LEAD_ONLY)
@require_POST
def theme_refine(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    causes = list(theme.root_causes.all())
    form = RefineForm(request.POST, causes=causes)
    if form.is_valid():
        try:
            services.issue_statement_refine_from(
                campaign=campaign,
                text=form.cleaned_data["text"],
                rationale=form.cleaned_data["rationale"],
                author=request.user,
                themes=[theme],
                root_causes=form.cleaned_data.get("root_causes", []),
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("New issue statement version saved, linked to this theme."))
            return redirect("campaigns:issue", campaign.slug)
    else:
        messages.error(request, _("Write the new issue statement."))
    return redirect(theme)


# --- Codebook ------------------------------------------------------------------------------------


@campaign_view(TEAM)
def codebook(request, campaign):
    page = Paginator(selectors.codebook(campaign), 30).get_page(request.GET.get("page"))
    tags = list(page.object_list)
    examples = selectors.tag_examples([t.pk for t in tags])
    for tag in tags:
        tag.examples = examples.get(tag.pk, [])
    return render(
        request, "synthesis/codebook.html", {"campaign": campaign, "page": page, "tags": tags, "form": TagForm()}
    )


@campaign_view(TEAM)
@require_POST
def tag_create(request, campaign):
    form = TagForm(request.POST)
    if form.is_valid():
        try:
            services.tag_create(campaign=campaign, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Tag added."))
    return redirect("synthesis:codebook", campaign.slug)


@campaign_view(TEAM)
def tag(request, campaign, tag_id):
    tag = get_object_or_404(Tag, pk=tag_id, campaign=campaign)
    if request.method == "POST":
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                services.tag_update(tag=tag, **form.cleaned_data)
            except ValidationError as error:
                _errors(request, error)
            else:
                messages.success(request, _("Tag saved."))
                return redirect("synthesis:tag", campaign.slug, tag.pk)
    else:
        form = TagForm(initial={"name": tag.name, "description": tag.description})
    others = list(Tag.objects.for_campaign(campaign).exclude(pk=tag.pk).only("pk", "name"))
    highlights = selectors.card_queryset().filter(tag_links__tag=tag).order_by("-starred", "-id")
    page = Paginator(highlights, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "synthesis/tag.html",
        {
            "campaign": campaign,
            "tag": tag,
            "form": form,
            "merge_form": MergeForm(choices=others),
            "memo_form": MemoForm(),
            "memos": list(tag.memos.select_related("author")),
            "page": page,
        },
    )


@campaign_view(TEAM)
@require_POST
def tag_merge(request, campaign, tag_id):
    tag = get_object_or_404(Tag, pk=tag_id, campaign=campaign)
    target_id = parse_id(request.POST.get("into"))
    if target_id is None:
        messages.error(request, _("Choose the tag to merge into."))
        return redirect("synthesis:tag", campaign.slug, tag.pk)
    target = get_object_or_404(Tag, pk=target_id, campaign=campaign)
    try:
        services.tag_merge(source=tag, target=target, user=request.user, request=request)
    except ValidationError as error:
        _errors(request, error)
        return redirect("synthesis:tag", campaign.slug, tag.pk)
    messages.success(request, _("Merged into “%(t)s”; no highlight lost its tag.") % {"t": target.name})
    return redirect("synthesis:tag", campaign.slug, target.pk)


@campaign_view(TEAM)
@require_POST
def tag_memo(request, campaign, tag_id):
    tag = get_object_or_404(Tag, pk=tag_id, campaign=campaign)
    form = MemoForm(request.POST)
    if form.is_valid():
        services.memo_add(user=request.user, body=form.cleaned_data["body"], tag=tag)
        messages.success(request, _("Memo added."))
    return redirect("synthesis:tag", campaign.slug, tag.pk)


# --- Root causes ---------------------------------------------------------------------------------

EVIDENCE_CHOICES = 60


@campaign_view(TEAM)
def root_causes(request, campaign):
    themes = list(Theme.objects.filter(campaign=campaign).only("pk", "title", "campaign_id"))
    raw = request.GET.get("theme", "")
    current = next((t for t in themes if str(t.pk) == raw), themes[0] if themes else None)
    causes = list(RootCause.objects.filter(theme__campaign=campaign).select_related("theme"))
    bones = selectors.fishbone_layout(causes)
    context = {"campaign": campaign, "themes": themes, "current": current, "bones": bones, "cause_count": len(causes)}
    if current is not None:
        choices = _evidence_highlights(current)
        context["steps"] = list(
            current.why_steps.prefetch_related(
                _visible_prefetch("evidence"),
            )
        )
        context["theme_causes"] = list(current.root_causes.prefetch_related(_visible_prefetch("evidence")))
        context["why_form"] = WhyStepForm(highlights=choices)
        context["cause_form"] = RootCauseForm(highlights=choices)
    return render(request, "synthesis/root_causes.html", context)


def _visible_prefetch(name):
    from django.db.models import Prefetch

    return Prefetch(name, queryset=Highlight.objects.visible().select_related("participant"))


def _evidence_highlights(theme):
    """The highlights a why-step or root cause may cite: the same list the page offers and the
    post is checked against (starred first, newest first, the first EVIDENCE_CHOICES)."""
    return list(
        Highlight.objects.visible()
        .filter(theme=theme)
        .select_related("participant")
        .order_by("-starred", "-id")[:EVIDENCE_CHOICES]
    )


@campaign_view(TEAM)
@require_POST
def why_add(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    form = WhyStepForm(request.POST, highlights=_evidence_highlights(theme))
    if form.is_valid():
        try:
            services.why_step_add(
                theme=theme,
                answer=form.cleaned_data["answer"],
                highlight_ids=form.cleaned_data["evidence"],
                user=request.user,
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Why-step added."))
    else:
        messages.error(request, _("Every step needs an answer and at least one highlight: how do you know?"))
    return redirect(reverse("synthesis:root_causes", args=[campaign.slug]) + f"?theme={theme.pk}")


@campaign_view(TEAM)
@require_POST
def cause_add(request, campaign, theme_id):
    theme = _theme(campaign, theme_id)
    form = RootCauseForm(request.POST, highlights=_evidence_highlights(theme))
    if form.is_valid():
        try:
            services.root_cause_add(
                theme=theme,
                category=form.cleaned_data["category"],
                statement=form.cleaned_data["statement"],
                highlight_ids=form.cleaned_data["evidence"],
                user=request.user,
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Root cause added to the fishbone."))
    else:
        messages.error(request, _("A root cause needs a category, a statement and at least one highlight."))
    return redirect(reverse("synthesis:root_causes", args=[campaign.slug]) + f"?theme={theme.pk}")


# --- Predictions vs what we heard ----------------------------------------------------------------


@campaign_view(TEAM)
def predictions(request, campaign):
    preds = list(Prediction.objects.for_campaign(campaign).select_related("author"))
    for p in preds:
        p.form = PredictionMarkForm(initial={"status": p.status, "note": p.status_note}, prefix=f"p{p.pk}")
    themes = list(selectors.themes_with_counts(campaign))
    return render(request, "synthesis/predictions.html", {"campaign": campaign, "predictions": preds, "themes": themes})


@campaign_view(TEAM)
@require_POST
def prediction_mark(request, campaign, prediction_id):
    prediction = get_object_or_404(Prediction, pk=prediction_id, campaign=campaign)
    form = PredictionMarkForm(request.POST, prefix=f"p{prediction.pk}")
    if form.is_valid():
        services.prediction_mark(
            prediction=prediction, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("Marked “%(s)s”.") % {"s": prediction.get_status_display()})
    return redirect(reverse("synthesis:predictions", args=[campaign.slug]) + f"#prediction-{prediction.pk}")


# --- Findings and search -------------------------------------------------------------------------


@campaign_view(ALL_ROLES)
def findings(request, campaign):
    """Published themes with their quotes as they may be shown today (consent checked on every
    read, the speaker's own name, email and phone scrubbed: selectors.published_quotes)."""
    from exports.attribution import attribution_for, campaign_group_sizes

    page = Paginator(selectors.published_themes(campaign), 10).get_page(request.GET.get("page"))
    themes = list(page.object_list)
    quotes = selectors.published_quotes([t.pk for t in themes])
    sizes = campaign_group_sizes(campaign)
    for t in themes:
        t.quotes = quotes.get(t.pk, [])
        for q in t.quotes:
            # Consent and small-group protection: never "the only Vietnamese-speaking parent".
            q.attribution = attribution_for(q.highlight.participant, sizes, q.scopes)
    return render(request, "synthesis/findings.html", {"campaign": campaign, "page": page, "themes": themes})


@campaign_view(TEAM)
def search(request, campaign):
    """Results and filters come from the generation cache while nothing in the campaign changed
    (`synthesis.generations`): the same words and filters are ranked once per change."""
    from urllib.parse import urlencode

    q = request.GET.get("q", "").strip()[:200]
    selected = {name: request.GET.get(name, "") for name in ("kind", "role", "prompt", "tag")}
    query = urlencode({k: v for k, v in {"q": q, **selected}.items() if v})
    pieces = generations.cached(
        campaign,
        "search",
        (campaign.membership.role, q, tuple(sorted(selected.items())), request.GET.get("page", "")),
        lambda: _search_pieces(request, campaign, q, selected, query),
        shows_note_text=True,
    )
    return render(request, "synthesis/search.html", {"campaign": campaign, "q": q, **pieces})


def _search_pieces(request, campaign, q, selected, query) -> dict:
    from django.template.loader import render_to_string

    from interviews.models import Note as NoteModel

    prompt_id, tag_id = parse_id(selected["prompt"]), parse_id(selected["tag"])
    results = selectors.search_notes(
        campaign, q, kind=selected["kind"], prompt=prompt_id, tag=tag_id, role=selected["role"]
    )
    page = selectors.search_page(results, request.GET.get("page")) if q else None
    notes = selectors.notes_with_headlines(page.object_list, q) if page else []
    tags = selectors.tags_by_note([n.pk for n in notes]) if notes else {}
    for n in notes:
        n.tag_names = tags.get(n.pk, [])
    # Highlights and memos: on the first page only (a short list beside the ranked notes).
    first_page = q and (page is None or page.number == 1)
    highlights = selectors.search_highlights(campaign, q, role=selected["role"], tag=tag_id) if first_page else []
    tag_memos = selectors.search_tag_memos(campaign, q) if first_page else []
    options = selectors.filter_options(campaign)
    results_html = render_to_string(
        "synthesis/_search_results.html",
        {
            "campaign": campaign,
            "q": q,
            "page": page,
            "notes": notes,
            "highlights": highlights,
            "tag_memos": tag_memos,
            "query": query,
            "count_cap": selectors.SEARCH_COUNT_CAP,
        },
    )
    return {
        "note_ids": [n.pk for n in notes],
        "results_html": results_html,
        "filters_html": fragments.search_filters_html(campaign, selected, NoteModel.Kind.choices, options),
    }
