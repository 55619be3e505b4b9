"""Writes and business rules for participants. Views, admin, imports and other apps call these."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.models import Campaign

from .models import (
    CodeSequence,
    DimensionValue,
    EquityDimension,
    Participant,
    ParticipantValue,
    Person,
    PriorityGroup,
    SelectionRule,
    StatusChange,
    TargetOverride,
)

IDENTITY_FIELDS = ("full_name", "email", "phone", "school", "grade", "preferred_language", "note")
PROFILE_FIELDS = (*IDENTITY_FIELDS, "role", "is_minor", "most_directly_impacted", "not_usually_asked")


def _user_or_none(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


# --- Status ---------------------------------------------------------------------------------

# What a member may set by hand on the participant page. The rest belong to the services that
# own each step: consented and withdrawn to consent.services (consent_record,
# participant_withdraw), scheduled and interviewed to interviews.services.
MANUAL_STATUSES = (Participant.Status.NOMINATED, Participant.Status.INVITED, Participant.Status.DECLINED)


def _has_withdrawal_record(participant) -> bool:
    from consent.models import ConsentRecord

    return ConsentRecord.objects.withdrawals().filter(participant_id=participant.pk).exists()


@transaction.atomic
def participant_set_status(*, participant: Participant, status: str, by, note: str = "") -> StatusChange | None:
    """Move a participant to `status` and record who did it, when and why.

    For the services that own a step (consent: consented, withdrawn; interviews: scheduled,
    interviewed) and for `participant_status_change`, the by-hand path. Two rules hold
    whoever calls: "withdrawn" needs a withdrawal record (consent.services.participant_withdraw
    makes it first), and nobody leaves "withdrawn" once such a record exists.
    Returns the history row, or None when the participant already had that status.
    """
    if status not in Participant.Status.values:
        raise ValidationError(_("Unknown status: %(status)s") % {"status": status})
    current = Participant.objects.select_for_update().get(pk=participant.pk)
    if current.status == status:
        return None
    if status == Participant.Status.WITHDRAWN and not _has_withdrawal_record(current):
        raise ValidationError(
            _("A withdrawal is recorded on the consent page, so that it is kept and audited."), code="withdrawn"
        )
    if current.status == Participant.Status.WITHDRAWN and _has_withdrawal_record(current):
        raise ValidationError(
            _("%(code)s withdrew; their status cannot change.") % {"code": current.code}, code="withdrawn"
        )
    now = timezone.now()
    change = StatusChange.objects.create(
        participant=current,
        from_status=current.status,
        to_status=status,
        by=_user_or_none(by),
        note=note[:500],
        created_at=now,
    )
    current.status = status
    current.status_changed_at = now
    fields = ["status", "status_changed_at", "updated_at"]
    if status == Participant.Status.INTERVIEWED:
        current.interviewed_at = now
        fields.append("interviewed_at")
    current.save(update_fields=fields)
    # Keep the caller's object in step with the database.
    participant.status, participant.status_changed_at = current.status, current.status_changed_at
    participant.interviewed_at = current.interviewed_at
    return change


@dataclass
class InviteResult:
    """Who was invited, and how each consent request goes out."""

    invited: list[Participant] = field(default_factory=list)
    emailed: list[Participant] = field(default_factory=list)  # a consent link is on its way by email
    to_print: list[Participant] = field(default_factory=list)  # no email: print a consent card
    no_form: list[Participant] = field(default_factory=list)  # no consent form yet: nothing to send

    def __len__(self):
        return len(self.invited)


def _send_consent_request(participant: Participant, by, request, result: InviteResult) -> None:
    """Email a consent link to someone invited, or say that a card must be printed.

    A minor's email is the family's: the link is the guardian's (the student's own assent is
    asked in person or on their own printed card)."""
    from consent.models import ParticipantLink
    from consent.services import current_form_for, link_create

    if not participant.email:
        result.to_print.append(participant)
        return
    if current_form_for(participant.campaign, participant.preferred_language) is None:
        result.no_form.append(participant)
        return
    recipient = ParticipantLink.Recipient.GUARDIAN if participant.is_minor else ParticipantLink.Recipient.PARTICIPANT
    link_create(
        participant=participant,
        delivery=ParticipantLink.Delivery.EMAIL,
        recipient=recipient,
        by=_user_or_none(by),
        request=request,
    )
    result.emailed.append(participant)


@transaction.atomic
def participants_invite(
    *, participants: Iterable[Participant], by, note: str = "", request=None, send: bool = True
) -> InviteResult:
    """Invite people (nominated, or who declined before) and send each a consent request:
    an emailed link through the reminders pipeline, or, without an email, a note to print a
    consent card. The caller checks that `by` may see these people's identity."""
    result = InviteResult()
    for participant in participants:
        if participant.status not in (Participant.Status.NOMINATED, Participant.Status.DECLINED):
            continue
        if participant_set_status(participant=participant, status=Participant.Status.INVITED, by=by, note=note):
            result.invited.append(participant)
            if send:
                _send_consent_request(participant, by, request, result)
    return result


