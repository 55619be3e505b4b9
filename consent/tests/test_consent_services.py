"""Enforcement: consent, assent, withdrawal and purge through the public services and selectors."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from consent import hooks, services
from consent.models import ConsentForm, ConsentRecord, Purge, TransparencyStatement
from consent.selectors import (
    consent_scopes,
    consent_status,
    exclude_withdrawn,
    has_current_consent,
    scopes_by_participant,
    withdrawn_participant_ids,
)
from participants.factories import ParticipantFactory
from participants.models import Participant, StatusChange

Kind = ConsentRecord.Kind
Method = ConsentRecord.Method

pytestmark = pytest.mark.django_db


def record(participant, kind, form, by=None, **kwargs):
    kwargs.setdefault("method", Method.WRITTEN)
    if kind == Kind.GUARDIAN:
        kwargs.setdefault("guardian_name", "Rosa Cruz")
    return services.consent_record(participant=participant, kind=kind, form=form, by=by, **kwargs)


def test_no_consent_means_require_consent_raises(adult, form_en):
    assert not has_current_consent(adult)
    with pytest.raises(ValidationError, match="has not given consent"):
        services.require_consent(adult)


def test_adult_consent_is_current_and_moves_status(adult, form_en, interviewer):
    rec = record(adult, Kind.CONSENT, form_en, by=interviewer, may_quote=True, attribution="role")
    assert rec.given_by == ConsentRecord.GivenBy.PARTICIPANT
    assert has_current_consent(adult)
    services.require_consent(adult)  # does not raise
    adult.refresh_from_db()
    assert adult.status == Participant.Status.CONSENTED
    assert StatusChange.objects.filter(participant=adult, to_status="consented", by=interviewer).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONSENT_CHANGE, target_id=str(adult.pk))
    assert event.detail["kind"] == "consent" and event.actor == interviewer


def test_minor_with_guardian_consent_but_no_assent_is_rejected(minor, form_en, interviewer):
    record(minor, Kind.GUARDIAN, form_en, by=interviewer)
    assert not has_current_consent(minor)
    with pytest.raises(ValidationError) as error:
        services.require_consent(minor)
    assert "Assent" in str(error.value)
    minor.refresh_from_db()
    assert minor.status == Participant.Status.INVITED

    record(minor, Kind.ASSENT, form_en, by=interviewer)
    assert has_current_consent(minor)
    minor.refresh_from_db()
    assert minor.status == Participant.Status.CONSENTED


def test_minor_with_assent_only_is_rejected(minor, form_en):
    record(minor, Kind.ASSENT, form_en)
    status = consent_status(minor)
    assert status.state == "partial" and status.missing == [Kind.GUARDIAN]
    with pytest.raises(ValidationError):
        services.require_consent(minor)


def test_kinds_must_fit_the_participant(adult, minor, form_en):
    with pytest.raises(ValidationError, match="own consent"):
        record(adult, Kind.GUARDIAN, form_en)
    with pytest.raises(ValidationError, match="guardian"):
        record(minor, Kind.CONSENT, form_en)
    with pytest.raises(ValidationError, match="name"):
        record(minor, Kind.GUARDIAN, form_en, guardian_name=" ")


def test_a_form_of_another_campaign_is_refused(adult, other_campaign):
    from consent.factories import ConsentFormFactory

    with pytest.raises(ValidationError):
        record(adult, Kind.CONSENT, ConsentFormFactory(campaign=other_campaign))


def test_scopes_are_the_most_restrictive_of_guardian_and_assent(minor, form_en):
    record(minor, Kind.GUARDIAN, form_en, may_quote=True, attribution="role", may_recontact=True)
    record(minor, Kind.ASSENT, form_en, may_quote=False, attribution="role", may_recontact=True)
    scopes = consent_scopes(minor)
    assert (scopes.may_quote, scopes.attribution, scopes.may_recontact) == (False, "role", True)
    assert scopes_by_participant([minor.pk])[minor.pk] == scopes


def test_a_newer_agreement_supersedes_the_older_one_without_editing_it(adult, form_en):
    first = record(adult, Kind.CONSENT, form_en, may_quote=False)
    record(adult, Kind.CONSENT, form_en, may_quote=True)
    assert consent_scopes(adult).may_quote is True
    first.refresh_from_db()
    assert first.may_quote is False
    assert ConsentRecord.objects.filter(participant=adult).count() == 2


def test_withdrawal_excludes_the_participant_everywhere(adult, form_en, interviewer, campaign):
    other = ParticipantFactory(campaign=campaign)
    record(adult, Kind.CONSENT, form_en)
    services.participant_withdraw(participant=adult, by=interviewer, method=Method.VERBAL)

    assert not has_current_consent(adult)
    with pytest.raises(ValidationError, match="withdrew"):
        services.require_consent(adult)
    # The helpers synthesis and exports use:
    assert list(exclude_withdrawn(Participant.objects.filter(campaign=campaign), "pk")) == [other]
    assert set(Participant.objects.filter(pk__in=withdrawn_participant_ids(campaign))) == {adult}
    adult.refresh_from_db()
    assert adult.status == Participant.Status.WITHDRAWN
    # Nothing can be recorded afterwards, and withdrawing twice adds nothing.
    with pytest.raises(ValidationError):
        record(adult, Kind.CONSENT, form_en)
    services.participant_withdraw(participant=adult, by=interviewer)
    assert ConsentRecord.objects.filter(participant=adult, kind=Kind.WITHDRAWAL).count() == 1
    # The consent itself is still there: the fact is kept, nothing deleted.
    assert ConsentRecord.objects.filter(participant=adult, kind=Kind.CONSENT).exists()
    assert AuditEvent.objects.filter(action="consent_change", detail__kind="withdrawal").count() == 1


def test_exclude_withdrawn_follows_a_relation(adult, campaign):
    # StatusChange rows hang off participants, like notes will: the helper follows any path.
    services.participant_withdraw(participant=adult)
    other = ParticipantFactory(campaign=campaign, status=Participant.Status.NOMINATED)
    from participants.services import participant_set_status

    participant_set_status(participant=other, status="invited", by=None)
    remaining = exclude_withdrawn(StatusChange.objects.all(), "participant")
    assert {change.participant_id for change in remaining} == {other.pk}


def test_purge_scrubs_identity_runs_hooks_and_keeps_the_withdrawal(adult, form_en, lead):
    record(adult, Kind.CONSENT, form_en, note="Prefers evening calls at 555 0100")
    with pytest.raises(ValidationError, match="withdrawn"):
        services.participant_purge(participant=adult, by=lead)
    services.participant_withdraw(participant=adult)

    calls = []

    def purge_notes(*, participants, reason, by):
        calls.append((list(participants.values_list("code", flat=True)), reason, by))
        return {"notes": 3}

    hooks.register_purge_hook(purge_notes)
    try:
        services.participant_purge(participant=adult, by=lead, reason="Family asked us to delete everything")
    finally:
        hooks._purge_hooks.remove(purge_notes)

    adult.refresh_from_db()
    assert (adult.full_name, adult.email, adult.phone, adult.school, adult.note) == ("", "", "", "", "")
    assert adult.code == "P-001"
    assert calls == [(["P-001"], "purge", lead)]
    assert not ConsentRecord.objects.filter(participant=adult).exclude(note="").exists()
    assert ConsentRecord.objects.filter(participant=adult, kind=Kind.WITHDRAWAL).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.PURGE)
    assert event.actor == lead and any("tests" in name for name in event.detail["hooks"])
    assert Purge.objects.filter(participant=adult).exists()
    with pytest.raises(ValidationError, match="already"):
        services.participant_purge(participant=adult, by=lead)


STATEMENT = {
    "why": "Why",
    "data_use": "Use",
    "raw_notes_access": "Leads",
    "captures_identifying_data": True,
    "identifying_data": "Names",
    "anonymization": "Codes",
    "retention": "",
}


def test_editing_an_unsigned_version_edits_it_in_place(campaign, lead):
    import datetime

    data = {**STATEMENT, "retain_until": datetime.date(2030, 1, 1)}
    first = services.statement_save(campaign=campaign, language="en", data=data, by=lead)
    again = services.statement_save(campaign=campaign, language="en", data={**data, "why": "Better"}, by=lead)
    assert again.pk == first.pk and again.version == 1 and again.why == "Better"


def test_editing_a_signed_version_creates_the_next_one(campaign, lead, adult):
    import datetime

    data = {**STATEMENT, "retain_until": datetime.date(2030, 1, 1)}
    statement = services.statement_save(campaign=campaign, language="en", data=data, by=lead)
    form = services.consent_form_save(
        campaign=campaign,
        language="en",
        data={"title": "T", "body": "B", "guardian_text": "", "assent_text": ""},
        by=lead,
    )
    agreed = record(adult, Kind.CONSENT, form)

    new_statement = services.statement_save(campaign=campaign, language="en", data={**data, "why": "New"}, by=lead)
    assert new_statement.version == 2
    statement.refresh_from_db()
    assert statement.why == "Why"
    # The form moved onto the new statement as a new version; the record keeps the old one.
    current_form = ConsentForm.objects.current().get(campaign=campaign, language="en")
    assert current_form.version == 2 and current_form.statement == new_statement
    agreed.refresh_from_db()
    assert agreed.form == form and agreed.form.statement == statement

    # Editing the (unsigned) form v2 edits it in place; once signed, the next edit is v3.
    edited = services.consent_form_save(
        campaign=campaign,
        language="en",
        data={"title": "T2", "body": "B", "guardian_text": "", "assent_text": ""},
        by=lead,
    )
    assert edited.pk == current_form.pk
    record(adult, Kind.CONSENT, edited)
    v3 = services.consent_form_save(
        campaign=campaign,
        language="en",
        data={"title": "T3", "body": "B", "guardian_text": "", "assent_text": ""},
        by=lead,
    )
    assert v3.version == 3
    assert TransparencyStatement.objects.filter(campaign=campaign).count() == 2


def test_a_form_needs_a_statement_in_its_language(campaign, lead):
    with pytest.raises(ValidationError, match="statement"):
        services.consent_form_save(campaign=campaign, language="vi", data={"title": "x", "body": "y"}, by=lead)


def test_languages_are_independent(campaign, lead, form_en, form_es):
    assert services.current_form_for(campaign, "es") == form_es
    assert services.current_form_for(campaign, "vi") == form_en  # falls back to English


def test_a_status_set_to_withdrawn_elsewhere_counts_as_a_withdrawal(adult, form_en, campaign, lead):
    from participants.services import participant_set_status

    record(adult, Kind.CONSENT, form_en)
    # The participants service refuses "withdrawn" without a record; older data may hold one.
    with pytest.raises(ValidationError):
        participant_set_status(participant=adult, status=Participant.Status.WITHDRAWN, by=lead)
    Participant.objects.filter(pk=adult.pk).update(status=Participant.Status.WITHDRAWN)
    adult.refresh_from_db()
    assert not has_current_consent(adult)
    assert list(exclude_withdrawn(Participant.objects.filter(campaign=campaign), "pk")) == []
    with pytest.raises(ValidationError, match="withdrew"):
        services.require_consent(adult)
    # Recording it through consent keeps the fact as a record; purge is then allowed.
    services.participant_withdraw(participant=adult, by=lead)
    assert ConsentRecord.objects.filter(participant=adult, kind=Kind.WITHDRAWAL).exists()
    # A withdrawal record wins even if the status is later moved back (the service refuses to).
    with pytest.raises(ValidationError):
        participant_set_status(participant=adult, status=Participant.Status.INVITED, by=lead)
    Participant.objects.filter(pk=adult.pk).update(status=Participant.Status.INVITED)
    adult.refresh_from_db()
    assert not has_current_consent(adult)
    assert adult.pk in set(withdrawn_participant_ids(campaign).values_list("pk", flat=True))


def test_consent_does_not_move_a_scheduled_participant_back(campaign, form_en):
    scheduled = ParticipantFactory(campaign=campaign, status=Participant.Status.SCHEDULED)
    record(scheduled, Kind.CONSENT, form_en)
    scheduled.refresh_from_db()
    assert scheduled.status == Participant.Status.SCHEDULED
