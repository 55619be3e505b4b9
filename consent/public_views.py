"""Pages a participant or guardian opens through their own signed link (no account).

Each view is reached only through `link_view`: rate limit, then the token's signature, then its
hash, expiry and revocation. Any failure is a plain page with no data. A link shows only its own
participant, in their language, and nothing about anyone else.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import hooks, services
from .forms import PublicConsentForm, PublicWithdrawForm
from .models import ConsentForm, ConsentRecord, ParticipantLink, language_name
from .ratelimit import allow_link_request
from .selectors import consent_status, link_kinds

Kind = ConsentRecord.Kind


def _plain(request, status, message):
    response = render(request, "consent/public/error.html", {"message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _own_name(code):
    """A language's name in that language ("Español", "English"), for the language switch."""
    with translation.override(code):
        return str(language_name(code))


def link_view(view):
    """Resolve the token to a link, pick the participant's language, and render inside it."""

    @wraps(view)
    def wrapper(request, token):
        if not allow_link_request(request, token):
            return _plain(request, 429, _("Too many requests. Please wait a few minutes and try again."))
        try:
            link = services.link_for_token(token)
        except services.LinkError as error:
            return _plain(request, error.status, str(error))
        forms = list(
            ConsentForm.objects.current().filter(campaign_id=link.participant.campaign_id).select_related("statement")
        )
        by_language = {form.language: form for form in forms}
        wanted = request.GET.get("lang") or request.POST.get("lang") or link.participant.preferred_language
        doc = (
            by_language.get(wanted)
            or by_language.get(link.participant.preferred_language)
            or by_language.get("en")
            or (forms[0] if forms else None)
        )
        language = doc.language if doc else link.participant.preferred_language
        with translation.override(language):
            request.LANGUAGE_CODE = translation.get_language()
            services.link_touch(link)
            others = [(form.language, _own_name(form.language)) for form in forms if form.language != language]
            response = view(request, link, doc, token=token, languages=others)
        response["Cache-Control"] = "no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
        # The token is in the URL: never send it to another site. ("no-referrer" would make the
        # browser send `Origin: null` with the forms, which CSRF protection rightly refuses.)
        response["Referrer-Policy"] = "same-origin"
        response["Content-Language"] = language
        return response

    return login_not_required(never_cache(wrapper))


def _url(name, token, doc):
    url = reverse(f"consent_public:{name}", args=[token])
    return f"{url}?lang={doc.language}" if doc else url


def _page(request, link, doc, token, languages, forms=None, status=200):
    participant = link.participant
    consent = consent_status(participant)
    sections = []
    own_kinds = link_kinds(link)
    if doc and not consent.withdrawn:
        for kind in consent.missing:
            if kind in own_kinds:
                form = (forms or {}).get(kind) or PublicConsentForm(kind=kind)
                sections.append((kind, form))
    # What is still missing but is someone else's to give (the guardian's, or the student's).
    others_missing = [kind for kind in consent.missing if kind not in own_kinds]
    context = {
        "participant": participant,
        "campaign": participant.campaign,
        "doc": doc,
        "consent": consent,
        "sections": sections,
        "others_missing": others_missing,
        "for_guardian": link.recipient == ParticipantLink.Recipient.GUARDIAN,
        "token": token,
        "languages": languages,
        "lang": doc.language if doc else "",
    }
    return render(request, "consent/public/link.html", context, status=status)


@link_view
def participant_link(request, link, doc, token, languages):
    return _page(request, link, doc, token, languages)


@link_view
@require_POST
def participant_consent(request, link, doc, token, languages):
    consent = consent_status(link.participant)
    kind = request.POST.get("kind", "")
    # A link records only what its recipient may give: a student's link never the guardian's consent.
    if doc is None or consent.withdrawn or kind not in consent.missing or kind not in link_kinds(link):
        return redirect(_url("participant_link", token, doc))
    form = PublicConsentForm(request.POST, kind=kind)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                participant=link.participant,
                kind=kind,
                form=doc,
                method=ConsentRecord.Method.ELECTRONIC,
                may_quote=data["may_quote"],
                attribution=data["attribution"],
                may_recontact=data["may_recontact"],
                guardian_name=data.get("guardian_name", ""),
                link=link,
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. Your answer is recorded."))
            return redirect(_url("participant_link", token, doc))
    return _page(request, link, doc, token, languages, forms={kind: form}, status=400)


@link_view
def participant_data(request, link, doc, token, languages):
    participant = link.participant
    records = participant.consents.select_related("form").order_by("-created_at", "-id")
    context = {
        "participant": participant,
        "campaign": participant.campaign,
        "consent": consent_status(participant),
        "records": records,
        "held": hooks.held_data(participant),
        "token": token,
        "doc": doc,
        "languages": languages,
        "lang": doc.language if doc else "",
    }
    return render(request, "consent/public/data.html", context)


@link_view
def participant_withdraw(request, link, doc, token, languages):
    participant = link.participant
    consent = consent_status(participant)
    form = PublicWithdrawForm(request.POST or None)
    if request.method == "POST" and not consent.withdrawn and form.is_valid():
        services.participant_withdraw(
            participant=participant,
            given_by=ConsentRecord.GivenBy.GUARDIAN
            if link.recipient == ParticipantLink.Recipient.GUARDIAN
            else ConsentRecord.GivenBy.PARTICIPANT,
            method=ConsentRecord.Method.ELECTRONIC,
            link=link,
            request=request,
        )
        messages.success(request, _("You have withdrawn. What you said will not be used."))
        return redirect(_url("participant_link", token, doc))
    context = {
        "participant": participant,
        "campaign": participant.campaign,
        "consent": consent,
        "form": form,
        "token": token,
        "doc": doc,
        "languages": languages,
        "lang": doc.language if doc else "",
    }
    return render(request, "consent/public/withdraw.html", context, status=400 if form.errors else 200)
