"""Demo participants: the attendance campaign's selection, with dimensions, shares and a priority group.

Idempotent: a campaign that already has participants is left alone.
"""

import random
from datetime import timedelta

from django.utils import timezone

from .models import DimensionValue, EquityDimension, Participant, PriorityGroup, StatusChange
from .services import (
    dimension_resync,
    dimensions_add_starter_set,
    participant_create,
    participant_set_status,
    participant_update,
)

SCHOOLS = ["Lincoln Elementary", "Riverside Middle", "Eastside High"]
SHARES = {
    "role": {"Student": 45, "Family member": 35, "Teacher": 10, "Staff": 5, "Community member": 5, "Other": 0},
    "race_ethnicity": {
        "American Indian or Alaska Native": 2,
        "Asian": 14,
        "Black or African American": 17,
        "Hispanic or Latino": 41,
        "Native Hawaiian or Pacific Islander": 1,
        "White": 20,
        "Two or more races": 5,
    },
    "english_learner": {"Yes": 18, "No": 82},
    "iep": {"IEP or 504 plan": 14, "None": 86},
    "income": {"Free or reduced lunch": 64, "Not eligible": 36},
    "housing": {"Stable": 91, "Temporary or unstable": 9},
    "home_language": {"English": 52, "Spanish": 30, "Vietnamese": 12, "Other": 6},
}
FIRST = [
    "Maria", "Tuan", "Aaliyah", "Jose", "Linh", "DeShawn", "Sofia", "Minh", "Keisha", "Luis", "Hoa", "Jamal",
    "Ana", "Bao", "Imani", "Carlos", "Mai", "Tyrone", "Elena", "Quang", "Ruth", "Omar", "Grace", "Diego",
]  # fmt: skip
LAST = ["Garcia", "Nguyen", "Johnson", "Lopez", "Tran", "Williams", "Hernandez", "Pham", "Brown", "Martinez"]
ROLES = ["student"] * 16 + ["family"] * 14 + ["teacher"] * 5 + ["staff"] * 3 + ["community"] * 2
EARLIER_PEOPLE = [
    ("Rosa Delgado", "rosa.delgado@example.net", 40),
    ("Thanh Vo", "thanh.vo@example.net", 200),
    ("Patricia Moore", "patricia.moore@example.net", 25),
]
STATUS_PLAN = ["interviewed"] * 12 + ["scheduled"] * 4 + ["consented"] * 3 + ["invited"] * 6 + ["declined"] * 2


def load(campaigns, users):
    by_slug = {c.slug: c for c in campaigns}
    earlier = by_slug.get("family-engagement")
    attendance = by_slug.get("attendance-policy")
    if earlier is not None and not earlier.participants.exists():
        _earlier_campaign(earlier, users)
    if attendance is not None and not attendance.participants.exists():
        _attendance(attendance, users)


def _email(first, last, n):
    return f"{first.lower()}.{last.lower()}{n}@example.net"


def _earlier_campaign(campaign, users):
    """A few people interviewed earlier this year in the district: recognised in the attendance campaign."""
    for name, email, days_ago in EARLIER_PEOPLE:
        p = participant_create(
            campaign=campaign,
            by=users["lead"],
            full_name=name,
            email=email,
            role="family",
            school="Riverside Middle",
            preferred_language="en",
        )
        participant_set_status(participant=p, status="interviewed", by=users["lead"])
        when = timezone.now() - timedelta(days=days_ago)
        Participant.objects.filter(pk=p.pk).update(interviewed_at=when, status_changed_at=when)
        StatusChange.objects.filter(participant=p, to_status="interviewed").update(created_at=when)


