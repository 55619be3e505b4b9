"""Staff pages under /c/<slug>/consent/: statements, forms, each participant's consent."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from empathy.access import FIELD_TEAM, LEAD_ONLY, campaign_view
from participants.access import identity_visible
from participants.models import Participant

from . import services
from .defaults import default_form_text, default_statement_text
from .forms import (
    ConsentFormForm,
    LanguageForm,
    LinkCreateForm,
    OverviewFilterForm,
    PurgeForm,
    RecordConsentForm,
    StaffWithdrawForm,
    StatementForm,
)
from .models import LANGUAGE_CHOICES, ConsentForm, ParticipantLink, Purge, TransparencyStatement
from .qr import qr_svg
from .selectors import consent_status, consent_statuses, filter_by_consent_state, with_consent_flags

PAGE_SIZE = 50


@campaign_view(FIELD_TEAM)
def overview(request, campaign):
    statements = list(TransparencyStatement.objects.current().filter(campaign=campaign).order_by("language"))
    consent_forms = {
        form.language: form
        for form in ConsentForm.objects.current()
        .filter(campaign=campaign)
        .annotate(signed=Count("records", filter=~Q(records__kind="withdrawal")))
    }
    documents = [(statement, consent_forms.get(statement.language)) for statement in statements]

    participants = with_consent_flags(Participant.objects.filter(campaign=campaign))
    summary = participants.aggregate(
        total=Count("pk"),
        withdrawn=Count("pk", filter=Q(is_withdrawn=True)),
        complete=Count(
            "pk",
            filter=Q(is_withdrawn=False)
            & (Q(is_minor=False, has_consent=True) | Q(is_minor=True, has_guardian=True, has_assent=True)),
        ),
        missing_guardian=Count("pk", filter=Q(is_withdrawn=False, is_minor=True, has_guardian=False)),
        missing_assent=Count("pk", filter=Q(is_withdrawn=False, is_minor=True, has_assent=False)),
    )

    filters = OverviewFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        participants = filter_by_consent_state(participants, data["state"])
        if data["minor"]:
            participants = participants.filter(is_minor=data["minor"] == "yes")
        if data["language"]:
            participants = participants.filter(preferred_language=data["language"])
        if data["q"]:
            participants = participants.filter(code__icontains=data["q"].strip())
        query = urlencode({k: v for k, v in data.items() if v})
    else:
        query = ""
    page = Paginator(participants.order_by("number"), PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = consent_statuses(page.object_list)
    rows = [(p, statuses[p.pk]) for p in page.object_list]

    retention_on = services.retention_date(campaign)
    context = {
        "campaign": campaign,
        "documents": documents,
        "language_form": LanguageForm(),
        "summary": summary,
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query,
        "retention_on": retention_on,
    }
    if request.htmx and request.htmx.target == "consent-participants":
        return render(request, "consent/overview.html#participants", context)
    return render(request, "consent/overview.html", context)


def _language_or_404(language: str) -> str:
    if language not in dict(LANGUAGE_CHOICES):
        raise Http404
    return language


@campaign_view(LEAD_ONLY)
def language_add(request, campaign):
    form = LanguageForm(request.GET or None)
    if form.is_valid():
        return redirect("consent:statement_edit", campaign.slug, form.cleaned_data["language"])
    return redirect("consent:overview", campaign.slug)


@campaign_view(LEAD_ONLY)
def statement_edit(request, campaign, language):
    language = _language_or_404(language)
    statements = TransparencyStatement.objects.filter(campaign=campaign)
    current = statements.filter(language=language).order_by("-version").first()
    # A new language starts from the English text (or any other) to translate.
    template = current or statements.current().filter(language="en").first() or statements.current().first()
    if template is not None:
        initial = {name: getattr(template, name) for name in TransparencyStatement.CONTENT_FIELDS}
    else:
        with translation.override(language):
            initial = default_statement_text(campaign)
    form = StatementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        statement = services.statement_save(
            campaign=campaign, language=language, data=form.cleaned_data, by=request.user, request=request
        )
        if current is not None and statement.pk != current.pk:
            messages.success(
                request,
                _("Saved as version %(version)s. People who agreed to earlier versions keep their record of them.")
                % {"version": statement.version},
            )
        else:
            messages.success(request, _("Transparency statement saved."))
        if not ConsentForm.objects.filter(campaign=campaign, language=language).exists():
            return redirect("consent:form_edit", campaign.slug, language)
        return redirect("consent:overview", campaign.slug)
    signed = current is not None and services._is_signed_statement(current)
    context = {
        "campaign": campaign,
        "form": form,
        "language": language,
        "language_name": dict(LANGUAGE_CHOICES)[language],
        "current": current,
        "signed": signed,
        "translating_from": template if current is None else None,
    }
    return render(request, "consent/statement_form.html", context, status=400 if form.errors else 200)


@campaign_view(LEAD_ONLY)
def form_edit(request, campaign, language):
    language = _language_or_404(language)
    statement = TransparencyStatement.objects.current().filter(campaign=campaign, language=language).first()
    if statement is None:
        messages.info(request, _("Write the transparency statement in this language first; the form is built on it."))
        return redirect("consent:statement_edit", campaign.slug, language)
    current = ConsentForm.objects.filter(campaign=campaign, language=language).order_by("-version").first()
    if current is not None:
        initial = {name: getattr(current, name) for name in ConsentForm.CONTENT_FIELDS}
    else:
        with translation.override(language):
            initial = default_form_text(campaign)
    form = ConsentFormForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.consent_form_save(
                campaign=campaign, language=language, data=form.cleaned_data, by=request.user, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if current is not None and saved.pk != current.pk:
                messages.success(
                    request,
                    _("Saved as version %(version)s. Earlier signatures stay with the version they agreed to.")
                    % {"version": saved.version},
                )
            else:
                messages.success(request, _("Consent form saved."))
            return redirect("consent:overview", campaign.slug)
    context = {
        "campaign": campaign,
        "form": form,
        "language": language,
        "language_name": dict(LANGUAGE_CHOICES)[language],
        "current": current,
        "signed": current is not None and services._is_signed_form(current),
        "statement": statement,
    }
    return render(request, "consent/form_form.html", context, status=400 if form.errors else 200)


@campaign_view(FIELD_TEAM)
def document(request, campaign, form_id):
    """One consent form version with the statement it is built on, as the participant saw it."""
    form = get_object_or_404(
        ConsentForm.objects.filter(campaign=campaign).select_related("statement", "created_by"), pk=form_id
    )
    versions = (
        ConsentForm.objects.filter(campaign=campaign, language=form.language)
        .annotate(signed=Count("records"))
        .order_by("-version")
    )
    return render(request, "consent/document.html", {"campaign": campaign, "doc": form, "versions": versions})


def _participant_for(request, campaign, code, lock_identity=False):
    """One participant of this campaign as the member may see them (404 if not theirs to see).

    `lock_identity`: acting on their consent — recording it, making or revoking their link
    (whose "what we hold" page shows name and contacts), withdrawing them — is for those who
    may see their identity (participants.access): a lead, or an interviewer assigned to them.
    Anyone else on the field team gets 403."""
    participant = get_object_or_404(
        Participant.objects.visible_to(campaign.membership).select_related("campaign"), code=code
    )
    if lock_identity and not identity_visible(campaign.membership, participant):
        raise PermissionDenied
    return participant


def _participant_context(request, campaign, participant, **forms):
    status = consent_status(participant)
    shows_identity = identity_visible(campaign.membership, participant)
    context = {
        "campaign": campaign,
        "participant": participant,
        "status": status,
        "shows_identity": shows_identity,
        "records": participant.consents.select_related("form", "recorded_by").order_by("-created_at", "-id"),
        "links": participant.links.select_related("created_by")[:10],
        "purge": Purge.objects.filter(participant=participant).select_related("by").first(),
        "has_forms": ConsentForm.objects.filter(campaign=campaign).exists(),
    }
    # Only those who may act on this participant's consent get the forms (the views check again).
    context["may_act"] = shows_identity
    if shows_identity and not status.withdrawn:
        context["record_form"] = forms.get("record_form") or RecordConsentForm(campaign=campaign, status=status)
        context["link_form"] = forms.get("link_form") or LinkCreateForm(participant=participant)
    return context


def _audit_identity(request, campaign, participant):
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.VIEW_IDENTIFIED,
        campaign=campaign,
        target=participant,
        detail={"page": "consent"},
        request=request,
    )


@campaign_view(FIELD_TEAM)
def participant(request, campaign, code):
    participant = _participant_for(request, campaign, code)
    context = _participant_context(request, campaign, participant)
    if context["shows_identity"]:
        _audit_identity(request, campaign, participant)
    return render(request, "consent/participant.html", context)


@campaign_view(FIELD_TEAM)
@require_POST
def record(request, campaign, code):
    participant = _participant_for(request, campaign, code, lock_identity=True)
    status = consent_status(participant)
    if status.withdrawn:
        messages.error(request, _("This participant withdrew; consent can no longer be recorded."))
        return redirect("consent:participant", campaign.slug, participant.code)
    form = RecordConsentForm(request.POST, campaign=campaign, status=status)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                participant=participant,
                kind=data["kind"],
                form=data["form"],
                method=data["method"],
                given_on=data["given_on"],
                may_quote=data["may_quote"],
                attribution=data["attribution"],
                may_recontact=data["may_recontact"],
                guardian_name=data.get("guardian_name", ""),
                note=data["note"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Recorded."))
            return redirect("consent:participant", campaign.slug, participant.code)
    context = _participant_context(request, campaign, participant, record_form=form)
    return render(request, "consent/participant.html", context, status=400)


@campaign_view(FIELD_TEAM)
@require_POST
def link_create(request, campaign, code):
    participant = _participant_for(request, campaign, code, lock_identity=True)
    form = LinkCreateForm(request.POST, participant=participant)
    if form.is_valid():
        try:
            link, token = services.link_create(
                participant=participant,
                delivery=form.cleaned_data["delivery"],
                recipient=form.cleaned_data["recipient"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if link.delivery == ParticipantLink.Delivery.EMAIL:
                messages.success(request, _("The link was emailed. Earlier links no longer work."))
                return redirect("consent:participant", campaign.slug, participant.code)
            # Whoever holds the printed token can open the participant's name and contacts.
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.VIEW_IDENTIFIED,
                campaign=campaign,
                target=participant,
                detail={"page": "consent link print", "link": link.pk, "recipient": link.recipient},
                request=request,
            )
            url = services.link_url(token)
            # The token exists only in this response: print it now, it cannot be shown again.
            context = {"campaign": campaign, "participant": participant, "link": link, "url": url, "qr": qr_svg(url)}
            # The card the participant keeps speaks their language (or the form's closest to it).
            doc = services.current_form_for(campaign, participant.preferred_language)
            card_language = doc.language if doc else translation.get_language()
            with translation.override(card_language):
                context["card"] = render_to_string(
                    "consent/_link_card.html", {**context, "card_language": card_language}, request=request
                )
            response = render(request, "consent/link_print.html", context)
            response["Cache-Control"] = "no-store"
            return response
    context = _participant_context(request, campaign, participant, link_form=form)
    return render(request, "consent/participant.html", context, status=400)


@campaign_view(FIELD_TEAM)
@require_POST
def link_revoke(request, campaign, code, link_id):
    participant = _participant_for(request, campaign, code, lock_identity=True)
    link = get_object_or_404(participant.links.select_related("participant__campaign"), pk=link_id)
    services.link_revoke(link=link, by=request.user, request=request)
    messages.success(request, _("The link no longer works."))
    return redirect("consent:participant", campaign.slug, participant.code)


@campaign_view(FIELD_TEAM)
def withdraw(request, campaign, code):
    participant = _participant_for(request, campaign, code, lock_identity=True)
    form = StaffWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.participant_withdraw(
            participant=participant,
            given_by=form.cleaned_data["given_by"],
            method=form.cleaned_data["method"],
            note=form.cleaned_data["note"],
            by=request.user,
            request=request,
        )
        messages.success(
            request, _("%(code)s is withdrawn. Their words no longer appear anywhere.") % {"code": participant.code}
        )
        return redirect("consent:participant", campaign.slug, participant.code)
    context = {
        "campaign": campaign,
        "participant": participant,
        "form": form,
        "withdrawn": consent_status(participant).withdrawn,
    }
    return render(request, "consent/withdraw.html", context, status=400 if form.errors else 200)


@campaign_view(LEAD_ONLY)
def purge(request, campaign, code):
    participant = _participant_for(request, campaign, code)
    form = PurgeForm(request.POST or None, code=participant.code)
    status = consent_status(participant)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_purge(
                participant=participant, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(code)s's raw data was removed for good.") % {"code": participant.code})
            return redirect("consent:participant", campaign.slug, participant.code)
    context = {
        "campaign": campaign,
        "participant": participant,
        "form": form,
        "status": status,
        "purged": Purge.objects.filter(participant=participant).exists(),
    }
    return render(request, "consent/purge.html", context, status=400 if form.errors else 200)