@transaction.atomic
def participant_status_change(
    *, participant: Participant, status: str, by, note: str = "", request=None
) -> InviteResult | None:
    """The by-hand path (the participant page): only nominated, invited and declined, and only
    between them. Inviting sends the consent request (see participants_invite) and returns
    how it went."""
    if status not in MANUAL_STATUSES:
        raise ValidationError(
            _("%(status)s is set by the consent and interview pages, not by hand.")
            % {"status": Participant.Status(status).label if status in Participant.Status.values else status},
            code="not_manual",
        )
    if participant.status not in MANUAL_STATUSES:
        raise ValidationError(
            _("%(code)s is %(status)s: their status now follows their consent and interviews.")
            % {"code": participant.code, "status": participant.get_status_display().lower()},
            code="not_manual",
        )
    if status == Participant.Status.INVITED:
        return participants_invite(participants=[participant], by=by, note=note, request=request)
    participant_set_status(participant=participant, status=status, by=by, note=note)
    return None


# --- Creating and editing participants ------------------------------------------------------


def _reserve_numbers(campaign: Campaign, count: int) -> int:
    """Reserve `count` pseudonym numbers; returns the first. Numbers are never handed out twice,
    even after a participant is deleted, so a code always means the same person. The row lock
    serialises concurrent imports (SQLite serialises writes anyway)."""
    sequence, _created = CodeSequence.objects.select_for_update().get_or_create(campaign=campaign)
    highest = Participant.objects.filter(campaign=campaign).aggregate(n=Max("number"))["n"] or 0
    first = max(sequence.last_number, highest) + 1
    sequence.last_number = first + count - 1
    sequence.save(update_fields=["last_number"])
    return first


def _recognise(participants: list[Participant], campaign: Campaign) -> None:
    """Link new participants to the district's Person with the same email, if there is one."""
    if campaign.district_id is None:
        return
    emails = {p.email.lower() for p in participants if p.email and p.person_id is None}
    if not emails:
        return
    earlier = {}
    # Only the rows with these emails, found through the participants_email_lower index (never
    # every participant of the district).
    for other in (
        Participant.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails, campaign__district_id=campaign.district_id)
        .exclude(campaign=campaign)
        .order_by("created_at")
        .only("pk", "email", "person_id")
    ):
        earlier.setdefault(other.email.lower(), []).append(other)
    for participant in participants:
        matches = earlier.get(participant.email.lower()) if participant.email else None
        if not matches:
            continue
        person_id = next((m.person_id for m in matches if m.person_id), None)
        if person_id is None:
            person_id = Person.objects.create(district_id=campaign.district_id).pk
        unlinked = [m.pk for m in matches if m.person_id != person_id]
        if unlinked:
            Participant.objects.filter(pk__in=unlinked).update(person_id=person_id)
        participant.person_id = person_id


