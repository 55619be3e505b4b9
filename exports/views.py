from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from empathy.access import LEAD_ONLY, TEAM, campaign_view

from . import services
from .forms import CodebookImportForm, ExportForm, SummaryTextForm
from .heard import heard_data, language_options
from .models import CommunitySummary, ExportJob
from .report import report_data

JOBS_PAGE_SIZE = 20


def _jobs_for(membership):
    """The jobs a member sees: all of the campaign's for leads; anonymized, non-lead kinds for others."""
    qs = ExportJob.objects.for_campaign(membership.campaign).select_related("requested_by")
    if not membership.is_lead:
        qs = qs.filter(anonymized=True).exclude(kind__in=ExportJob.LEAD_ONLY_KINDS)
    return qs


def _job(campaign, job_id) -> ExportJob:
    job = get_object_or_404(ExportJob.objects.select_related("requested_by", "campaign"), pk=job_id, campaign=campaign)
    if not services.may_download(campaign.membership, job):
        raise PermissionDenied
    return job


@campaign_view(TEAM)
def export_list(request, campaign):
    membership = campaign.membership
    page = Paginator(_jobs_for(membership), JOBS_PAGE_SIZE).get_page(request.GET.get("page"))
    summary = CommunitySummary.objects.filter(campaign=campaign).first() if membership.is_lead else None
    return render(
        request,
        "exports/list.html",
        {
            "campaign": campaign,
            "membership": membership,
            "form": ExportForm(is_lead=membership.is_lead),
            "page": page,
            "jobs": page.object_list,
            "summary": summary,
        },
    )


@campaign_view(TEAM)
@require_POST
def export_start(request, campaign):
    membership = campaign.membership
    form = ExportForm(request.POST, is_lead=membership.is_lead)
    if form.is_valid():
        data = form.cleaned_data
        try:
            job = services.export_request(
                campaign=campaign,
                user=request.user,
                kind=data["kind"],
                format=data["format"],
                anonymized=not data.get("identified"),
                reason=data.get("reason", ""),
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Export started: %(what)s.") % {"what": job.label})
            return redirect(reverse("exports:list", args=[campaign.slug]) + f"#job-{job.pk}")
    page = Paginator(_jobs_for(membership), JOBS_PAGE_SIZE).get_page(1)
    return render(
        request,
        "exports/list.html",
        {"campaign": campaign, "membership": membership, "form": form, "page": page, "jobs": page.object_list},
        status=400,
    )


@campaign_view(TEAM)
def export_job(request, campaign, job_id):
    """One job's row, for htmx polling while it runs."""
    job = _job(campaign, job_id)
    return render(request, "exports/list.html#job-row", {"campaign": campaign, "job": job})


@campaign_view(TEAM)
@require_POST
def export_retry(request, campaign, job_id):
    job = _job(campaign, job_id)
    try:
        services.export_retry(job=job, user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Export started again."))
    if request.htmx:
        job.refresh_from_db()
        return render(request, "exports/list.html#job-row", {"campaign": campaign, "job": job})
    return redirect(reverse("exports:list", args=[campaign.slug]) + f"#job-{job.pk}")


@campaign_view(TEAM)
def export_download(request, campaign, job_id):
    job = _job(campaign, job_id)
    if job.state == "expired":
        return render(request, "exports/gone.html", {"campaign": campaign, "job": job}, status=410)
    if job.status != ExportJob.Status.DONE or not job.file:
        return render(request, "exports/gone.html", {"campaign": campaign, "job": job, "not_ready": True}, status=409)
    services.export_download_record(job=job, user=request.user, request=request)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "no-store"
    return response


@campaign_view(TEAM)
def report_preview(request, campaign):
    return render(request, "exports/report.html", {"campaign": campaign, "data": report_data(campaign)})


@campaign_view(TEAM)
def codebook_import(request, campaign):
    from .refi import codebook_import as do_import

    form = CodebookImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = do_import(campaign=campaign, data=form.cleaned_data["file"].read(), user=request.user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            messages.success(
                request,
                _("Imported %(created)s tags; %(existing)s were already in the codebook.")
                % {"created": len(result.created), "existing": len(result.existing)},
            )
            return redirect("exports:codebook_import", campaign.slug)
    return render(request, "exports/codebook_import.html", {"campaign": campaign, "form": form})


@campaign_view(LEAD_ONLY)
def summary_edit(request, campaign):
    summary = services.community_summary_for(campaign)
    options = language_options(campaign)
    codes = [code for code, _name in options]
    language = request.GET.get("lang") or request.POST.get("lang") or "en"
    if language not in codes:
        language = "en"
    existing = summary.texts.filter(language=language).first()
    form = SummaryTextForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        services.community_summary_save_text(campaign=campaign, language=language, **form.cleaned_data)
        messages.success(request, _("Saved."))
        return redirect(reverse("exports:summary", args=[campaign.slug]) + f"?lang={language}")
    written = set(summary.texts.values_list("language", flat=True))
    return render(
        request,
        "exports/summary_edit.html",
        {
            "campaign": campaign,
            "summary": summary,
            "form": form,
            "language": language,
            "options": [(code, name, code in written) for code, name in options],
            "recipients": len(services.community_summary_recipients(campaign)),
            "public_url": request.build_absolute_uri(summary.get_public_url()),
        },
    )


@campaign_view(LEAD_ONLY)
@require_POST
def summary_publish(request, campaign):
    action = request.POST.get("action")
    try:
        if action == "publish":
            services.community_summary_publish(campaign=campaign, user=request.user, request=request)
            messages.success(request, _("Published. Anyone with the link can read it."))
        elif action == "unpublish":
            services.community_summary_unpublish(campaign=campaign, user=request.user, request=request)
            messages.success(request, _("Unpublished: the link shows nothing now."))
        elif action == "email":
            count = services.community_summary_email(campaign=campaign, user=request.user, request=request)
            messages.success(request, _("%(n)s emails queued.") % {"n": count})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("exports:summary", campaign.slug)


@login_not_required
def summary_public(request, token):
    summary = (
        CommunitySummary.objects.filter(token=token, published_at__isnull=False).select_related("campaign").first()
    )
    if summary is None or len(token) < 20:
        raise Http404
    language = request.GET.get("lang", "") or "en"
    written = set(summary.texts.values_list("language", flat=True))
    language = language if language in written else ("en" if "en" in written else next(iter(written), "en"))
    # The page's own words (and the attributions) in the reader's language, where translated.
    with translation.override(language):
        response = render(request, "exports/heard_public.html", heard_data(summary, language))
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
