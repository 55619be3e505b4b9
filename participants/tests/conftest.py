import pytest

from participants.models import DimensionValue, EquityDimension, Participant
from participants.services import participant_set_status, participants_create


@pytest.fixture
def dims(campaign):
    """Two dimensions with shares: English learner (18/82) and home language (50/30/20, Vietnamese empty)."""
    el = EquityDimension.objects.create(
        campaign=campaign, name="English learner", key="english_learner", often_marginalized=True, position=0
    )
    yes = DimensionValue.objects.create(dimension=el, label="Yes", population_share=18, often_marginalized=True)
    no = DimensionValue.objects.create(dimension=el, label="No", population_share=82, position=1)
    lang = EquityDimension.objects.create(campaign=campaign, name="Home language", key="home_language", position=1)
    en = DimensionValue.objects.create(dimension=lang, label="English", population_share=50)
    es = DimensionValue.objects.create(dimension=lang, label="Spanish", population_share=30, position=1)
    vi = DimensionValue.objects.create(dimension=lang, label="Vietnamese", population_share=20, position=2)
    return {"el": el, "lang": lang, "yes": yes, "no": no, "en": en, "es": es, "vi": vi}


@pytest.fixture
def make_people(campaign, lead):
    """Create `n` participants in one batch: make_people(n, values=[...], status=..., **fields)."""

    def make(n, values=(), status=Participant.Status.NOMINATED, **fields):
        start = Participant.objects.filter(campaign=campaign).count()
        rows = [
            {"full_name": f"Person {start + i}", "email": f"person{start + i}@example.net", "role": "family", **fields}
            for i in range(n)
        ]
        chosen = [{v.dimension_id: v for v in values} for _ in range(n)]
        people = participants_create(campaign=campaign, by=lead, rows=rows, values=chosen)
        if status != Participant.Status.NOMINATED:
            for p in people:
                participant_set_status(participant=p, status=status, by=lead)
        return people

    return make
