from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from empathy.access import LEAD_ONLY, campaign_view

from . import placeholders, services
from .forms import EmailTemplateForm, ReminderSettingsForm, format_offsets
from .messages import preview, template_for
from .models import DEFAULT_OFFSETS_MINUTES, EmailTemplate, Kind, ReminderSettings
from .selectors import outbox

EDITABLE_LANGUAGES = ["en", "es"]


def _languages(campaign) -> list[str]:
    """English and Spanish, plus every language the campaign has a transparency statement in."""
    extra = campaign.transparency_statements.order_by().values_list("language", flat=True).distinct()
    return list(dict.fromkeys([*EDITABLE_LANGUAGES, *sorted(extra)]))


def _kind_or_404(kind: str, language: str, campaign) -> None:
    if kind not in Kind.values or language not in _languages(campaign):
        raise Http404


@campaign_view(LEAD_ONLY)
def email_settings(request, campaign):
    """Reminder times, the wording of every email per language, and the outbox."""
    saved = ReminderSettings.objects.filter(campaign=campaign).first()
    form = ReminderSettingsForm(
        request.POST or None,
        initial={
            "offsets": format_offsets(
                saved.offsets_minutes if saved and saved.offsets_minutes else DEFAULT_OFFSETS_MINUTES
            ),
            "remind_team": saved.remind_team if saved else True,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.reminder_settings_save(
            campaign=campaign,
            offsets_minutes=form.cleaned_data["offsets"],
            remind_team=form.cleaned_data["remind_team"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Reminder times saved. They apply to interviews scheduled from now on."))
        return redirect("reminders:settings", campaign.slug)
    languages = _languages(campaign)
    edited = set(EmailTemplate.objects.filter(campaign=campaign).values_list("kind", "language"))
    kinds = [(kind, label, [(lang, (kind, lang) in edited) for lang in languages]) for kind, label in Kind.choices]
    page = Paginator(outbox(campaign), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/settings.html",
        {"campaign": campaign, "form": form, "kinds": kinds, "page": page, "now": timezone.now()},
    )


@campaign_view(LEAD_ONLY)
def template_edit(request, campaign, kind, language):
    """Edit one email's wording in one language, with the exact rendering beside it."""
    _kind_or_404(kind, language, campaign)
    subject, body, source = template_for(campaign, kind, language)
    if (
        source == "campaign"
        and not EmailTemplate.objects.filter(campaign=campaign, kind=kind, language=language).exists()
    ):
        source = "fallback"
    form = EmailTemplateForm(request.POST or None, kind=kind, initial={"subject": subject, "body": body})
    wording = (subject, body)
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            services.template_reset(campaign=campaign, kind=kind, language=language, by=request.user, request=request)
            messages.success(request, _("Back to the built-in wording."))
            return redirect("reminders:template", campaign.slug, kind, language)
        if form.is_valid():
            wording = (form.cleaned_data["subject"], form.cleaned_data["body"])
            if request.POST.get("action") == "save":
                services.template_save(
                    campaign=campaign,
                    kind=kind,
                    language=language,
                    subject=wording[0],
                    body=wording[1],
                    by=request.user,
                    request=request,
                )
                messages.success(request, _("Saved. This wording is used from the next email on."))
                return redirect("reminders:template", campaign.slug, kind, language)
    interview = _upcoming_interview(campaign, request.GET.get("interview")) if kind in _interview_kinds() else None
    built = preview(
        campaign=campaign, kind=kind, language=language, user=request.user, interview=interview, wording=wording
    )
    context = {
        "campaign": campaign,
        "kind": kind,
        "kind_label": Kind(kind).label,
        "language": language,
        "form": form,
        "source": source,
        "allowed": placeholders.allowed(kind).items(),
        "built": built,
        "interview": interview,
        "upcoming": _upcoming(campaign) if kind in _interview_kinds() else [],
    }
    if request.htmx and request.method == "POST":
        return render(request, "reminders/template_edit.html#preview", context)
    return render(request, "reminders/template_edit.html", context)


def _interview_kinds():
    from .models import INTERVIEW_KINDS

    return INTERVIEW_KINDS


def _upcoming(campaign):
    from interviews.models import Interview

    return list(
        Interview.objects.filter(campaign=campaign, status=Interview.Status.SCHEDULED)
        .upcoming()
        .select_related("participant")
        .order_by("scheduled_at")[:20]
    )


def _upcoming_interview(campaign, pk):
    from interviews.models import Interview

    if not pk or not str(pk).isdigit():
        return None
    return (
        Interview.objects.filter(campaign=campaign, pk=pk)
        .select_related("participant", "campaign", "interviewer", "note_taker", "guide")
        .first()
    )


@campaign_view(LEAD_ONLY)
@require_POST
def email_retry(request, campaign, email_id):
    """Send a failed email again (a lead fixed the address or the server)."""
    from .models import Email

    row = Email.objects.filter(campaign=campaign, pk=email_id, status=Email.Status.FAILED).first()
    if row is None:
        raise Http404
    services.email_retry(email=row)
    messages.success(request, _("It will be sent again within a minute."))
    return redirect("reminders:settings", campaign.slug)
