"""Reproducible benchmark data: a large district campaign (and a tiny twin) in bulk inserts.

`generate_campaign(slug=..., size=SIZES["large"], seed=...)` creates one campaign and runs every
part generator in `GENERATORS`, each with its own `random.Random(f"{seed}:{part}")`, so the same
seed gives the same data and adding a part never changes the others. Each part checks that the
models it needs exist (apps land one by one) and reports "not built yet" instead of failing.

Models still being written are filled through `Builder`: the generators offer values under the
names DESIGN.md uses, and the builder keeps those the model has and fills other required columns
generically (first choice, False, 0, the base date). A required text or relation column the
generator cannot name stops that part with a message saying which one (NotReady), so the harness
tells you exactly what to teach it.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.apps import apps
from django.db import connection, models, transaction

from . import textbank as tb

BATCH = 2000
BASE_TIME = datetime(2026, 2, 2, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Size:
    name: str
    participants: int
    interviews: int
    notes: int
    highlights: int
    tags: int
    themes: int
    root_causes: int
    interviewers: int
    dimensions: int = 6


SIZES = {
    "large": Size("large", 5000, 1000, 50000, 10000, 300, 60, 40, interviewers=12),
    # Same shape, a hundredth of the rows: the query counts of every page must match the large one's.
    "tiny": Size("tiny", 60, 10, 100, 40, 12, 4, 4, interviewers=2),
}

# Six equity dimensions with the affected population's shares (percent).
DIMENSIONS = (
    (
        "Race/ethnicity",
        "race_ethnicity",
        True,
        (
            ("Hispanic or Latino", 32),
            ("White", 28),
            ("Black or African American", 18),
            ("Asian", 12),
            ("Two or more races", 6),
            ("American Indian or Alaska Native", 2),
            ("Native Hawaiian or Pacific Islander", 2),
        ),
    ),
    ("English learner", "english_learner", True, (("English learner", 18), ("Not an English learner", 82))),
    ("Disability (IEP or 504)", "disability", True, (("IEP or 504 plan", 15), ("No plan", 85))),
    ("Family income", "income", True, (("Free or reduced-price lunch", 55), ("Not eligible", 45))),
    (
        "Housing",
        "housing",
        True,
        (("Stable housing", 92), ("Temporary or shared housing", 5), ("Experiencing homelessness", 3)),
    ),
    (
        "Home language",
        "home_language",
        False,
        (("English", 62), ("Spanish", 24), ("Vietnamese", 5), ("Somali", 3), ("Arabic", 3), ("Other", 3)),
    ),
)


class NotReady(Exception):
    """The models a part needs are not there yet, or have a required column it cannot fill."""


def get_model(label: str):
    """The model `app_label.Model`, or None while its app, model or table does not exist yet."""
    app_label, name = label.split(".")
    if not any(c.label == app_label for c in apps.get_app_configs()):
        return None
    try:
        model = apps.get_model(app_label, name)
    except LookupError:
        return None
    # A model whose migration is not written yet has no table: not built yet either.
    if model._meta.db_table not in connection.introspection.table_names():
        return None
    return model


def require(*labels):
    found = [get_model(label) for label in labels]
    missing = [label for label, model in zip(labels, found, strict=True) if model is None]
    if missing:
        raise NotReady(f"not built yet ({', '.join(missing)} missing)")
    return found


_MISSING = object()


def _required(f) -> bool:
    return not (
        f.primary_key
        or f.null
        or f.has_default()
        or getattr(f, "generated", False)
        or getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
        or f.db_default is not models.NOT_PROVIDED
    )


class Builder:
    """Instances of `model` from values offered under any of several names (see module docstring).

    The first `make()` decides which of the offered names the model has (every call of one
    builder offers the same names) and raises NotReady if a required column is left unfilled.
    """

    def __init__(self, model, rng: random.Random):
        self.model, self.rng = model, rng
        self.names = None

    def _plan(self, offered):
        fields = self.model._meta.concrete_fields
        known = {f.name for f in fields} | {f.attname for f in fields}
        self.names = frozenset(n for n in offered if n in known)
        self.fill = {}
        missing = []
        for f in fields:
            if f.name in self.names or f.attname in self.names or not _required(f):
                continue
            value = self._generic(f, self.rng)
            if value is _MISSING:
                missing.append(f.name)
            else:
                self.fill[f.attname] = value
        if missing:
            label = self.model._meta.label
            raise NotReady(f"{label} needs values for {', '.join(missing)}: teach bench/generate.py")

    @staticmethod
    def _generic(f, rng):
        if f.choices:
            return f.choices[0][0]
        if isinstance(f, models.BooleanField):
            return False
        if isinstance(f, models.IntegerField | models.FloatField | models.DecimalField):
            return 0
        if isinstance(f, models.DateTimeField):
            return BASE_TIME
        if isinstance(f, models.DateField):
            return BASE_TIME.date()
        if isinstance(f, models.DurationField):
            return timedelta(minutes=45)
        if isinstance(f, models.UUIDField):
            return lambda: uuid.UUID(int=rng.getrandbits(128), version=4)
        if isinstance(f, models.JSONField):
            return dict
        if isinstance(f, models.CharField | models.TextField) and f.blank and not f.unique:
            return ""
        return _MISSING

    def make(self, **values):
        if self.names is None:
            self._plan(values)
        kwargs = {k: (v() if callable(v) else v) for k, v in self.fill.items()}
        kwargs.update((k, v) for k, v in values.items() if k in self.names)
        return self.model(**kwargs)


def choice_value(model, field_name: str, *wanted: str, rng: random.Random | None = None):
    """The first choice of `field_name` whose value contains one of `wanted` (else random or first)."""
    try:
        f = model._meta.get_field(field_name)
    except Exception:
        return None
    values = [value for value, _label in (f.choices or ())]
    for word in wanted:
        for value in values:
            if word in str(value):
                return value
    if not values:
        return wanted[0] if wanted else None
    return rng.choice(values) if rng else values[0]


def m2m_between(model, other):
    """The many-to-many field linking `model` and `other` (declared on either), as (field, a_is_source)."""
    for f in model._meta.many_to_many:
        if f.related_model is other:
            return f, True
    for f in other._meta.many_to_many:
        if f.related_model is model:
            return f, False
    return None, None


def fk_to(model, other, exclude=()):
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is other and f.name not in exclude:
            return f
    return None


def link(model, other, pairs, rng) -> int:
    """Insert (model_id, other_id) rows into their many-to-many table; returns how many, or -1 if none."""
    f, model_is_source = m2m_between(model, other)
    if f is None:
        return -1
    through = f.remote_field.through
    src, dst = f.m2m_field_name(), f.m2m_reverse_field_name()
    if not model_is_source:
        src, dst = dst, src
    builder = Builder(through, rng)
    rows = [builder.make(**{f"{src}_id": a, f"{dst}_id": b}) for a, b in pairs]
    through.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def bulk(model, rows):
    model.objects.bulk_create(rows, batch_size=BATCH)
    return rows


def spread(total: int, buckets: int, rng: random.Random, low: int = 1) -> list[int]:
    """`total` split over `buckets`, unevenly (as real interviews are) but summing exactly."""
    if buckets == 0:
        return []
    weights = [rng.uniform(0.4, 1.6) for _ in range(buckets)]
    scale = total / sum(weights)
    counts = [max(low, int(w * scale)) for w in weights]
    i = 0
    while sum(counts) != total:
        if sum(counts) < total:
            counts[i % buckets] += 1
        elif counts[i % buckets] > low:
            counts[i % buckets] -= 1
        i += 1
    return counts


# --- Text ---------------------------------------------------------------------------------------


def quote(rng: random.Random) -> str:
    sentences = [
        f"{rng.choice(tb.QUOTE_OPENERS)} {rng.choice(tb.QUOTE_SUBJECTS)} {rng.choice(tb.QUOTE_VERBS)} "
        f"{rng.choice(tb.QUOTE_ENDINGS)}"
        for _ in range(rng.choice((1, 1, 2, 2, 3, 4, 6)))
    ]
    return " ".join(sentences)


def note_text(kind: str, rng: random.Random) -> str:
    if kind == "observation":
        return " ".join(rng.sample(tb.OBSERVATIONS, rng.randint(1, 3)))
    if kind == "nonverbal":
        return rng.choice(tb.OBSERVATIONS)
    if kind == "follow_up":
        return f"{rng.choice(tb.FOLLOW_UPS)} {quote(rng)}"
    if kind == "summary":
        return " ".join(rng.sample(tb.SUMMARIES, rng.randint(1, 3)))
    return quote(rng)


# --- The parts ----------------------------------------------------------------------------------


@dataclass
class Context:
    campaign: object
    size: Size
    seed: int
    lead: object
    team: list = field(default_factory=list)
    data: dict = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        return random.Random(f"{self.seed}:{part}")


def generate_team(ctx: Context) -> dict:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from campaigns.models import Membership, Role

    User = get_user_model()
    rng = ctx.rng("team")
    slug = ctx.campaign.slug
    users = []
    for i in range(ctx.size.interviewers):
        email = f"{slug}-interviewer-{i + 1}@bench.example.org"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=f"{rng.choice(tb.FIRST_NAMES)} {rng.choice(tb.LAST_NAMES)}")
            user.set_unusable_password()
            user.save()
            EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        users.append(user)
    bulk(Membership, [Membership(user=u, campaign=ctx.campaign, role=Role.INTERVIEWER) for u in users])
    ctx.team = users
    return {"interviewers": len(users)}


def generate_participants(ctx: Context) -> dict:
    Participant, EquityDimension, DimensionValue, ParticipantValue, StatusChange = require(
        "participants.Participant",
        "participants.EquityDimension",
        "participants.DimensionValue",
        "participants.ParticipantValue",
        "participants.StatusChange",
    )
    rng = ctx.rng("participants")
    size, campaign = ctx.size, ctx.campaign
    dimensions, value_sets = [], []
    for position, (name, key, marginalized, values) in enumerate(DIMENSIONS[: size.dimensions]):
        dimension = EquityDimension.objects.create(
            campaign=campaign, name=name, key=key, often_marginalized=marginalized, position=position
        )
        rows = bulk(
            DimensionValue,
            [
                DimensionValue(dimension=dimension, label=label, population_share=share, position=i)
                for i, (label, share) in enumerate(values)
            ],
        )
        dimensions.append(dimension)
        value_sets.append((rows, [share for _label, share in values]))

    Status, Role = Participant.Status, Participant.Role
    interviewed = set(rng.sample(range(size.participants), size.interviews))
    others = [Status.NOMINATED, Status.INVITED, Status.CONSENTED, Status.SCHEDULED, Status.DECLINED, Status.WITHDRAWN]
    other_weights = [50, 22, 12, 8, 5, 3]
    roles = [Role.STUDENT, Role.FAMILY, Role.TEACHER, Role.STAFF, Role.COMMUNITY, Role.OTHER]
    role_weights = [45, 30, 10, 7, 6, 2]
    languages = ["en", "es", "vi", "so", "ar", "zh"]
    language_weights = [62, 24, 5, 3, 3, 3]
    participants, chosen = [], []
    for i in range(size.participants):
        number = i + 1
        first, last = rng.choice(tb.FIRST_NAMES), rng.choice(tb.LAST_NAMES)
        role = rng.choices(roles, role_weights)[0]
        status = Status.INTERVIEWED if i in interviewed else rng.choices(others, other_weights)[0]
        changed = BASE_TIME + timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
        participants.append(
            Participant(
                campaign=campaign,
                number=number,
                code=Participant.code_for(number),
                full_name=f"{first} {last}",
                email=f"{first}.{last}.{number}@families.example.org".lower(),
                phone=f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                school=rng.choice(tb.SCHOOLS),
                grade=rng.choice(tb.GRADES) if role == Role.STUDENT else "",
                preferred_language=rng.choices(languages, language_weights)[0],
                note="Nominated by the school counselor." if rng.random() < 0.2 else "",
                role=role,
                is_minor=role == Role.STUDENT,
                most_directly_impacted=rng.random() < 0.35,
                not_usually_asked=rng.random() < 0.25,
                status=status,
                status_changed_at=changed,
                interviewed_at=changed if status == Status.INTERVIEWED else None,
                created_by=ctx.lead,
            )
        )
        chosen.append([rng.choices(rows, weights)[0] for rows, weights in value_sets])
    bulk(Participant, participants)
    if not all(p.pk for p in participants):  # backends that return no ids from bulk inserts
        ids = dict(Participant.objects.filter(campaign=campaign).values_list("number", "pk"))
        for p in participants:
            p.pk = p.id = ids[p.number]
    links = [
        ParticipantValue(participant_id=p.pk, dimension_id=dimensions[d].pk, value_id=value.pk)
        for p, values in zip(participants, chosen, strict=True)
        for d, value in enumerate(values)
    ]
    bulk(ParticipantValue, links)
    history = [
        StatusChange(participant_id=p.pk, from_status="", to_status=Status.NOMINATED, by=ctx.lead, created_at=BASE_TIME)
        for p in participants
    ] + [
        StatusChange(
            participant_id=p.pk,
            from_status=Status.NOMINATED,
            to_status=p.status,
            by=ctx.lead,
            created_at=p.status_changed_at,
        )
        for p in participants
        if p.status != Status.NOMINATED
    ]
    bulk(StatusChange, history)
    assigned = []
    if ctx.team:
        through = Participant.assigned_interviewers.through
        assigned = [
            through(participant_id=p.pk, user_id=ctx.team[p.number % len(ctx.team)].pk)
            for p in participants
            if p.status in (Status.SCHEDULED, Status.INTERVIEWED, Status.CONSENTED)
        ]
        bulk(through, assigned)
    ctx.data["participants"] = participants
    ctx.data["interviewed"] = [p for p in participants if p.status == Status.INTERVIEWED]
    return {
        "participants": len(participants),
        "dimensions": len(dimensions),
        "dimension_values": len(links),
        "status_changes": len(history),
        "assignments": len(assigned),
    }


def generate_consent(ctx: Context) -> dict:
    TransparencyStatement, ConsentForm, ConsentRecord = require(
        "consent.TransparencyStatement", "consent.ConsentForm", "consent.ConsentRecord"
    )
    if "participants" not in ctx.data:
        raise NotReady("needs participants")
    rng = ctx.rng("consent")
    statements = Builder(TransparencyStatement, rng)
    forms = Builder(ConsentForm, rng)
    form_by_language = {}
    for language in ("en", "es"):
        statement = statements.make(
            campaign=ctx.campaign,
            language=language,
            version=1,
            why="We want to hear from the people attendance rules affect most, before we change them.",
            data_use="Notes are used only to improve the attendance policy; reports never name anyone.",
            raw_notes_access="Only the interview team reads raw notes.",
            captures_identifying_data=True,
            identifying_data="Names and contact details, kept apart from the notes.",
            anonymization="Reports use pseudonym codes; quotes are attributed by role only, with permission.",
            retain_until=(BASE_TIME + timedelta(days=365)).date(),
            retention="Raw notes and contact details are deleted one year after the campaign.",
            created_by=ctx.lead,
        )
        statement.save()
        form = forms.make(
            campaign=ctx.campaign,
            language=language,
            version=1,
            statement=statement,
            title="Attendance interviews: consent",
            body="Taking part is voluntary. You can skip any question and stop at any time.",
            guardian_text="You agree that your child may take part.",
            assent_text="You decide too: you can say no or stop at any time.",
            created_by=ctx.lead,
        )
        form.save()
        form_by_language[language] = form
    Status = get_model("participants.Participant").Status
    agreed = {Status.CONSENTED, Status.SCHEDULED, Status.INTERVIEWED, Status.WITHDRAWN}
    K, G, M = ConsentRecord.Kind, ConsentRecord.GivenBy, ConsentRecord.Method
    records = []
    for p in ctx.data["participants"]:
        if p.status not in agreed:
            continue
        form = form_by_language.get(p.preferred_language, form_by_language["en"])
        on = (p.status_changed_at - timedelta(days=3)).date()
        common = {"participant_id": p.pk, "form": form, "given_on": on, "recorded_by": ctx.lead}
        method = rng.choice((M.WRITTEN, M.VERBAL, M.ELECTRONIC))
        scopes = {"may_quote": rng.random() < 0.7, "attribution": rng.choice(("none", "role"))}
        if p.is_minor:
            records.append(ConsentRecord(kind=K.GUARDIAN, given_by=G.GUARDIAN, method=method, **common, **scopes))
            records.append(ConsentRecord(kind=K.ASSENT, given_by=G.PARTICIPANT, method=method, **common, **scopes))
        else:
            records.append(ConsentRecord(kind=K.CONSENT, given_by=G.PARTICIPANT, method=method, **common, **scopes))
        if p.status == Status.WITHDRAWN:
            records.append(
                ConsentRecord(
                    participant_id=p.pk,
                    kind=K.WITHDRAWAL,
                    given_by=G.GUARDIAN if p.is_minor else G.PARTICIPANT,
                    method=M.VERBAL,
                    given_on=p.status_changed_at.date(),
                    recorded_by=ctx.lead,
                )
            )
    bulk(ConsentRecord, records)
    return {"consent_forms": len(form_by_language), "consent_records": len(records)}


def generate_guides(ctx: Context) -> dict:
    InterviewGuide, Prompt = require("interviews.InterviewGuide", "interviews.Prompt")
    guide = InterviewGuide.objects.create(
        campaign=ctx.campaign,
        title="Attendance: family and student interviews",
        introduction="We are listening to families and students before we change the attendance policy.",
        created_by=ctx.lead,
    )
    positions: dict[str, int] = {}
    prompts = []
    for kind, text in tb.PROMPTS:
        positions[kind] = positions.get(kind, -1) + 1
        prompts.append(Prompt(guide=guide, kind=kind, text=text, position=positions[kind]))
    bulk(Prompt, prompts)
    ctx.data["guide"], ctx.data["prompts"] = guide, prompts
    counts = {"guides": 1, "prompts": len(prompts)}
    Prediction = get_model("interviews.Prediction")
    if Prediction is not None:
        rng = ctx.rng("predictions")
        rows = [
            Prediction(campaign=ctx.campaign, author=user, text=text, position=i)
            for user in [ctx.lead, *ctx.team]
            for i, text in enumerate(rng.sample(tb.PREDICTIONS, 3))
        ]
        bulk(Prediction, rows)
        counts["predictions"] = len(rows)
    return counts


NOTE_KINDS = (("quote", 45), ("observation", 22), ("nonverbal", 8), ("follow_up", 12), ("summary", 13))


def generate_interviews_and_notes(ctx: Context) -> dict:
    Interview, Note = require("interviews.Interview", "interviews.Note")
    if "interviewed" not in ctx.data:
        raise NotReady("needs participants")
    rng = ctx.rng("interviews")
    team = ctx.team or [ctx.lead]
    interviews = Builder(Interview, rng)
    completed = choice_value(Interview, "status", "complete", "done")
    in_person = choice_value(Interview, "mode", "person", "in_person")
    rows = []
    for n, p in enumerate(ctx.data["interviewed"]):
        start = (p.interviewed_at or BASE_TIME).replace(second=0, microsecond=0)
        interviewer, note_taker = team[n % len(team)], team[(n + 1) % len(team)]
        rows.append(
            interviews.make(
                campaign=ctx.campaign,
                participant=p,
                guide=ctx.data.get("guide"),
                interviewer=interviewer,
                note_taker=note_taker,
                created_by=ctx.lead,
                scheduled_at=start,
                ends_at=start + timedelta(minutes=45),
                duration=timedelta(minutes=45),
                time_zone="America/Chicago",
                language=p.preferred_language,
                mode=in_person,
                place_or_link=p.school,
                status=completed,
                started_at=start,
                completed_at=start + timedelta(minutes=45),
            )
        )
    bulk(Interview, rows)
    team_links = link(
        Interview,
        type(ctx.lead),
        [(iv.pk, u.pk) for n, iv in enumerate(rows) for u in {team[n % len(team)], team[(n + 1) % len(team)]}],
        rng,
    )

    notes = Builder(Note, rng)
    kind_values = {kind: choice_value(Note, "kind", kind.replace("_", ""), kind) for kind, _w in NOTE_KINDS}
    kinds, weights = [k for k, _w in NOTE_KINDS], [w for _k, w in NOTE_KINDS]
    prompts = [p for p in ctx.data.get("prompts", []) if p.kind != "follow_up"] or [None]
    note_rows = []
    for n, (iv, count) in enumerate(zip(rows, spread(ctx.size.notes, len(rows), rng), strict=True)):
        author = team[(n + 1) % len(team)]
        participant = ctx.data["interviewed"][n]
        for i in range(count):
            kind = rng.choices(kinds, weights)[0]
            body = note_text(kind, rng)
            at = BASE_TIME + timedelta(days=n % 60, minutes=i)
            note_rows.append(
                notes.make(
                    interview=iv,
                    campaign=ctx.campaign,
                    participant=participant,
                    prompt=prompts[min(i * len(prompts) // max(count, 1), len(prompts) - 1)],
                    kind=kind_values[kind],
                    body=body,
                    author=author,
                    version=1,
                    created_at=at,
                    updated_at=at,
                )
            )
    bulk(Note, note_rows)
    ctx.data["interviews"], ctx.data["notes"] = rows, note_rows
    ctx.data["note_text_field"] = "body"
    counts = {"interviews": len(rows), "notes": len(note_rows)}
    if team_links >= 0:
        counts["interview_team_links"] = team_links
    return counts


def generate_synthesis(ctx: Context) -> dict:
    Highlight, Tag, Theme = require("synthesis.Highlight", "synthesis.Tag", "synthesis.Theme")
    if "notes" not in ctx.data:
        raise NotReady("needs notes")
    rng = ctx.rng("synthesis")
    size, campaign = ctx.size, ctx.campaign
    names = sorted(rng.sample([f"{head}: {tail}" for head in tb.TAG_HEADS for tail in tb.TAG_TAILS], size.tags))
    tag_b = Builder(Tag, rng)
    tags = bulk(
        Tag,
        [
            tag_b.make(campaign=campaign, name=name, description=f"Highlights about {name.split(':')[0]}.")
            for name in names
        ],
    )
    theme_b = Builder(Theme, rng)
    statements = [tb.THEME_STATEMENTS[i % len(tb.THEME_STATEMENTS)] for i in range(size.themes)]
    themes = bulk(
        Theme,
        [
            theme_b.make(campaign=campaign, title=f"{text} ({i + 1})", statement=f"{text}.", position=i)
            for i, text in enumerate(statements)
        ],
    )
    highlight_b = Builder(Highlight, rng)
    theme_fk = fk_to(Highlight, Theme)
    text_field = ctx.data["note_text_field"]
    highlights, on_theme = [], []
    for note in rng.sample(ctx.data["notes"], min(size.highlights, len(ctx.data["notes"]))):
        body = getattr(note, text_field)
        start = rng.randint(0, len(body) // 2)
        end = min(len(body), start + rng.randint(30, 160))
        theme = rng.choice(themes) if themes and rng.random() < 0.7 else None
        values = {
            "campaign": campaign,
            "note": note,
            "participant_id": getattr(note, "participant_id", None),
            "start": start,
            "end": end,
            "quote": body[start:end],
            "starred": rng.random() < 0.05,
            "dissenting": rng.random() < 0.02,
            "created_by": ctx.lead,
        }
        if theme_fk:
            values[theme_fk.name] = theme
        highlights.append(highlight_b.make(**values))
        on_theme.append(theme)
    bulk(Highlight, highlights)
    pairs = [(h.pk, t.pk) for h in highlights for t in rng.sample(tags, rng.randint(1, min(3, len(tags))))]
    counts = {"tags": len(tags), "themes": len(themes), "highlights": len(highlights)}
    counts["highlight_tags"] = link(Highlight, Tag, pairs, rng)
    if theme_fk is None:
        pairs = [(h.pk, t.pk) for h, t in zip(highlights, on_theme, strict=True) if t]
        counts["highlight_themes"] = link(Highlight, Theme, pairs, rng)
    evidence = {}
    for h, t in zip(highlights, on_theme, strict=True):
        if t is not None:
            evidence.setdefault(t.pk, []).append(h.pk)
    WhyStep, RootCause = get_model("synthesis.WhyStep"), get_model("synthesis.RootCause")
    if WhyStep is not None:
        counts["why_steps"] = _why_steps(ctx, WhyStep, Highlight, themes, evidence, rng)
    if RootCause is not None:
        counts["root_causes"] = _root_causes(ctx, RootCause, Highlight, themes, evidence, rng)
    return counts


WHY_CHAIN_THEMES = 10  # themes with a five-step why-chain


def _cite(model, Highlight, rows, themes_of_rows, evidence, rng):
    """Each row cites one or two highlights of its theme ("How do you know?")."""
    pairs = []
    for row, theme in zip(rows, themes_of_rows, strict=True):
        pool = evidence.get(theme.pk) or [next(iter(evidence.values()))[0]]
        pairs += [(row.pk, h) for h in rng.sample(pool, min(2, len(pool)))]
    return link(model, Highlight, pairs, rng)


def _why_steps(ctx, WhyStep, Highlight, themes, evidence, rng) -> int:
    """A five-step why-chain ("5 whys") under each of the first themes."""
    builder = Builder(WhyStep, rng)
    chained, steps = [], []
    for c, theme in enumerate(themes[:WHY_CHAIN_THEMES]):
        for depth in range(5):
            answer = tb.WHY_STEPS[(c + depth) % len(tb.WHY_STEPS)]
            chained.append(theme)
            steps.append(builder.make(theme=theme, position=depth, answer=answer, author=ctx.lead))
    bulk(WhyStep, steps)
    if evidence:
        _cite(WhyStep, Highlight, steps, chained, evidence, rng)
    return len(steps)


def _root_causes(ctx, RootCause, Highlight, themes, evidence, rng) -> int:
    """Root causes spread over the first themes, one fishbone category each."""
    builder = Builder(RootCause, rng)
    owners = [themes[i % min(len(themes), 20)] for i in range(ctx.size.root_causes)] if themes else []
    causes = [
        builder.make(
            theme=theme,
            category=choice_value(RootCause, "category", rng=rng),
            statement=tb.WHY_STEPS[i % len(tb.WHY_STEPS)],
            author=ctx.lead,
        )
        for i, theme in enumerate(owners)
    ]
    bulk(RootCause, causes)
    if evidence:
        _cite(RootCause, Highlight, causes, owners, evidence, rng)
    return len(causes)


GENERATORS = (
    ("team", generate_team),
    ("participants", generate_participants),
    ("consent", generate_consent),
    ("guides", generate_guides),
    ("interviews", generate_interviews_and_notes),
    ("synthesis", generate_synthesis),
)


def generate_campaign(*, slug: str, size: Size, seed: int, lead, title: str | None = None) -> dict:
    """Create campaign `slug` (which must not exist) with `lead` as its lead, and fill it.

    Returns {"seconds": total, "parts": {part: {"status", "seconds", "counts" | "reason"}}}.
    A part that fails rolls back alone (a savepoint) and is reported with its error.
    """
    from campaigns.services import campaign_create

    started = time.perf_counter()
    campaign = campaign_create(
        title=title or f"Benchmark: attendance interviews ({size.name})",
        slug=slug,
        policy_context="A district-wide attendance policy: generated by bench/generate.py for the benchmark.",
        issue_statement="Chronic absence is rising, and the families most affected are the least heard.",
        goals=["Hear from the families most affected by absence rules", "Find root causes we can act on"],
        created_by=lead,
    )
    ctx = Context(campaign=campaign, size=size, seed=seed, lead=lead)
    parts = {}
    for name, generator in GENERATORS:
        t0 = time.perf_counter()
        try:
            with transaction.atomic():
                counts = generator(ctx)
            parts[name] = {"status": "generated", "seconds": round(time.perf_counter() - t0, 2), "counts": counts}
        except NotReady as reason:
            parts[name] = {"status": "skipped", "reason": str(reason)}
        except Exception as error:  # a model changed under us: report it, keep the other parts
            parts[name] = {"status": "failed", "reason": f"{type(error).__name__}: {error}"}
    return {"campaign": campaign, "seconds": round(time.perf_counter() - started, 2), "parts": parts}


MODELS_USED = (
    "participants.Participant",
    "consent.ConsentRecord",
    "interviews.InterviewGuide",
    "interviews.Prediction",
    "interviews.Interview",
    "interviews.Note",
    "synthesis.Tag",
    "synthesis.Theme",
    "synthesis.Highlight",
    "synthesis.WhyStep",
    "synthesis.RootCause",
)


def available_parts() -> list[str]:
    """The models the generator uses that exist now: in the fingerprint that decides reuse."""
    return [label for label in MODELS_USED if get_model(label) is not None]