def _builtin_value(dimension: EquityDimension, participant: Participant, values_by_dimension) -> DimensionValue | None:
    """The role or school dimension's value matching the participant's role or school, by label."""
    wanted = participant.role if dimension.source == EquityDimension.Source.ROLE else participant.school
    wanted = (wanted or "").strip().lower()
    if not wanted:
        return None
    names = {wanted}
    if dimension.source == EquityDimension.Source.ROLE and wanted in Participant.Role.values:
        # The role's name as the lead sees it, and in English (the starter set may predate a
        # change of language).
        label = Participant.Role(wanted).label
        names.add(str(label).lower())
        with translation.override("en"):
            names.add(str(label).lower())
    for value in values_by_dimension.get(dimension.pk, ()):
        if value.label.lower() in names or slugify(value.label) in names:
            return value
    return None


def _campaign_dimensions(campaign):
    dimensions = list(campaign.dimensions.all())
    values = {}
    for value in DimensionValue.objects.filter(dimension__campaign=campaign):
        values.setdefault(value.dimension_id, []).append(value)
    return dimensions, values


def _set_values(participants: list[Participant], chosen: dict[int, dict[int, DimensionValue | None]], campaign):
    """Store each participant's dimension values: chosen ones for custom dimensions, and the
    role/school dimensions derived from the participant's fields."""
    dimensions, values = _campaign_dimensions(campaign)
    links = []
    for index, participant in enumerate(participants):
        mine = chosen.get(index, {})
        for dimension in dimensions:
            if dimension.source == EquityDimension.Source.CUSTOM:
                value = mine.get(dimension.pk)
            else:
                value = _builtin_value(dimension, participant, values)
            if value is not None:
                if value.dimension_id != dimension.pk:
                    raise ValidationError(_("That value belongs to another dimension."))
                links.append(ParticipantValue(participant=participant, dimension=dimension, value=value))
    ParticipantValue.objects.filter(participant__in=[p.pk for p in participants]).delete()
    ParticipantValue.objects.bulk_create(links)


def _email_owners(campaign, emails, exclude_pk=None):
    """Participants of the campaign with any of these emails, whatever the case (one indexed query)."""
    clash = (
        Participant.objects.filter(campaign=campaign)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=[e.lower() for e in emails])
    )
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    return clash


def _check_emails_free(campaign, emails: list[str], by, exclude_pk=None) -> None:
    """Refuses an email someone in the campaign already has, or the same one twice in the batch.

    Names the other participant's code only to someone who may see their identity."""
    from .access import duplicate_email_message, membership_of

    wanted = [e.lower() for e in emails if e]
    if len(set(wanted)) != len(wanted):
        raise ValidationError({"email": _("The same email appears twice.")}, code="duplicate")
    if not wanted:
        return
    other = _email_owners(campaign, wanted, exclude_pk).first()
    if other is not None:
        message = duplicate_email_message(membership_of(campaign, by), other)
        raise ValidationError({"email": message}, code="duplicate")


# Identifying data the retention date removes (consent.services.RETENTION_FIELDS).
RETENTION_IDENTITY_FIELDS = ("full_name", "email", "phone", "note")
RETENTION_MESSAGE = gettext_lazy(
    "The campaign's retention date has passed: names and contact details can no longer be added or changed."
)


def retention_refusals(campaign, fields: dict, current: Participant | None = None) -> dict:
    """{field: message} for identifying data that would be added or changed after the campaign's
    retention date (consent.selectors.retention_passed); empty when nothing is refused."""
    from consent.selectors import retention_passed

    changed = [
        name
        for name in RETENTION_IDENTITY_FIELDS
        if name in fields
        and (fields[name] or "").strip()
        and (current is None or (fields[name] or "").strip() != (getattr(current, name) or "").strip())
    ]
    if not changed or not retention_passed(campaign):
        return {}
    return {name: str(RETENTION_MESSAGE) for name in changed}


