"""Writes for consent and transparency. Views, the admin, tasks and other apps call these.

Enforcement for other apps (see also consent.selectors):
- ``require_consent(participant)`` before starting an interview or saving a note: raises a
  ``ValidationError`` that says what is missing.
- ``participant_withdraw(...)`` is the one way a withdrawal happens (staff or the participant's
  own link); ``participant_purge(...)`` removes a withdrawn participant's raw data for good and
  runs the hooks other apps register in consent.hooks.

Versioning: a statement or form version that someone agreed to is never edited. Saving changes
to it creates the next version, and the records keep pointing at the version they agreed to.
"""

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.models import hash_token
from participants.models import Participant, StatusChange
from participants.services import participant_set_status

from . import hooks
from .models import ConsentForm, ConsentRecord, ParticipantLink, Purge, RetentionNotice, TransparencyStatement
from .selectors import consent_status, required_kinds

Kind = ConsentRecord.Kind
RETENTION_WARNING_DAYS = 14
# The participant's identifying fields: removed by a purge (all) and by retention (names, contacts).
PURGED_FIELDS = {"full_name": "", "email": "", "phone": "", "note": "", "school": "", "grade": "", "person": None}
RETENTION_FIELDS = {"full_name": "", "email": "", "phone": "", "note": "", "person": None}
# Statuses from which a complete consent moves a participant to "consented" (one who declined
# and changed their mind included); later statuses (scheduled, interviewed) are left alone.
BEFORE_CONSENT = (Participant.Status.NOMINATED, Participant.Status.INVITED, Participant.Status.DECLINED)


# --- Statements and forms -------------------------------------------------------------------


def _is_signed_statement(statement: TransparencyStatement) -> bool:
    return ConsentRecord.objects.filter(form__statement=statement).exists()


def _is_signed_form(form: ConsentForm) -> bool:
    return form.records.exists()


def _changed(instance, data: dict, fields) -> bool:
    return any(getattr(instance, name) != data[name] for name in fields if name in data)


@transaction.atomic
def statement_save(*, campaign, language: str, data: dict, by, request=None) -> TransparencyStatement:
    """Create or change the campaign's transparency statement in `language`.

    A version nobody agreed to yet is edited in place; otherwise the next version is created.
    The current consent form in that language is then moved onto the new statement the same way.
    """
    fields = TransparencyStatement.CONTENT_FIELDS
    current = (
        TransparencyStatement.objects.select_for_update()
        .filter(campaign=campaign, language=language)
        .order_by("-version")
        .first()
    )
    if current is not None and not _changed(current, data, fields):
        return current
    values = {name: data[name] for name in fields if name in data}
    if current is None or _is_signed_statement(current):
        statement = TransparencyStatement.objects.create(
            campaign=campaign,
            language=language,
            version=(current.version + 1) if current else 1,
            created_by=by,
            **values,
        )
    else:
        statement = current
        for name, value in values.items():
            setattr(statement, name, value)
        statement.save()
    form = ConsentForm.objects.current().filter(campaign=campaign, language=language).first()
    if form is not None and form.statement_id != statement.pk:
        _form_save(form=form, statement=statement, data={}, by=by)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CONSENT_CHANGE,
        campaign=campaign,
        target=statement,
        detail={"what": "transparency statement", "language": language, "version": statement.version},
        request=request,
    )
    return statement


def _form_save(*, form: ConsentForm, statement: TransparencyStatement, data: dict, by) -> ConsentForm:
    values = {name: data.get(name, getattr(form, name)) for name in ConsentForm.CONTENT_FIELDS}
    if _is_signed_form(form):
        return ConsentForm.objects.create(
            campaign=form.campaign,
            language=form.language,
            version=form.version + 1,
            statement=statement,
            created_by=by,
            **values,
        )
    for name, value in values.items():
        setattr(form, name, value)
    form.statement = statement
    form.save()
    return form


