"""Reads that enforce participants' consent. Every app that touches a participant's words uses these.

The contract for the apps built on top of consent (interviews, notes, synthesis, search, exports):

- Before an interview starts or a note is saved for a participant, call
  ``consent.services.require_consent(participant)``. It raises ``ValidationError`` with a plain
  message saying what is missing (no consent; a minor's guardian consent or own assent; a
  withdrawal). ``has_current_consent(participant) -> bool`` is the same rule as a boolean.
- Wherever a participant's words are listed, counted, searched, reported or exported, drop the
  withdrawn: ``exclude_withdrawn(queryset, "participant")`` (or ``"note__participant"``, …), or
  filter with ``withdrawn_participant_ids()`` / ``withdrawn_participant_ids(campaign)``, a lazy
  subquery (one SQL statement, no extra query). A withdrawal takes effect at once.
- Wherever words leave the product (reports, exports), apply the participant's scopes:
  ``consent_scopes(participant)`` or, for many at once, ``scopes_by_participant(ids)`` give
  ``may_quote``, ``attribution`` ("none" or "role") and ``may_recontact``. For a minor the
  scopes are the most restrictive of the guardian's consent and the student's own assent.

Participant links are made for someone (``ParticipantLink.recipient``): ``link_kinds(link)`` says
what a link may record — an adult's own consent on their link; for a minor, the guardian's consent
on the guardian's link and only the student's assent on the student's.

For the participants app: ``has_any_consent_record(participant)`` — once it is True, changing
``is_minor`` changes which agreements count, so it must be lead-only and audited.
``retention_passed(campaign)`` — True from the campaign's retention date on: identifying data
added after it is removed at the next hourly scan, so refuse to take it in the first place.

The rule for "current consent": no withdrawal, and the latest agreement of each kind the
participant needs — an adult's own consent; for a minor (``Participant.is_minor``) both a
guardian's consent and the student's assent. A newer agreement of a kind replaces an older one.
"""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import ConsentRecord

Kind = ConsentRecord.Kind
WITHDRAWN = "withdrawn"  # Participant.Status.WITHDRAWN


def required_kinds(participant) -> tuple[str, ...]:
    return (Kind.GUARDIAN, Kind.ASSENT) if participant.is_minor else (Kind.CONSENT,)


def link_kinds(link) -> tuple[str, ...]:
    """The agreements this participant link may record, by whom it was made for.

    An adult's own link: their consent. A minor's own link: their assent only — the guardian's
    consent comes through the guardian's link (or is recorded by staff), never from the student.
    A guardian's link: the guardian's consent only (nothing, if the participant is an adult).
    """
    from .models import ParticipantLink

    if link.recipient == ParticipantLink.Recipient.GUARDIAN:
        return (Kind.GUARDIAN,) if link.participant.is_minor else ()
    return (Kind.ASSENT,) if link.participant.is_minor else (Kind.CONSENT,)


def has_any_consent_record(participant) -> bool:
    """True once anything was recorded for the participant (an agreement or a withdrawal).

    From then on `is_minor` decides which of their records count: the participants app must let
    only a lead change it, and audit the change."""
    return ConsentRecord.objects.filter(participant_id=participant.pk).exists()


def retention_passed(campaign, today=None) -> bool:
    """True once the campaign's retention date (the earliest any statement promised) has come."""
    from django.db.models import Min
    from django.utils import timezone

    retain_until = campaign.transparency_statements.aggregate(d=Min("retain_until"))["d"]
    return retain_until is not None and (today or timezone.localdate()) >= retain_until


@dataclass(frozen=True)
class Scopes:
    may_quote: bool = False
    attribution: str = ConsentRecord.Attribution.NONE
    may_recontact: bool = False

    @classmethod
    def most_restrictive(cls, records) -> "Scopes":
        records = list(records)
        if not records:
            return cls()
        return cls(
            may_quote=all(r.may_quote for r in records),
            attribution=ConsentRecord.Attribution.ROLE
            if all(r.attribution == ConsentRecord.Attribution.ROLE for r in records)
            else ConsentRecord.Attribution.NONE,
            may_recontact=all(r.may_recontact for r in records),
        )


@dataclass
class ConsentStatus:
    """Where one participant stands: what they agreed to, what is missing, whether they withdrew."""

    STATES = {
        "complete": _("Consented"),
        "partial": _("Incomplete"),
        "none": _("No consent"),
        "withdrawn": _("Withdrawn"),
    }

    participant: object
    latest: dict = field(default_factory=dict)  # kind → newest ConsentRecord
    withdrawal: ConsentRecord | None = None

    @property
    def withdrawn(self) -> bool:
        # A withdrawal record, or the participant's status set to withdrawn some other way.
        return self.withdrawal is not None or getattr(self.participant, "status", None) == WITHDRAWN

    @property
    def missing(self) -> list[str]:
        """The kinds still needed (empty once complete, or once withdrawn: nothing can fix it)."""
        if self.withdrawn:
            return []
        return [kind for kind in required_kinds(self.participant) if kind not in self.latest]

    @property
    def missing_labels(self) -> list[str]:
        return [Kind(kind).label for kind in self.missing]

    @property
    def is_current(self) -> bool:
        return not self.withdrawn and not self.missing

    @property
    def state(self) -> str:
        if self.withdrawn:
            return "withdrawn"
        if not self.missing:
            return "complete"
        if any(kind in self.latest for kind in required_kinds(self.participant)):
            return "partial"
        return "none"

    @property
    def state_label(self):
        return self.STATES[self.state]

    @property
    def scopes(self) -> Scopes:
        if not self.is_current:
            return Scopes()
        return Scopes.most_restrictive(self.latest[kind] for kind in required_kinds(self.participant))