@transaction.atomic
def participants_create(
    *, campaign: Campaign, by, rows: list[dict], values: list[dict[int, DimensionValue | None]] | None = None
) -> list[Participant]:
    """Create participants from cleaned rows (PROFILE_FIELDS) with their dimension values.

    Codes continue the campaign's sequence. An interviewer who adds people is assigned to them,
    so they can see what they typed.
    """
    from consent.selectors import retention_passed

    if rows and retention_passed(campaign):
        raise ValidationError(RETENTION_MESSAGE, code="retention")
    _check_emails_free(campaign, [row.get("email", "") for row in rows], by)
    number = _reserve_numbers(campaign, len(rows))
    now = timezone.now()
    participants = []
    for offset, row in enumerate(rows):
        participants.append(
            Participant(
                campaign=campaign,
                number=number + offset,
                code=Participant.code_for(number + offset),
                created_by=_user_or_none(by),
                status_changed_at=now,
                **{k: v for k, v in row.items() if k in PROFILE_FIELDS},
            )
        )
    for participant in participants:
        participant.full_clean(exclude=["number", "code", "campaign", "person"], validate_unique=False)
    _recognise(participants, campaign)
    Participant.objects.bulk_create(participants)
    if not all(p.pk for p in participants):  # Backends that do not return ids from bulk inserts.
        by_number = dict(Participant.objects.filter(campaign=campaign, number__gte=number).values_list("number", "pk"))
        for p in participants:
            p.pk = p.id = by_number[p.number]
    _set_values(participants, dict(enumerate(values or [])), campaign)
    StatusChange.objects.bulk_create(
        [
            StatusChange(participant=p, from_status="", to_status=p.status, by=_user_or_none(by), created_at=now)
            for p in participants
        ]
    )
    membership = getattr(campaign, "membership", None)
    if membership is not None and membership.role == "interviewer" and membership.user_id == getattr(by, "pk", None):
        Participant.assigned_interviewers.through.objects.bulk_create(
            [Participant.assigned_interviewers.through(participant_id=p.pk, user_id=by.pk) for p in participants]
        )
    return participants


def participant_create(*, campaign: Campaign, by, values: dict[int, DimensionValue | None] | None = None, **fields):
    return participants_create(campaign=campaign, by=by, rows=[fields], values=[values or {}])[0]


@transaction.atomic
def participant_update(
    *, participant: Participant, by, values: dict[int, DimensionValue | None] | None = None, request=None, **fields
) -> Participant:
    """Change a participant's details. Refused after the retention date for identifying data;
    once anything was recorded about their consent, only a lead may change `is_minor` (it
    decides which agreements count), and the change is audited."""
    from consent.selectors import has_any_consent_record

    from .access import membership_of

    for name in fields:
        if name not in PROFILE_FIELDS:
            raise TypeError(f"participant_update does not change {name}")
    # Compare with what is stored: a model form has already copied the new values onto `participant`.
    stored = Participant.objects.select_for_update().get(pk=participant.pk)
    refused = retention_refusals(participant.campaign, fields, stored)
    if refused:
        raise ValidationError(refused, code="retention")
    minor_changed = "is_minor" in fields and bool(fields["is_minor"]) != stored.is_minor
    if minor_changed and has_any_consent_record(participant):
        membership = membership_of(participant.campaign, by)
        if membership is None or not membership.is_lead:
            raise ValidationError(
                {"is_minor": _("Consent is already recorded for this person: only a lead may change this.")},
                code="minor_locked",
            )
        audit_record(
            actor=by,
            action=AuditEvent.Action.CONSENT_CHANGE,
            campaign=participant.campaign,
            target=participant,
            detail={"what": "is_minor changed after consent was recorded", "is_minor": bool(fields["is_minor"])},
            request=request,
        )
    _check_emails_free(participant.campaign, [fields.get("email", participant.email)], by, exclude_pk=participant.pk)
    for name, value in fields.items():
        setattr(participant, name, value)
    # After the retention date the name may already be gone (and may not come back).
    exclude = ["number", "code", "campaign", "person"]
    if not participant.full_name:
        exclude.append("full_name")
    participant.full_clean(exclude=exclude, validate_unique=False)
    participant.save()
    if values is None:
        values = {link.dimension_id: link.value for link in participant.dimension_values.select_related("value")}
    _set_values([participant], {0: values}, participant.campaign)
    if "email" in fields:
        _recognise([participant], participant.campaign)
        Participant.objects.filter(pk=participant.pk).update(person_id=participant.person_id)
    return participant


