"""Interview guides, their prompts, the prompt coach and the prompt library.

Leads edit; interviewers and analysts read and print; viewers see none of it. Every view goes
through @campaign_view, and every object is fetched through the campaign (never by bare pk).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from empathy.access import LEAD_ONLY, TEAM, campaign_view

from . import prompt_coach, services
from .forms import CoachForm, GuideCopyForm, GuideForm, PatternFillForm, PatternForm, PromptForm
from .guide_markup import GuideMarkup
from .models import InterviewGuide, Prompt, PromptPattern

GUIDES_PER_PAGE = 25


def _guide(campaign, guide_id):
    return get_object_or_404(InterviewGuide.objects.filter(campaign=campaign), pk=guide_id)


def _prompt(guide, prompt_id):
    prompt = get_object_or_404(Prompt.objects.filter(guide=guide), pk=prompt_id)
    prompt.guide = guide  # already loaded and checked; saves a query
    return prompt


def _guide_url(campaign, guide, prompt=None):
    url = reverse("interviews:guide", args=[campaign.slug, guide.pk])
    return f"{url}#prompt-{prompt.pk}" if prompt else url


# Guides ------------------------------------------------------------------------------------


@campaign_view(TEAM)
def guides(request, campaign):
    queryset = InterviewGuide.objects.for_campaign(campaign).with_prompt_count().select_related("created_by")
    page = Paginator(queryset.order_by("title", "id"), GUIDES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "interviews/guides.html", {"campaign": campaign, "page": page})


@campaign_view(LEAD_ONLY)
def guide_create(request, campaign):
    form = GuideForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        guide = services.guide_create(
            campaign=campaign,
            title=form.cleaned_data["title"],
            introduction=form.cleaned_data["introduction"],
            by=request.user,
        )
        messages.success(request, _("Guide created. Add prompts, or insert some from the library."))
        return redirect(_guide_url(campaign, guide))
    return render(request, "interviews/guide_form.html", {"campaign": campaign, "form": form})


@campaign_view(LEAD_ONLY)
def guide_copy(request, campaign):
    form = GuideCopyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        guide = services.guide_copy(source=form.cleaned_data["source"], campaign=campaign, by=request.user)
        messages.success(request, _("Guide copied. Changes here do not touch the original."))
        return redirect(_guide_url(campaign, guide))
    return render(request, "interviews/guide_copy.html", {"campaign": campaign, "form": form})


def _guide_context(request, campaign, guide, *, moved_id=None, moved_direction=None):
    """The guide page's context; `moved_id`/`moved_direction` name the prompt an htmx move just moved
    (its button keeps the focus). Each prompt comes as its markup (interviews/guide_markup.py)."""
    prompts = list(guide.prompts.order_by("position", "id"))
    can_edit = campaign.membership.is_lead
    markup = GuideMarkup(
        request, campaign, guide, can_edit=can_edit, moved_id=moved_id, moved_direction=moved_direction
    )
    context = {
        "campaign": campaign,
        "guide": guide,
        "groups": markup.groups(services.guide_groups(guide, prompts)),
        "prompt_count": len(prompts),
        "can_edit": can_edit,
        "announcement": "",
    }
    if can_edit:
        context["add_form"] = PromptForm(campaign=campaign, coach_target="coach-add")
        context["fill_form"] = PatternFillForm(campaign=campaign)
    return context


@campaign_view(TEAM)
def guide(request, campaign, guide_id):
    guide = _guide(campaign, guide_id)
    if request.htmx and request.htmx.target == "prompt-groups":
        context = _guide_context(request, campaign, guide)
        return render(request, "interviews/guide_detail.html#prompt-groups", context)
    return render(request, "interviews/guide_detail.html", _guide_context(request, campaign, guide))


@campaign_view(LEAD_ONLY)
def guide_edit(request, campaign, guide_id):
    guide = _guide(campaign, guide_id)
    form = GuideForm(request.POST or None, instance=guide, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Guide saved."))
        return redirect(_guide_url(campaign, guide))
    return render(request, "interviews/guide_form.html", {"campaign": campaign, "form": form, "guide": guide})


@campaign_view(LEAD_ONLY)
def guide_delete(request, campaign, guide_id):
    guide = _guide(campaign, guide_id)
    if request.method == "POST":
        services.guide_delete(guide=guide, by=request.user, request=request)
        messages.success(request, _("Guide “%(title)s” deleted.") % {"title": guide.title})
        return redirect("interviews:guides", campaign.slug)
    context = {
        "campaign": campaign,
        "title": _("Delete this guide?"),
        "thing": guide.title,
        "consequence": _("Its %(n)d prompts are deleted with it. Copies in other guides stay.")
        % {"n": guide.prompts.count()},
        "cancel_url": _guide_url(campaign, guide),
    }
    return render(request, "interviews/confirm_delete.html", context)


@campaign_view(TEAM)
def guide_print(request, campaign, guide_id):
    guide = _guide(campaign, guide_id)
    prompts = list(guide.prompts.order_by("position", "id"))
    context = {
        "campaign": campaign,
        "guide": guide,
        "groups": services.guide_groups(guide, prompts),
        "prompt_count": len(prompts),
    }
    return render(request, "interviews/guide_print.html", context)


# Prompts -----------------------------------------------------------------------------------


def _prompt_form_page(request, campaign, guide, form, prompt=None):
    warnings = prompt_coach.check_prompt(form["text"].value() or "", kind=form["kind"].value())
    context = {"campaign": campaign, "guide": guide, "form": form, "prompt": prompt, "warnings": warnings}
    if request.htmx and request.htmx.target == "add-prompt":
        context["embedded"] = True
        return render(request, "interviews/prompt_form.html#prompt-form", context)
    return render(request, "interviews/prompt_form.html", context, status=400 if form.errors else 200)


@campaign_view(LEAD_ONLY)
def prompt_add(request, campaign, guide_id):
    """POST adds a prompt. GET shows the form; with ?pattern=&topic= it comes pre-filled from the
    library (the guide page swaps it in with htmx; without JavaScript it is its own page)."""
    guide = _guide(campaign, guide_id)
    if request.method == "POST":
        form = PromptForm(request.POST, campaign=campaign, coach_target="coach-add")
        if form.is_valid():
            prompt = services.prompt_add(guide=guide, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"])
            if prompt.coach_warnings:
                messages.info(request, _("Prompt added. The coach has a suggestion or two, shown under it."))
            else:
                messages.success(request, _("Prompt added."))
            return redirect(_guide_url(campaign, guide, prompt))
        return _prompt_form_page(request, campaign, guide, form)
    initial = {}
    fill = PatternFillForm(request.GET, campaign=campaign) if "pattern" in request.GET else None
    if fill is not None and fill.is_valid():
        pattern = fill.cleaned_data["pattern"]
        initial = {"text": pattern.fill(fill.cleaned_data["topic"]), "kind": pattern.kind}
    elif "kind" in request.GET and request.GET["kind"] in Prompt.Kind.values:
        initial = {"kind": request.GET["kind"]}
    form = PromptForm(initial=initial, campaign=campaign, coach_target="coach-add")
    return _prompt_form_page(request, campaign, guide, form)


@campaign_view(LEAD_ONLY)
def prompt_edit(request, campaign, guide_id, prompt_id):
    guide = _guide(campaign, guide_id)
    prompt = _prompt(guide, prompt_id)
    form = PromptForm(request.POST or None, instance=prompt, campaign=campaign, coach_target="coach-add")
    if request.method == "POST" and form.is_valid():
        services.prompt_update(prompt=prompt, kind=form.cleaned_data["kind"], text=form.cleaned_data["text"])
        messages.success(request, _("Prompt saved."))
        return redirect(_guide_url(campaign, guide, prompt))
    return _prompt_form_page(request, campaign, guide, form, prompt=prompt)


@campaign_view(LEAD_ONLY)
def prompt_delete(request, campaign, guide_id, prompt_id):
    guide = _guide(campaign, guide_id)
    prompt = _prompt(guide, prompt_id)
    if request.method == "POST":
        services.prompt_delete(prompt=prompt, by=request.user, request=request)
        messages.success(request, _("Prompt deleted."))
        return redirect(_guide_url(campaign, guide))
    context = {
        "campaign": campaign,
        "title": _("Delete this prompt?"),
        "thing": prompt.text,
        "consequence": _("It is removed from “%(guide)s”.") % {"guide": guide.title},
        "cancel_url": _guide_url(campaign, guide, prompt),
    }
    return render(request, "interviews/confirm_delete.html", context)


def _after_reorder(request, campaign, guide, prompt=None, direction=None, announcement=""):
    if request.htmx:
        context = _guide_context(
            request, campaign, guide, moved_id=prompt.pk if prompt else None, moved_direction=direction
        )
        context["announcement"] = announcement
        return render(request, "interviews/guide_detail.html#prompt-groups", context)
    if announcement:
        messages.success(request, announcement)
    return redirect(_guide_url(campaign, guide, prompt))


@campaign_view(LEAD_ONLY)
@require_POST
def prompt_move(request, campaign, guide_id, prompt_id):
    guide = _guide(campaign, guide_id)
    prompt = _prompt(guide, prompt_id)
    direction = request.POST.get("direction", "")
    try:
        prompt = services.prompt_move(prompt=prompt, direction=direction)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    announcement = _("Moved to %(group)s, position %(n)d.") % {
        "group": prompt.get_kind_display(),
        "n": guide.prompts.filter(kind=prompt.kind, position__lt=prompt.position).count() + 1,
    }
    return _after_reorder(request, campaign, guide, prompt, direction, announcement)


@campaign_view(LEAD_ONLY)
@require_POST
def prompt_reorder(request, campaign, guide_id):
    """The drag-and-drop endpoint: `kind` and `order` (comma-separated prompt ids)."""
    guide = _guide(campaign, guide_id)
    try:
        ordered_ids = [int(pk) for pk in request.POST.get("order", "").split(",") if pk.strip()]
        services.prompt_reorder(guide=guide, kind=request.POST.get("kind", ""), ordered_ids=ordered_ids)
    except (ValueError, ValidationError):
        return HttpResponseBadRequest(_("That order could not be saved; reload the page and try again."))
    return _after_reorder(request, campaign, guide, announcement=_("New order saved."))


@campaign_view(LEAD_ONLY)
def coach(request, campaign):
    """The prompt coach as an htmx partial: the warnings for the text being typed."""
    form = CoachForm(request.POST if request.method == "POST" else request.GET)
    form.is_valid()
    text = form.cleaned_data.get("text", "")
    warnings = prompt_coach.check_prompt(text, kind=form.cleaned_data.get("kind") or None)
    return render(request, "interviews/_coach.html", {"warnings": warnings, "text": text})


# Prompt library ----------------------------------------------------------------------------


@campaign_view(TEAM)
def library(request, campaign):
    patterns = list(PromptPattern.objects.available_to(campaign).select_related("created_by"))
    context = {
        "campaign": campaign,
        "builtin": [p for p in patterns if p.is_builtin],
        "own": [p for p in patterns if not p.is_builtin],
        "form": PatternForm(campaign=campaign) if campaign.membership.is_lead else None,
    }
    return render(request, "interviews/library.html", context)


@campaign_view(LEAD_ONLY)
def pattern_add(request, campaign):
    form = PatternForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        services.pattern_create(
            campaign=campaign,
            text=form.cleaned_data["text"],
            kind=form.cleaned_data["kind"],
            why=form.cleaned_data["why"],
            by=request.user,
        )
        messages.success(request, _("Pattern added to this campaign's library."))
        return redirect("interviews:library", campaign.slug)
    return render(request, "interviews/pattern_form.html", {"campaign": campaign, "form": form})


@campaign_view(LEAD_ONLY)
def pattern_delete(request, campaign, pattern_id):
    pattern = get_object_or_404(PromptPattern.objects.filter(campaign=campaign), pk=pattern_id)
    if request.method == "POST":
        services.pattern_delete(pattern=pattern, by=request.user, request=request)
        messages.success(request, _("Pattern removed from the library."))
        return redirect("interviews:library", campaign.slug)
    context = {
        "campaign": campaign,
        "title": _("Remove this pattern?"),
        "thing": pattern.display,
        "consequence": _("Prompts already made from it stay as they are."),
        "cancel_url": reverse("interviews:library", args=[campaign.slug]),
    }
    return render(request, "interviews/confirm_delete.html", context)
