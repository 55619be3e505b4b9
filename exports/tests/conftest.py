"""A small campaign with every case the export rules care about.

- three 9th-grade students who may be quoted with their role (a group of 3: "a 9th-grade student");
  Ana's own note names her, her first name, her email and her phone;
- one Vietnamese-speaking family member who may be quoted with her role: the only family member
  heard, so her quotes carry no attribution (small-group protection);
- a teacher who did not agree to be quoted; a student who withdrew;
- a 10th-grade student whose notes start with formula characters; names and words in
  Vietnamese, Chinese and Arabic script.
"""

from dataclasses import dataclass, field

import pytest

from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from interviews.factories import InterviewFactory, NoteFactory
from participants.factories import ParticipantFactory
from synthesis.models import Highlight, PublishedQuote, RootCause, Tag, Theme, WhyStep

FORMULAS = ['=HYPERLINK("http://x.test","click")', "+1+2", "-3+4", "@SUM(A1:A2)", "\tTabbed", "\rCarriage"]


@dataclass
class World:
    campaign: object
    people: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    highlights: dict = field(default_factory=dict)
    theme: object = None
    tags: dict = field(default_factory=dict)


def _person(
    world,
    key,
    *,
    role,
    grade="",
    name,
    email="",
    phone="",
    may_quote=True,
    attribution="role",
    language="en",
    withdrawn=False,
    minor=False,
):
    p = ParticipantFactory(
        campaign=world.campaign,
        role=role,
        grade=grade,
        full_name=name,
        email=email,
        phone=phone,
        preferred_language=language,
        status="interviewed",
    )
    ConsentRecordFactory(participant=p, may_quote=may_quote, attribution=attribution, may_recontact=True)
    world.people[key] = p
    return p


def _note(world, key, person_key, body, interviewer):
    p = world.people[person_key]
    interview = InterviewFactory(campaign=world.campaign, participant=p, interviewer=interviewer)
    note = NoteFactory(interview=interview, body=body)
    world.notes[key] = note
    return note


def _highlight(world, key, note_key, words, tags=()):
    note = world.notes[note_key]
    start = note.body.index(words)
    h = Highlight.objects.create(
        note=note,
        campaign=note.campaign,
        participant=note.participant,
        start=start,
        end=start + len(words),
        quote=words,
        note_version=note.version,
        theme=world.theme,
    )
    for t in tags:
        h.tags.add(world.tags[t])
    world.highlights[key] = h
    return h


@pytest.fixture
def world(campaign, lead, interviewer, analyst):
    w = World(campaign=campaign)
    _person(
        w,
        "ana",
        role="student",
        grade="9",
        name="Ana María López",
        email="ana.lopez@example.net",
        phone="+1 (555) 010-2000",
    )
    _person(w, "ben", role="student", grade="9", name="Ben Okafor")
    _person(w, "chi", role="student", grade="9", name="李小龙")
    _person(w, "lan", role="family", name="Nguyễn Thị Lan", language="vi")
    _person(w, "tom", role="teacher", name="Tom Reed", may_quote=False)
    _person(w, "wes", role="student", grade="9", name="Wes Gone")
    _person(w, "fay", role="student", grade="10", name="محمد فاضل", attribution="none")
    ConsentRecordFactory(participant=w.people["wes"], kind=ConsentRecord.Kind.WITHDRAWAL)

    _note(
        w,
        "ana",
        "ana",
        "Ana here. Text ana.lopez@example.net or call 555-010-2000. Ana María López misses "
        "the bus because it comes at 6:40.",
        interviewer,
    )
    _note(w, "ben", "ben", "The bus comes too early for me and my little brother.", interviewer)
    _note(w, "chi", "chi", "我每天早上都很累。The letters home scare my grandmother.", interviewer)
    _note(w, "lan", "lan", "Tôi không đọc được thư của trường. I cannot read the letters from school.", interviewer)
    _note(w, "tom", "tom", "TEACHER-PRIVATE: I mark them absent when the bus is late.", interviewer)
    _note(w, "wes", "wes", "WITHDRAWN-WORDS: nobody asks why we are late.", interviewer)
    for n, body in enumerate(FORMULAS):
        _note(w, f"fay{n}", "fay", body, interviewer)

    w.tags = {
        name: Tag.objects.create(campaign=campaign, name=name, description=f"About {name}")
        for name in ("transportation", "letters home")
    }
    w.theme = Theme.objects.create(campaign=campaign, title="Getting there", statement="The bus decides who is late.")
    _highlight(w, "ana", "ana", "Ana María López misses the bus", ["transportation"])
    _highlight(w, "ben", "ben", "The bus comes too early", ["transportation"])
    _highlight(w, "chi", "chi", "The letters home scare my grandmother", ["letters home"])
    _highlight(w, "lan", "lan", "I cannot read the letters from school", ["letters home"])
    _highlight(w, "tom", "tom", "I mark them absent when the bus is late", ["transportation"])
    _highlight(w, "wes", "wes", "nobody asks why we are late", ["transportation"])
    RootCause.objects.create(theme=w.theme, category="policies", statement="Tardy rules ignore bus times")
    WhyStep.objects.create(theme=w.theme, position=1, answer="The route was cut in October.")
    from django.utils import timezone

    w.theme.published_at = timezone.now()
    w.theme.save()
    for pos, key in enumerate(["ana", "lan", "tom", "wes"]):
        PublishedQuote.objects.create(theme=w.theme, highlight=w.highlights[key], position=pos)
    return w


@pytest.fixture
def run_export(django_capture_on_commit_callbacks, lead):
    """Request an export and run its real Celery task (eagerly, as the on-commit hook sends it)."""
    from exports.services import export_request

    def run(campaign, *, user=None, kind="notes", format="csv", anonymized=True, reason=""):
        with django_capture_on_commit_callbacks(execute=True):
            job = export_request(
                campaign=campaign, user=user or lead, kind=kind, format=format, anonymized=anonymized, reason=reason
            )
        job.refresh_from_db()
        return job

    return run


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Export files go to a temporary folder, never the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