@transaction.atomic
def consent_form_save(*, campaign, language: str, data: dict, by, request=None) -> ConsentForm:
    """Create or change the consent form in `language`, built on the current statement there."""
    statement = TransparencyStatement.objects.current().filter(campaign=campaign, language=language).first()
    if statement is None:
        raise ValidationError(_("Write the transparency statement in this language first; the form is built on it."))
    current = (
        ConsentForm.objects.select_for_update()
        .filter(campaign=campaign, language=language)
        .order_by("-version")
        .first()
    )
    if current is None:
        form = ConsentForm.objects.create(
            campaign=campaign,
            language=language,
            statement=statement,
            created_by=by,
            **{name: data[name] for name in ConsentForm.CONTENT_FIELDS if name in data},
        )
    elif not _changed(current, data, ConsentForm.CONTENT_FIELDS) and current.statement_id == statement.pk:
        return current
    else:
        form = _form_save(form=current, statement=statement, data=data, by=by)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CONSENT_CHANGE,
        campaign=campaign,
        target=form,
        detail={"what": "consent form", "language": language, "version": form.version},
        request=request,
    )
    return form


def current_form_for(campaign, language: str) -> ConsentForm | None:
    """The current form in `language`, else in English, else any current form."""
    forms = list(ConsentForm.objects.current().filter(campaign=campaign).select_related("statement"))
    by_language = {form.language: form for form in forms}
    return by_language.get(language) or by_language.get("en") or (forms[0] if forms else None)


# --- Consent, assent and withdrawal ---------------------------------------------------------


def require_consent(participant) -> None:
    """Raise ValidationError unless the participant has a current consent (see consent.selectors).

    Interviews and notes call this before they start or save anything for a participant.
    """
    status = consent_status(participant)
    if status.withdrawn:
        raise ValidationError(
            _("%(code)s withdrew from this campaign; nothing more can be recorded for them.")
            % {"code": participant.code},
            code="withdrawn",
        )
    if status.missing:
        if participant.is_minor:
            message = _(
                "%(code)s is a minor and needs both a guardian's consent and their own assent. Missing: %(missing)s."
            )
        else:
            message = _("%(code)s has not given consent yet. Missing: %(missing)s.")
        raise ValidationError(
            message % {"code": participant.code, "missing": ", ".join(str(label) for label in status.missing_labels)},
            code="no_consent",
        )


def _locked(participant) -> Participant:
    return Participant.objects.select_for_update().select_related("campaign").get(pk=participant.pk)


@transaction.atomic
def consent_record(
    *,
    participant,
    kind: str,
    form: ConsentForm,
    method: str,
    by=None,
    given_on: date | None = None,
    may_quote: bool = False,
    attribution: str = ConsentRecord.Attribution.NONE,
    may_recontact: bool = False,
    guardian_name: str = "",
    note: str = "",
    link: ParticipantLink | None = None,
    request=None,
) -> ConsentRecord:
    """Record a consent, a guardian's consent or a minor's assent. Adds a row; never edits one.

    When the participant's consent becomes complete, their status moves to "consented".
    """
    participant = _locked(participant)
    status = consent_status(participant)
    if status.withdrawn:
        raise ValidationError(_("This participant withdrew; consent can no longer be recorded."), code="withdrawn")
    if kind not in required_kinds(participant):
        if participant.is_minor:
            raise ValidationError(
                _("For a minor, record a guardian's consent and the student's own assent."), code="kind"
            )
        raise ValidationError(_("An adult gives their own consent."), code="kind")
    if form is None or form.campaign_id != participant.campaign_id:
        raise ValidationError(_("Choose a consent form of this campaign."), code="form")
    if method not in ConsentRecord.Method.values:
        raise ValidationError(_("Choose how consent was given."), code="method")
    if attribution not in ConsentRecord.Attribution.values:
        raise ValidationError(_("Choose an attribution."), code="attribution")
    given_on = given_on or timezone.localdate()
    if given_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="date")
    guardian_name = guardian_name.strip()
    if kind == Kind.GUARDIAN and not guardian_name:
        raise ValidationError(_("Enter the name of the parent or guardian."), code="guardian_name")
    record = ConsentRecord.objects.create(
        participant=participant,
        kind=kind,
        given_by=ConsentRecord.GivenBy.GUARDIAN if kind == Kind.GUARDIAN else ConsentRecord.GivenBy.PARTICIPANT,
        guardian_name=guardian_name if kind == Kind.GUARDIAN else "",
        form=form,
        method=method,
        given_on=given_on,
        may_quote=may_quote,
        attribution=attribution,
        may_recontact=may_recontact,
        note=note,
        recorded_by=by if by is not None and by.is_authenticated else None,
        link=link,
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CONSENT_CHANGE,
        campaign=participant.campaign,
        target=participant,
        detail={
            "kind": kind,
            "method": method,
            "form": form.pk,
            "form_version": form.version,
            "language": form.language,
            "may_quote": may_quote,
            "attribution": attribution,
            "may_recontact": may_recontact,
            "via_link": link is not None,
        },
        request=request,
    )
    if consent_status(participant).is_current and participant.status in BEFORE_CONSENT:
        participant_set_status(
            participant=participant, status=Participant.Status.CONSENTED, by=by, note=_("Consent recorded.")
        )
    return record