def status_from_records(participant, records) -> ConsentStatus:
    """The consent status `records` add up to: the rule every reader shares.

    `records` are the participant's consent records newest first (the model's ordering); any
    objects with `kind`, `may_quote`, `attribution` and `may_recontact` will do, so a caller
    reading many participants at once can pass plain values (exports.tables does)."""
    status = ConsentStatus(participant=participant)
    for record in records:
        if record.kind == Kind.WITHDRAWAL:
            status.withdrawal = status.withdrawal or record
        else:
            status.latest.setdefault(record.kind, record)
    return status


def consent_status(participant) -> ConsentStatus:
    """One query (or none, when `consents` was prefetched newest first)."""
    return status_from_records(participant, participant.consents.all())


def consent_statuses(participants) -> dict[int, ConsentStatus]:
    """Statuses for many participants in one query: {participant id: ConsentStatus}."""
    participants = list(participants)
    by_id = {p.pk: [] for p in participants}
    for record in ConsentRecord.objects.filter(participant__in=by_id.keys()).select_related("form"):
        by_id[record.participant_id].append(record)
    return {p.pk: status_from_records(p, by_id[p.pk]) for p in participants}


def has_current_consent(participant) -> bool:
    """True when the participant may be interviewed and their notes kept (see the module doc)."""
    return consent_status(participant).is_current


def consent_scopes(participant) -> Scopes:
    """What may be done with this participant's words outside the product (nothing, if no consent)."""
    return consent_status(participant).scopes


def scopes_by_participant(participant_ids) -> dict[int, Scopes]:
    """{participant id: Scopes} for many participants in two queries."""
    from participants.models import Participant

    participants = Participant.objects.filter(pk__in=list(participant_ids)).only(
        "pk", "is_minor", "status", "campaign_id"
    )
    return {pk: status.scopes for pk, status in consent_statuses(participants).items()}


def _withdrawn_q() -> Q:
    """A participant withdrew: a withdrawal record (kept even if the status is later changed),
    or the status set to withdrawn (e.g. from the participants page) — either is enough."""
    return Q(status=WITHDRAWN) | Q(Exists(ConsentRecord.objects.withdrawals().filter(participant_id=OuterRef("pk"))))


def _withdrawal_record_participant_ids() -> QuerySet:
    # Served by the partial index consent_withdrawals: a small, uncorrelated subquery.
    return ConsentRecord.objects.withdrawals().values("participant_id")


def withdrawn_participant_ids(campaign=None) -> QuerySet:
    """Ids of participants who withdrew, as a lazy subquery (use in `__in` filters)."""
    from participants.models import Participant

    participants = Participant.objects.filter(Q(status=WITHDRAWN) | Q(pk__in=_withdrawal_record_participant_ids()))
    if campaign is not None:
        participants = participants.filter(campaign=campaign)
    return participants.values("pk")


def exclude_withdrawn(queryset: QuerySet, participant_path: str = "participant") -> QuerySet:
    """`queryset` without rows belonging to withdrawn participants.

    `participant_path` is the lookup from the queryset's model to the participant, e.g.
    "participant" for Interview, "interview__participant" for Note, "pk" for Participant.
    Rows with no participant are kept.
    """
    status = "status" if participant_path in ("pk", "id") else f"{participant_path}__status"
    return queryset.exclude(
        Q(**{f"{participant_path}__in": _withdrawal_record_participant_ids()}) | Q(**{status: WITHDRAWN})
    )


def with_consent_flags(participants: QuerySet) -> QuerySet:
    """Annotate has_consent / has_guardian / has_assent / is_withdrawn (one subquery each).

    Used to filter and count by consent state in SQL, without loading records.
    """
    records = ConsentRecord.objects.filter(participant_id=OuterRef("pk"))
    return participants.annotate(
        has_consent=Exists(records.filter(kind=Kind.CONSENT)),
        has_guardian=Exists(records.filter(kind=Kind.GUARDIAN)),
        has_assent=Exists(records.filter(kind=Kind.ASSENT)),
        is_withdrawn=ExpressionWrapper(_withdrawn_q(), output_field=BooleanField()),
    )


def filter_by_consent_state(participants: QuerySet, state: str) -> QuerySet:
    """Filter participants annotated by `with_consent_flags` to one state (see ConsentStatus.STATES),
    or to "missing_guardian" / "missing_assent" (minors lacking that one)."""
    adult_ok = Q(is_minor=False, has_consent=True)
    minor_ok = Q(is_minor=True, has_guardian=True, has_assent=True)
    not_withdrawn = Q(is_withdrawn=False)
    if state == "withdrawn":
        return participants.filter(is_withdrawn=True)
    if state == "complete":
        return participants.filter(not_withdrawn & (adult_ok | minor_ok))
    if state == "partial":
        return participants.filter(not_withdrawn, is_minor=True).filter(Q(has_guardian=True) ^ Q(has_assent=True))
    if state == "none":
        return participants.filter(not_withdrawn).filter(
            Q(is_minor=False, has_consent=False) | Q(is_minor=True, has_guardian=False, has_assent=False)
        )
    if state == "missing_guardian":
        return participants.filter(not_withdrawn, is_minor=True, has_guardian=False)
    if state == "missing_assent":
        return participants.filter(not_withdrawn, is_minor=True, has_assent=False)
    return participants
