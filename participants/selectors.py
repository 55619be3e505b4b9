"""Reads that combine several tables: coverage, priority-group progress, next invitations.

Every function here runs a fixed number of queries whatever the number of participants: the
counting is done by the database (GROUP BY / filtered COUNT), never by looping over rows.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from consent.models import ConsentRecord
from consent.selectors import withdrawn_participant_ids

from .models import DimensionValue, EquityDimension, Participant, ParticipantValue, PriorityGroup, StatusChange

# A group is under-heard when its share of interviews is this many points below its population
# share, or less than half of it.
UNDER_HEARD_POINTS = 5
MARGINALIZED_WEIGHT = 1.5
IMPACTED_BONUS = 10
NOT_USUALLY_ASKED_BONUS = 5

_INVITED = ~Q(status=Participant.Status.NOMINATED)
_PIPELINE = Q(status__in=Participant.PIPELINE_STATUSES)
_INTERVIEWED = Q(status=Participant.Status.INTERVIEWED)


def counted_participants(campaign):
    """The campaign's participants that coverage and targets count: not those who withdrew.

    A withdrawal record wins over the status (consent.selectors), so someone withdrawn is
    never counted again, even if their status was once moved back. One lazy subquery."""
    return Participant.objects.filter(campaign=campaign).exclude(pk__in=withdrawn_participant_ids(campaign))


def _share(count: int, total: int) -> float | None:
    return None if not total else round(100 * count / total, 1)


@dataclass
class ValueCoverage:
    value: object  # DimensionValue, or None for "not recorded"
    label: str
    population_share: float | None
    invited: int
    interviewed: int
    pipeline: int
    invited_share: float | None
    interviewed_share: float | None
    pipeline_share: float | None
    interviewed_total: int = 0  # the denominator of interviewed_share

    @property
    def marginalized(self) -> bool:
        return bool(self.value is not None and self.value.often_marginalized)

    @property
    def gap(self) -> float | None:
        """Interviewed share minus population share, in points (negative: under-heard)."""
        if self.population_share is None or self.interviewed_share is None:
            return None
        return round(self.interviewed_share - self.population_share, 1)

    @property
    def under_heard(self) -> bool:
        """Interviews fall short of the group's share by more than 5 points (or by more than half),
        and by at least one whole interview: with 12 interviews, a 1% group is not "missing"."""
        if self.value is None or not self.population_share or self.interviewed_share is None:
            return False
        expected = self.population_share * self.interviewed_total / 100
        if expected - self.interviewed < 1:
            return False
        return (
            self.interviewed_share < self.population_share - UNDER_HEARD_POINTS
            or self.interviewed_share < self.population_share / 2
        )

    @property
    def ranking_gap(self) -> float:
        """How far the people we expect to hear (the pipeline) fall short of the population share."""
        if not self.population_share:
            return 0.0
        return max(self.population_share - (self.pipeline_share or 0.0), 0.0)


@dataclass
class DimensionCoverage:
    dimension: EquityDimension
    rows: list[ValueCoverage] = field(default_factory=list)
    share_total: float | None = None
    recorded: dict = field(default_factory=dict)  # people with a recorded value: invited, interviewed, pipeline

    @property
    def shares_complete(self) -> bool:
        return self.share_total is not None and abs(self.share_total - 100) < 0.05

    @property
    def under_heard(self) -> list[ValueCoverage]:
        return [row for row in self.rows if row.under_heard]


@dataclass
class Coverage:
    dimensions: list[DimensionCoverage]
    total: int
    invited: int
    interviewed: int
    pipeline: int

    @property
    def under_heard(self) -> list[tuple[DimensionCoverage, ValueCoverage]]:
        """Under-heard groups, often-marginalized dimensions first, then the widest gap first."""
        found = [(d, row) for d in self.dimensions for row in d.under_heard]
        return sorted(
            found,
            key=lambda pair: (not pair[1].marginalized, not pair[0].dimension.often_marginalized, pair[1].gap),
        )

    def weights(self) -> dict[int, float]:
        """value id → how much adding one person with that value helps close the gaps.

        The pipeline gap in points, ×1.5 for often-marginalized groups (the value's flag, or the
        dimension's when none of its values is flagged).
        """
        weights = {}
        for d in self.dimensions:
            flagged_values = any(row.value is not None and row.value.often_marginalized for row in d.rows)
            for row in d.rows:
                if row.value is None or row.ranking_gap <= 0:
                    continue
                marginalized = row.value.often_marginalized or (d.dimension.often_marginalized and not flagged_values)
                factor = MARGINALIZED_WEIGHT if marginalized else 1.0
                weights[row.value.pk] = round(row.ranking_gap * factor, 2)
        return weights


def coverage(campaign) -> Coverage:
    """Population share vs. invited vs. interviewed share for every dimension value.

    Queries: dimensions, their values (prefetch), and coverage_counts (one query when cached).
    """
    dimensions = list(campaign.dimensions.prefetch_related("values"))
    totals, counts = coverage_counts(campaign)
    result = []
    for dimension in dimensions:
        counted = [(value, counts.get(value.pk, _ZERO)) for value in dimension.values.all()]
        # Shares are among the people whose value in this dimension is recorded: population
        # shares describe the group the dimension is about (e.g. students, for "English learner").
        recorded = {key: sum(c[key] for _v, c in counted) for key in _ZERO}
        rows = [_row(value, value.label, value.population_share, c, recorded) for value, c in counted]
        missing = {key: totals[key] - recorded[key] for key in _ZERO}
        if any(missing.values()):
            # Not recorded: its share of everyone, so the reader sees how much is unknown.
            rows.append(_row(None, _("Not recorded"), None, missing, totals))
        shares = [v.population_share for v in dimension.values.all() if v.population_share is not None]
        share_total = float(sum(shares, Decimal(0))) if shares else None
        result.append(DimensionCoverage(dimension=dimension, rows=rows, share_total=share_total, recorded=recorded))
    return Coverage(
        dimensions=result,
        total=totals["total"],
        invited=totals["invited"],
        interviewed=totals["interviewed"],
        pipeline=totals["pipeline"],
    )


# A bound on a rare race: ids and `updated_at` are given before commit, so two writes committing
# out of order around a page view can leave the key unchanged; the counts are then recomputed
# within this many seconds anyway.
COUNTS_CACHE_SECONDS = 300


def coverage_counts(campaign) -> tuple[dict, dict]:
    """(campaign totals, {value id: counts}) of the people coverage counts (not withdrawn).

    Counting every value of every invited person takes tens of milliseconds in a campaign of
    thousands, and the coverage, next-invitations and overview pages ask on every view. The
    counts are cached under a key that changes with everything they depend on
    (`_counts_inputs`), so a change shows on the next view; otherwise two aggregate queries.
    """
    key = f"participants:coverage-counts:{campaign.pk}:{_counts_inputs(campaign)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    totals = counted_participants(campaign).aggregate(
        total=Count("pk"),
        invited=Count("pk", filter=_INVITED),
        interviewed=Count("pk", filter=_INTERVIEWED),
        pipeline=Count("pk", filter=_PIPELINE),
    )
    # Every count is of invited people, so the nominated (often the largest share of a big
    # campaign) are filtered out before the join instead of being counted as zeros.
    counts = {
        row.pop("value_id"): row
        for row in ParticipantValue.objects.filter(
            participant__campaign=campaign, participant__status__in=_invited_statuses()
        )
        .exclude(participant_id__in=withdrawn_participant_ids(campaign))
        .values("value_id")
        .order_by()
        .annotate(
            invited=Count("pk"),
            interviewed=Count("pk", filter=Q(participant__status=Participant.Status.INTERVIEWED)),
            pipeline=Count("pk", filter=Q(participant__status__in=Participant.PIPELINE_STATUSES)),
        )
    }
    cache.set(key, (totals, counts), COUNTS_CACHE_SECONDS)
    return totals, counts


def _counts_inputs(campaign) -> str:
    """A fingerprint of what the coverage counts are computed from, read in one cheap query
    (`counts_inputs_annotations`, `counts_inputs_key`)."""
    row = Campaign.objects.filter(pk=campaign.pk).annotate(**counts_inputs_annotations()).values(*COUNTS_INPUTS).get()
    return counts_inputs_key(row)


COUNTS_INPUTS = ("people", "people_updated", "newest_value", "newest_status", "newest_consent")


def counts_inputs_annotations() -> dict:
    """Annotations of a Campaign queryset that together change whenever counts of its
    participants by status, group or consent could change (so a page can read them with its
    own query and key a cache on `counts_inputs_key`):

    - the campaign's participants: how many, and the latest `updated_at` (every status change
      goes through participants.services.participant_set_status, which saves it);
    - the newest participant value, status change and consent record anywhere (values are
      replaced by delete + insert, so a new one has a higher id; a withdrawal is a new consent
      record). These are index lookups of the maximum id; a change in another campaign only
      costs this one a recount.
    """
    participants = Participant.objects.filter(campaign=OuterRef("pk")).order_by().values("campaign")
    return {
        "people": Subquery(participants.annotate(n=Count("*")).values("n")),
        "people_updated": Subquery(participants.annotate(latest=Max("updated_at")).values("latest")),
        **{
            name: Subquery(model.objects.order_by("-pk").values("pk")[:1])
            for name, model in (
                ("newest_value", ParticipantValue),
                ("newest_status", StatusChange),
                ("newest_consent", ConsentRecord),
            )
        },
    }


def counts_inputs_key(row: dict) -> str:
    parts = (row[name] for name in COUNTS_INPUTS)
    return ":".join(str(part.timestamp() if hasattr(part, "timestamp") else part) for part in parts)


def _invited_statuses():
    return [s for s in Participant.Status.values if s != Participant.Status.NOMINATED]


_ZERO = {"invited": 0, "interviewed": 0, "pipeline": 0}


def _row(value, label, population_share, c, totals) -> ValueCoverage:
    return ValueCoverage(
        value=value,
        label=label,
        population_share=float(population_share) if population_share is not None else None,
        invited=c["invited"],
        interviewed=c["interviewed"],
        pipeline=c["pipeline"],
        invited_share=_share(c["invited"], totals["invited"]),
        interviewed_share=_share(c["interviewed"], totals["interviewed"]),
        pipeline_share=_share(c["pipeline"], totals["pipeline"]),
        interviewed_total=totals["interviewed"],
    )


# --- Priority groups --------------------------------------------------------------------------


@dataclass
class GroupProgress:
    group: PriorityGroup
    interviewed: int
    pipeline: int

    @property
    def met(self) -> bool:
        return self.interviewed >= self.group.target

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.interviewed / self.group.target)) if self.group.target else 100


def priority_group_q(group: PriorityGroup) -> Q:
    """Participants in the group: its role (if set) and, per dimension, one of its values."""
    q = Q()
    if group.role:
        q &= Q(role=group.role)
    by_dimension = {}
    for value in group.values.all():
        by_dimension.setdefault(value.dimension_id, []).append(value.pk)
    for value_ids in by_dimension.values():
        q &= Q(Exists(ParticipantValue.objects.filter(participant_id=OuterRef("pk"), value_id__in=value_ids)))
    return q


def priority_progress(campaign) -> list[GroupProgress]:
    """Each priority group with its interviews so far. Queries: groups, their values, one aggregate."""
    groups = list(
        PriorityGroup.objects.filter(campaign=campaign).prefetch_related(
            Prefetch("values", queryset=DimensionValue.objects.select_related("dimension"))
        )
    )
    if not groups:
        return []
    aggregates = {}
    for group in groups:
        q = priority_group_q(group)
        aggregates[f"i{group.pk}"] = Count("pk", filter=q & _INTERVIEWED)
        aggregates[f"p{group.pk}"] = Count("pk", filter=q & _PIPELINE)
    counts = counted_participants(campaign).aggregate(**aggregates)
    return [GroupProgress(g, counts[f"i{g.pk}"], counts[f"p{g.pk}"]) for g in groups]


# --- Next invitations -------------------------------------------------------------------------


def next_invitations(campaign, membership, cov: Coverage, days: int):
    """Nominated people ranked by how much they would close the coverage gaps if interviewed.

    Score = Σ over their values of (population share − pipeline share, in points; ×1.5 for
    often-marginalized dimensions) + 10 if most directly impacted + 5 if not usually asked.
    People interviewed elsewhere in the district in the last `days` days sort last, flagged.
    One query (the score is a subquery), plus the caller's pagination and prefetches.
    """
    weights = cov.weights()
    qs = (
        Participant.objects.visible_to(membership)
        .nominated()
        .exclude(pk__in=withdrawn_participant_ids(campaign))
        .with_history(days)
    )
    if weights:
        score = Subquery(
            ParticipantValue.objects.filter(participant_id=OuterRef("pk"))
            .order_by()
            .values("participant_id")
            .annotate(
                s=Sum(
                    Case(
                        *[When(value_id=pk, then=Value(w)) for pk, w in weights.items()],
                        default=Value(0.0),
                        output_field=FloatField(),
                    )
                )
            )
            .values("s")[:1],
            output_field=FloatField(),
        )
    else:
        score = Value(0.0, output_field=FloatField())
    bonus = Case(When(most_directly_impacted=True, then=Value(IMPACTED_BONUS)), default=Value(0)) + Case(
        When(
            Q(not_usually_asked=True) | Q(earlier_interviews=0) | Q(earlier_interviews__isnull=True),
            then=Value(NOT_USUALLY_ASKED_BONUS),
        ),
        default=Value(0),
        output_field=IntegerField(),
    )
    return (
        qs.annotate(gap_score=Coalesce(score, Value(0.0)), bonus=bonus)
        .annotate(score=ExpressionWrapper(F("gap_score") + F("bonus"), output_field=FloatField()))
        .order_by("recently_interviewed", "-score", "number")
    )


def explain_score(participant, weights: dict[int, float], labels: dict[int, str]) -> list[tuple[str, float]]:
    """Which gaps this person helps close, for the page: [(label, points)], biggest first."""
    parts = [
        (labels[link.value_id], weights[link.value_id])
        for link in participant.dimension_values.all()
        if link.value_id in weights
    ]
    if participant.most_directly_impacted:
        parts.append((_("Most directly impacted"), IMPACTED_BONUS))
    if participant.not_usually_asked or not participant.earlier_interviews:
        parts.append((_("Not usually asked"), NOT_USUALLY_ASKED_BONUS))
    return sorted(parts, key=lambda p: -p[1])