@transaction.atomic
def participant_withdraw(
    *,
    participant,
    given_by: str = ConsentRecord.GivenBy.PARTICIPANT,
    method: str = ConsentRecord.Method.ELECTRONIC,
    by=None,
    note: str = "",
    link: ParticipantLink | None = None,
    request=None,
) -> ConsentRecord:
    """Withdraw a participant now. Their words drop out of every later view and export at once
    (consent.selectors.exclude_withdrawn); the fact of the withdrawal is kept. Idempotent."""
    participant = _locked(participant)
    existing = participant.consents.withdrawals().first()
    if existing is not None:
        return existing
    record = ConsentRecord.objects.create(
        participant=participant,
        kind=Kind.WITHDRAWAL,
        given_by=given_by,
        method=method,
        note=note,
        recorded_by=by if by is not None and by.is_authenticated else None,
        link=link,
    )
    participant_set_status(
        participant=participant, status=Participant.Status.WITHDRAWN, by=by, note=_("Withdrew consent.")
    )
    from .hooks import run_withdraw_hooks

    run_withdraw_hooks(participant=participant, by=by)
    audit_record(
        actor=by,
        action=AuditEvent.Action.CONSENT_CHANGE,
        campaign=participant.campaign,
        target=participant,
        detail={"kind": Kind.WITHDRAWAL, "given_by": given_by, "method": method, "via_link": link is not None},
        request=request,
    )
    return record


def _has_any(fields: dict) -> Q:
    """Rows where any of these fields still holds something (is not its scrubbed value)."""
    q = Q(pk__in=[])
    for name, blank in fields.items():
        q |= Q(**{f"{name}__isnull": False}) if blank is None else ~Q(**{name: blank})
    return q