def _attendance(campaign, users):
    rng = random.Random(42)
    dimensions_add_starter_set(campaign=campaign)
    school = EquityDimension.objects.create(
        campaign=campaign, name="School", key="school", source=EquityDimension.Source.SCHOOL, position=1
    )
    for i, (name, share) in enumerate(zip(SCHOOLS, [30, 35, 35], strict=True)):
        DimensionValue.objects.create(dimension=school, label=name, population_share=share, position=i)
    for key, shares in SHARES.items():
        for value in DimensionValue.objects.filter(dimension__campaign=campaign, dimension__key=key):
            if value.label in shares:
                value.population_share = shares[value.label]
                value.save(update_fields=["population_share"])
    values = {
        d.key: {v.label: v for v in d.values.all()}
        for d in campaign.dimensions.filter(source=EquityDimension.Source.CUSTOM).prefetch_related("values")
    }
    dims = {d.key: d for d in campaign.dimensions.all()}

    def pick(key, weights):
        labels = list(weights)
        return values[key][rng.choices(labels, weights=[weights[label] or 0.5 for label in labels])[0]]

    statuses = STATUS_PLAN + ["nominated"] * (len(ROLES) - len(STATUS_PLAN))
    rng.shuffle(statuses)
    for i, role in enumerate(ROLES):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        # The first two share an email with people interviewed in the family-engagement campaign.
        email = _email(first, last, i) if role != "student" or i % 3 else ""
        is_student = role == "student"
        # Interviewed so far: skewed towards English speakers, as first rounds often are.
        interviewed = statuses[i] == "interviewed"
        chosen = {
            dims["race_ethnicity"].pk: pick("race_ethnicity", SHARES["race_ethnicity"]),
            dims["english_learner"].pk: values["english_learner"][
                rng.choice(["Yes", "No", "No", "No"]) if interviewed else rng.choice(["Yes", "No"])
            ],
            dims["iep"].pk: pick("iep", SHARES["iep"]),
            dims["income"].pk: pick("income", SHARES["income"]),
            dims["housing"].pk: values["housing"]["Stable" if interviewed or i % 5 else "Temporary or unstable"],
            dims["home_language"].pk: values["home_language"][
                "English" if interviewed and i % 4 else rng.choice(["English", "Spanish", "Vietnamese", "Other"])
            ],
        }
        if role in ("teacher", "staff"):
            chosen = {k: v for k, v in chosen.items() if k in (dims["race_ethnicity"].pk,)}
        p = participant_create(
            campaign=campaign,
            by=users["lead"],
            values=chosen,
            full_name=f"{first} {last}",
            email=email,
            phone=f"555-01{i:02d}",
            role=role,
            school=SCHOOLS[i % 3],
            grade=str(3 + i % 10) if is_student else "",
            preferred_language={"Spanish": "es", "Vietnamese": "vi"}.get(
                chosen.get(dims["home_language"].pk, values["home_language"]["English"]).label, "en"
            ),
            is_minor=is_student,
            most_directly_impacted=role in ("student", "family") and i % 3 != 1,
            not_usually_asked=role == "family" and i % 2 == 0,
            note="Nominated by the attendance clerk." if i % 6 == 0 else "",
        )
        path = {
            "invited": ["invited"],
            "consented": ["invited", "consented"],
            "scheduled": ["invited", "consented", "scheduled"],
            "interviewed": ["invited", "consented", "scheduled", "interviewed"],
            "declined": ["invited", "declined"],
            "nominated": [],
        }[statuses[i]]
        for step in path:
            participant_set_status(participant=p, status=step, by=users["lead"])
        if i % 3 == 0:
            p.assigned_interviewers.add(users["interviewer"])
    # Two nominated people took part in the family-engagement campaign: one recently, one long ago.
    nominated = list(campaign.participants.filter(status="nominated").order_by("-number")[:2])
    for participant, (name, email, _days) in zip(nominated, EARLIER_PEOPLE[:2], strict=False):
        participant_update(participant=participant, by=users["lead"], full_name=name, email=email)
    for d in campaign.dimensions.exclude(source=EquityDimension.Source.CUSTOM):
        dimension_resync(dimension=d)
    group = PriorityGroup.objects.create(
        campaign=campaign, name="Families of English learners", role="family", target=8
    )
    group.values.add(values["english_learner"]["Yes"])
    group = PriorityGroup.objects.create(
        campaign=campaign, name="Students in temporary housing", role="student", target=4
    )
    group.values.add(values["housing"]["Temporary or unstable"])