@transaction.atomic
def participant_assign(*, participant: Participant, interviewers, by, request=None) -> None:
    """Set who may see this participant's identity besides the leads. Audited: it grants access."""
    before = set(participant.assigned_interviewers.values_list("pk", flat=True))
    interviewers = list(interviewers)
    after = {u.pk for u in interviewers}
    if before == after:
        return
    participant.assigned_interviewers.set(interviewers)
    audit_record(
        actor=by,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=participant.campaign,
        target=participant,
        detail={"what": "assigned interviewers", "added": sorted(after - before), "removed": sorted(before - after)},
        request=request,
    )


@transaction.atomic
def participant_match_person(*, participant: Participant, earlier: Participant, by, request=None) -> Person:
    """A lead says `participant` is the same person as `earlier` (another campaign, same district)."""
    if earlier.campaign.district_id is None or earlier.campaign.district_id != participant.campaign.district_id:
        raise ValidationError(_("Only people from campaigns of the same district can be matched."))
    if earlier.campaign_id == participant.campaign_id:
        raise ValidationError(_("Choose someone from an earlier campaign, not this one."))
    person_id = earlier.person_id or participant.person_id
    if person_id is None:
        person_id = Person.objects.create(district_id=participant.campaign.district_id).pk
    Participant.objects.filter(pk__in=[participant.pk, earlier.pk]).update(person_id=person_id)
    if participant.person_id and participant.person_id != person_id:
        Participant.objects.filter(person_id=participant.person_id).update(person_id=person_id)
    participant.person_id = person_id
    audit_record(
        actor=by,
        action=AuditEvent.Action.VIEW_IDENTIFIED,
        campaign=participant.campaign,
        target=participant,
        detail={"matched_with": earlier.code, "matched_campaign": earlier.campaign.slug},
        request=request,
    )
    return Person.objects.get(pk=person_id)


# --- Dimensions -------------------------------------------------------------------------------


STARTER_DIMENSIONS = [
    # (name, key, source, often marginalized, values)
    (
        gettext_lazy("Role"),
        "role",
        EquityDimension.Source.ROLE,
        False,
        [str(label) for label in Participant.Role.labels],
    ),
    (
        gettext_lazy("Race/ethnicity"),
        "race_ethnicity",
        EquityDimension.Source.CUSTOM,
        True,
        [
            gettext_lazy("American Indian or Alaska Native"),
            gettext_lazy("Asian"),
            gettext_lazy("Black or African American"),
            gettext_lazy("Hispanic or Latino"),
            gettext_lazy("Native Hawaiian or Pacific Islander"),
            gettext_lazy("White"),
            gettext_lazy("Two or more races"),
        ],
    ),
    (
        gettext_lazy("English learner"),
        "english_learner",
        EquityDimension.Source.CUSTOM,
        True,
        [gettext_lazy("Yes"), gettext_lazy("No")],
    ),
    (
        gettext_lazy("Disability / IEP"),
        "iep",
        EquityDimension.Source.CUSTOM,
        True,
        [gettext_lazy("IEP or 504 plan"), gettext_lazy("None")],
    ),
    (
        gettext_lazy("Income"),
        "income",
        EquityDimension.Source.CUSTOM,
        True,
        [gettext_lazy("Free or reduced lunch"), gettext_lazy("Not eligible")],
    ),
    (
        gettext_lazy("Housing"),
        "housing",
        EquityDimension.Source.CUSTOM,
        True,
        [gettext_lazy("Stable"), gettext_lazy("Temporary or unstable")],
    ),
    (
        gettext_lazy("Home language"),
        "home_language",
        EquityDimension.Source.CUSTOM,
        True,
        [
            gettext_lazy("English"),
            gettext_lazy("Spanish"),
            gettext_lazy("Vietnamese"),
            gettext_lazy("Other"),
        ],
    ),
]

# Groups within the starter dimensions that are often left out (edit per district).
STARTER_MARGINALIZED_VALUES = {
    "role": [gettext_lazy("Student"), gettext_lazy("Family member")],
    "english_learner": [gettext_lazy("Yes")],
    "iep": [gettext_lazy("IEP or 504 plan")],
    "income": [gettext_lazy("Free or reduced lunch")],
    "housing": [gettext_lazy("Temporary or unstable")],
    "home_language": [gettext_lazy("Spanish"), gettext_lazy("Vietnamese"), gettext_lazy("Other")],
}