def _scrub(participants, fields: dict) -> int:
    """Remove identifying data from these participants and everything recorded about them here.

    Idempotent: rows already scrubbed are not written again. Returns how many participants still
    held identifying data (0 when there was nothing left to remove)."""
    ids = list(participants.values_list("pk", flat=True))
    count = Participant.objects.filter(pk__in=ids).filter(_has_any(fields)).update(**fields, updated_at=timezone.now())
    StatusChange.objects.filter(participant_id__in=ids).exclude(note="").update(note="")
    ConsentRecord.objects.filter(participant_id__in=ids).filter(~Q(guardian_name="") | ~Q(note="")).update(
        guardian_name="", note=""
    )
    ParticipantLink.objects.filter(participant_id__in=ids, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return count


@transaction.atomic
def participant_purge(*, participant, by, reason: str = "", request=None) -> Purge:
    """Remove a withdrawn participant's raw data for good: identity, contacts, free-text notes,
    and whatever other apps registered in consent.hooks (their interview notes). The code, the
    consent records (scrubbed of names) and the fact of the withdrawal stay."""
    participant = _locked(participant)
    if not consent_status(participant).withdrawn:
        raise ValidationError(_("Only a withdrawn participant's data can be purged."), code="not_withdrawn")
    if Purge.objects.filter(participant=participant).exists():
        raise ValidationError(_("This participant's data was already purged."), code="already_purged")
    participants = Participant.objects.filter(pk=participant.pk)
    _scrub(participants, PURGED_FIELDS)
    detail = hooks.run_purge_hooks(participants=participants, reason=hooks.PURGE, by=by)
    purge = Purge.objects.create(participant=participant, by=by, reason=reason[:500], detail=detail)
    audit_record(
        actor=by,
        action=AuditEvent.Action.PURGE,
        campaign=participant.campaign,
        target=participant,
        detail={"reason": reason[:500], "removed": sorted(PURGED_FIELDS), "hooks": detail},
        request=request,
    )
    return purge


# --- Participant links ----------------------------------------------------------------------

_signer = signing.Signer(salt="consent.participant-link")


class LinkError(Exception):
    """The link cannot be used. `status` is 404 (not a link) or 410 (expired or revoked)."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("consent_public:participant_link", args=[token])


def _recipient_error(participant, recipient: str) -> ValidationError | None:
    if recipient not in ParticipantLink.Recipient.values:
        return ValidationError(_("Choose whom the link is for."), code="recipient")
    if recipient == ParticipantLink.Recipient.GUARDIAN and not participant.is_minor:
        return ValidationError(
            _("An adult gives their own consent: make the link for the participant."), code="recipient"
        )
    return None


def _new_secret() -> tuple[str, str]:
    """A random secret and the signed token that carries it."""
    secret = secrets.token_urlsafe(32)
    return secret, _signer.sign(secret)


@transaction.atomic
def link_create(
    *,
    participant,
    delivery: str,
    by,
    recipient: str = ParticipantLink.Recipient.PARTICIPANT,
    request=None,
    notify: bool = True,
) -> tuple[ParticipantLink, str | None]:
    """A new link for the participant, or for a minor's guardian (`recipient`). Earlier links for
    the same recipient stop working. Returns the link and its token.

    The token is the signed random secret; only the secret's hash is stored, so the token is
    shown (or emailed) once and cannot be recovered later. An emailed link (`notify`) gets no
    token here: the worker that sends the email makes the secret (`link_issue`), so the secret
    never passes through the Celery broker, and the token returned is None.

    Whoever calls this sees the link open the participant's identity (the link's "what we hold"
    page): the staff views allow it only to those who may see that identity.
    """
    participant = _locked(participant)
    if hasattr(participant, "purge"):
        raise ValidationError(_("This participant's data was purged."), code="purged")
    if delivery not in ParticipantLink.Delivery.values:
        raise ValidationError(_("Choose how to send the link."), code="delivery")
    error = _recipient_error(participant, recipient)
    if error is not None:
        raise error
    if delivery == ParticipantLink.Delivery.EMAIL and not participant.email:
        raise ValidationError(_("This participant has no email address; print the link instead."), code="no_email")
    participant.links.active().filter(recipient=recipient).update(revoked_at=timezone.now())
    # notify=False: the caller emails the link itself (reminders put it in the interview reminder).
    deferred = delivery == ParticipantLink.Delivery.EMAIL and notify
    if deferred:
        token = None
        token_hash = ParticipantLink.PENDING_PREFIX + secrets.token_hex(28)
    else:
        secret, token = _new_secret()
        token_hash = hash_token(secret)
    link = ParticipantLink.objects.create(
        participant=participant, token_hash=token_hash, delivery=delivery, recipient=recipient, created_by=by
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CONSENT_CHANGE,
        campaign=participant.campaign,
        target=participant,
        detail={"what": "participant link created", "link": link.pk, "delivery": delivery, "recipient": recipient},
        request=request,
    )
    if deferred:
        from .tasks import send_participant_link

        transaction.on_commit(lambda: send_participant_link.delay(link.pk))
    return link, token


def link_issue(*, link_id: int) -> tuple[ParticipantLink, str] | None:
    """Make the secret of an emailed link, in the worker that emails it. Call inside the
    transaction that also hands the email over, so a failed send leaves the link pending.

    Returns the link and its token, or None when the link is gone, no longer active, or was
    already issued (a redelivered task never makes a second secret)."""
    link = (
        ParticipantLink.objects.select_for_update()
        .select_related("participant", "participant__campaign")
        .filter(pk=link_id)
        .first()
    )
    if link is None or link.state != "active" or link.is_issued:
        return None
    secret, token = _new_secret()
    link.token_hash = hash_token(secret)
    link.save(update_fields=["token_hash"])
    return link, token


def link_revoke(*, link: ParticipantLink, by, request=None) -> None:
    if link.revoked_at:
        return
    link.revoke()
    audit_record(
        actor=by,
        action=AuditEvent.Action.CONSENT_CHANGE,
        campaign=link.participant.campaign,
        target=link.participant,
        detail={"what": "participant link revoked", "link": link.pk},
        request=request,
    )


def link_for_token(token: str) -> ParticipantLink:
    """The link a token opens, or LinkError. A tampered token is refused before any query."""
    try:
        secret = _signer.unsign(token)
    except signing.BadSignature:
        raise LinkError(_("This link is not valid. Check that you copied the whole link."), 404) from None
    link = (
        ParticipantLink.objects.select_related("participant", "participant__campaign")
        .filter(token_hash=hash_token(secret))
        .first()
    )
    if link is None:
        raise LinkError(_("This link is not valid. Check that you copied the whole link."), 404)
    if link.state == "revoked":
        raise LinkError(_("This link no longer works. Ask the interview team for a new one."), 410)
    if link.state == "expired":
        raise LinkError(_("This link has expired. Ask the interview team for a new one."), 410)
    return link


def link_touch(link: ParticipantLink) -> None:
    ParticipantLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now())


# --- Retention ------------------------------------------------------------------------------


def retention_date(campaign) -> date | None:
    """The date identifying data and raw notes go: the earliest any statement version promised.

    Earlier promises bind: a later version cannot keep data longer than people were told.
    """
    return campaign.transparency_statements.aggregate(d=Min("retain_until"))["d"]


def campaigns_with_retention():
    """Campaigns annotated with `retention_on` (only those with a statement)."""
    from campaigns.models import Campaign

    return Campaign.objects.annotate(retention_on=Min("transparency_statements__retain_until")).filter(
        retention_on__isnull=False
    )


@transaction.atomic
def retention_warn(*, campaign, retain_until: date) -> RetentionNotice | None:
    """Email the campaign's leads that identifying data goes on `retain_until`. Once per date."""
    notice, created = RetentionNotice.objects.get_or_create(
        campaign=campaign, kind=RetentionNotice.Kind.WARNING, retain_until=retain_until
    )
    if not created:
        return None
    from .tasks import send_retention_warning

    transaction.on_commit(lambda: send_retention_warning.delay(notice.pk))
    return notice


def _removed_anything(hook_detail: dict) -> bool:
    return any(isinstance(v, int) and v for result in hook_detail.values() for v in (result or {}).values())


@transaction.atomic
def campaign_retention_apply(*, campaign, retain_until: date, by=None) -> RetentionNotice | None:
    """Remove names, contacts and raw notes of every participant; keep codes and synthesis.

    Runs on every scan once the date has passed, not once: people added or edited after the
    date lose their identifying data at the next scan too. Idempotent — what is already gone is
    not written again, and the purge hooks (which must be idempotent) find nothing left. The
    notice records the first application; every application that removed something is audited.
    Returns the notice when something was removed (or on the first application), else None.
    """
    notice, created = RetentionNotice.objects.get_or_create(
        campaign=campaign, kind=RetentionNotice.Kind.APPLIED, retain_until=retain_until
    )
    participants = Participant.objects.filter(campaign=campaign)
    count = _scrub(participants, RETENTION_FIELDS)
    removed = hooks.run_purge_hooks(participants=participants, reason=hooks.RETENTION, by=by)
    if not created and not count and not _removed_anything(removed):
        return None
    detail = {"participants": count, "hooks": removed}
    if created:
        notice.detail = detail
        notice.save(update_fields=["detail"])
    audit_record(
        actor=by,
        action=AuditEvent.Action.PURGE,
        campaign=campaign,
        target=campaign,
        detail={"what": "retention", "retain_until": retain_until.isoformat(), "first": created, **detail},
    )
    return notice


def retention_scan(*, today: date | None = None) -> dict:
    """Warn 14 days ahead (once), then remove identifying data on every scan from the date on."""
    today = today or timezone.localdate()
    warned = applied = 0
    for campaign in campaigns_with_retention():
        retain_until = campaign.retention_on
        if today >= retain_until:
            applied += bool(campaign_retention_apply(campaign=campaign, retain_until=retain_until))
        elif today >= retain_until - timedelta(days=RETENTION_WARNING_DAYS):
            warned += bool(retention_warn(campaign=campaign, retain_until=retain_until))
    return {"warned": warned, "applied": applied}