@transaction.atomic
def dimensions_add_starter_set(*, campaign: Campaign) -> list[EquityDimension]:
    """Add the school-district starter dimensions the campaign does not have yet (all editable)."""
    existing = set(campaign.dimensions.values_list("key", flat=True))
    position = campaign.dimensions.count()
    created = []
    for name, key, source, marginalized, labels in STARTER_DIMENSIONS:
        if key in existing or campaign.dimensions.filter(name__iexact=str(name)).exists():
            continue
        dimension = EquityDimension.objects.create(
            campaign=campaign,
            name=str(name),
            key=key,
            source=source,
            often_marginalized=marginalized,
            position=position,
        )
        position += 1
        marginalized = {str(label) for label in STARTER_MARGINALIZED_VALUES.get(key, [])}
        DimensionValue.objects.bulk_create(
            [
                DimensionValue(
                    dimension=dimension,
                    label=str(label),
                    position=i,
                    often_marginalized=str(label) in marginalized,
                )
                for i, label in enumerate(labels)
            ]
        )
        created.append(dimension)
    for dimension in created:
        if dimension.source != EquityDimension.Source.CUSTOM:
            dimension_resync(dimension=dimension)
    return created


def dimension_resync(*, dimension: EquityDimension) -> None:
    """Re-derive a role or school dimension's values for every participant of the campaign."""
    if dimension.source == EquityDimension.Source.CUSTOM:
        return
    values = {dimension.pk: list(dimension.values.all())}
    source_field = "role" if dimension.source == EquityDimension.Source.ROLE else "school"
    by_key = {}
    participants = Participant.objects.filter(campaign_id=dimension.campaign_id)
    for key in participants.values_list(source_field, flat=True).distinct():
        probe = Participant(role=key) if source_field == "role" else Participant(school=key)
        by_key[key] = _builtin_value(dimension, probe, values)
    ParticipantValue.objects.filter(dimension=dimension).delete()
    links = [
        ParticipantValue(participant_id=pk, dimension=dimension, value=by_key[key])
        for pk, key in participants.values_list("pk", source_field)
        if by_key.get(key) is not None
    ]
    ParticipantValue.objects.bulk_create(links, batch_size=1000)


@transaction.atomic
def dimension_save(
    *, dimension: EquityDimension, values: list[DimensionValue], deleted_values: list[DimensionValue], by, request=None
) -> EquityDimension:
    """Save a dimension with its values (as the dimension form and its value formset give them).

    A deleted value takes every participant's link to it along: audited, with the labels."""
    created = dimension.pk is None
    if created:
        dimension.position = EquityDimension.objects.filter(campaign_id=dimension.campaign_id).count()
    dimension.save()
    for position, value in enumerate(values):
        value.dimension = dimension
        value.position = value.position or position
        value.save()
    removed = [(value.label, ParticipantValue.objects.filter(value_id=value.pk).count()) for value in deleted_values]
    for value in deleted_values:
        value.delete()
    dimension_resync(dimension=dimension)
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE if removed else AuditEvent.Action.SETTINGS_CHANGE,
        campaign=dimension.campaign,
        target=dimension,
        detail={
            "what": "dimension added" if created else "dimension changed",
            "values_deleted": [{"label": label, "participant_values": n} for label, n in removed],
        },
        request=request,
    )
    return dimension


@transaction.atomic
def dimension_delete(*, dimension: EquityDimension, by, request=None) -> int:
    """Delete a dimension with its values and every participant's value in it. Audited.
    Returns how many participant values went."""
    used = ParticipantValue.objects.filter(dimension=dimension).count()
    campaign, name, pk = dimension.campaign, dimension.name, dimension.pk
    dimension.delete()
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        campaign=campaign,
        target_repr=name,
        detail={"what": "dimension", "dimension": pk, "name": name, "participant_values": used},
        request=request,
    )
    return used


@transaction.atomic
def priority_group_save(*, group: PriorityGroup, values, by, request=None) -> PriorityGroup:
    created = group.pk is None
    group.save()
    group.values.set(values)
    audit_record(
        actor=by,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=group.campaign,
        target=group,
        detail={
            "what": "priority group added" if created else "priority group changed",
            "role": group.role,
            "values": sorted(v.pk for v in values),
            "target": group.target,
        },
        request=request,
    )
    return group


@transaction.atomic
def priority_group_delete(*, group: PriorityGroup, by, request=None) -> None:
    campaign, name, pk, target = group.campaign, group.name, group.pk, group.target
    group.delete()
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        campaign=campaign,
        target_repr=name,
        detail={"what": "priority group", "group": pk, "name": name, "target": target},
        request=request,
    )


# --- Selection rule and the synthesis gate ----------------------------------------------------


def recent_interview_days(campaign: Campaign) -> int:
    """The campaign's protection period, else the district's, else the default (90 days)."""
    from .models import DEFAULT_RECENT_INTERVIEW_DAYS

    rules = SelectionRule.objects.filter(campaign=campaign)
    if campaign.district_id:
        rules = rules | SelectionRule.objects.filter(district_id=campaign.district_id)
    chosen = {("campaign" if r.campaign_id else "district"): r.recent_interview_days for r in rules}
    return chosen.get("campaign") or chosen.get("district") or DEFAULT_RECENT_INTERVIEW_DAYS


def selection_rule_set(*, campaign: Campaign, days: int, by, request=None) -> SelectionRule:
    rule, _created = SelectionRule.objects.update_or_create(campaign=campaign, defaults={"recent_interview_days": days})
    audit_record(
        actor=by,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=campaign,
        target=campaign,
        detail={"recent_interview_days": days},
        request=request,
    )
    return rule


@dataclass
class UnmetTarget:
    group: PriorityGroup
    interviewed: int

    @property
    def missing(self) -> int:
        return max(self.group.target - self.interviewed, 0)

    def as_dict(self) -> dict:
        return {
            "group_id": self.group.pk,
            "group": self.group.name,
            "target": self.group.target,
            "interviewed": self.interviewed,
        }

    def covered_by(self, snapshot: list[dict]) -> bool:
        """The override's snapshot names this group, unmet then with the same or a higher target.

        Snapshots from before group ids were stored match by name."""
        for entry in snapshot:
            same = (
                entry.get("group_id") == self.group.pk if "group_id" in entry else entry.get("group") == self.group.name
            )
            if same and self.group.target <= entry.get("target", 0):
                return True
        return False


def synthesis_gate(campaign: Campaign) -> list[UnmetTarget]:
    """The priority-group targets not met yet (interviews per group below its target)."""
    from .selectors import priority_progress

    return [UnmetTarget(row.group, row.interviewed) for row in priority_progress(campaign) if not row.met]


def synthesis_blockers(campaign: Campaign) -> list[UnmetTarget]:
    """What stops the campaign moving to synthesizing: the unmet targets the latest override does
    not cover. An override covers the groups unmet when it was recorded (a group added or a
    target raised since then blocks again)."""
    unmet = synthesis_gate(campaign)
    if not unmet:
        return []
    latest = campaign.target_overrides.order_by("-created_at", "-id").first()
    if latest is None:
        return unmet
    return [u for u in unmet if not u.covered_by(latest.unmet or [])]


@transaction.atomic
def campaign_override_record(*, campaign: Campaign, reason: str, by, request=None) -> TargetOverride:
    """A lead records why the campaign may move to synthesis with targets unmet. Audited."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the targets may be left unmet."))
    unmet = [u.as_dict() for u in synthesis_gate(campaign)]
    if not unmet:
        raise ValidationError(_("Every priority target is met: there is nothing to override."), code="nothing_unmet")
    override = TargetOverride.objects.create(campaign=campaign, reason=reason, unmet=unmet, by=_user_or_none(by))
    audit_record(
        actor=by,
        action=AuditEvent.Action.OVERRIDE,
        campaign=campaign,
        target=override,
        target_repr=_("Priority targets override"),
        detail={"reason": reason, "unmet": unmet},
        request=request,
    )
    return override
