"""Whose voices: distinct participants behind a theme, by role and by each equity dimension,
against population shares; one person / one group flags; withdrawn voices never count."""

import pytest

from participants.factories import DimensionValueFactory, EquityDimensionFactory, ParticipantFactory
from participants.models import ParticipantValue
from synthesis.factories import HighlightFactory, ThemeFactory
from synthesis.selectors import whose_voices

from .conftest import withdraw


@pytest.fixture
def language(campaign):
    dimension = EquityDimensionFactory(campaign=campaign, name="Home language", key="home_language")
    values = {
        label: DimensionValueFactory(dimension=dimension, label=label, population_share=share, position=i)
        for i, (label, share) in enumerate([("English", 60), ("Spanish", 30), ("Vietnamese", 10)])
    }
    return dimension, values


def _person(campaign, role, dimension, value):
    p = ParticipantFactory(campaign=campaign, role=role, status="interviewed")
    if value is not None:
        ParticipantValue.objects.create(participant=p, dimension=dimension, value=value)
    return p


@pytest.mark.django_db
def test_counts_people_not_highlights_and_compares_with_population(campaign, make_note, language):
    dimension, values = language
    theme = ThemeFactory(campaign=campaign)
    families = [_person(campaign, "family", dimension, values["English"]) for _ in range(3)]
    student = _person(campaign, "student", dimension, values["Spanish"])
    unrecorded = _person(campaign, "student", dimension, None)
    gone = _person(campaign, "family", dimension, values["Vietnamese"])
    for p in [*families, student, unrecorded, gone]:
        HighlightFactory(note=make_note(participant=p), theme=theme)
    HighlightFactory(note=make_note(participant=families[0]), theme=theme)  # a second card, same person
    withdraw(gone)

    voices = whose_voices(campaign, theme.highlights.all())

    assert voices.total == 5
    assert [(r.label, r.count, r.share) for r in voices.roles] == [("Student", 2, 40.0), ("Family member", 3, 60.0)]
    (lang,) = voices.dimensions
    rows = {r.label: r for r in lang.rows}
    assert (rows["English"].count, rows["English"].share, rows["English"].population_share) == (3, 60.0, 60.0)
    assert (rows["Spanish"].count, rows["Spanish"].share) == (1, 20.0)
    assert rows["Vietnamese"].count == 0 and rows["Vietnamese"].missing  # the withdrawn voice is not counted
    assert lang.not_recorded == 1
    assert voices.missing_sentences == ["No one whose home language is Vietnamese (10% of those affected)."]
    assert "Heard from 5 participants" in voices.summary
    assert not voices.one_person and voices.one_group == ""


@pytest.mark.django_db
def test_a_theme_resting_on_one_person_is_flagged(campaign, make_note, language):
    dimension, values = language
    theme = ThemeFactory(campaign=campaign)
    p = _person(campaign, "teacher", dimension, values["English"])
    for _ in range(4):
        HighlightFactory(note=make_note(participant=p), theme=theme)
    voices = whose_voices(campaign, theme.highlights.all())
    assert voices.total == 1 and voices.one_person


@pytest.mark.django_db
def test_a_theme_resting_on_one_group_is_flagged(campaign, make_note, language):
    dimension, values = language
    theme = ThemeFactory(campaign=campaign)
    for role in ("family", "student", "teacher"):
        HighlightFactory(note=make_note(participant=_person(campaign, role, dimension, values["English"])), theme=theme)
    voices = whose_voices(campaign, theme.highlights.all())
    assert voices.one_group == "Home language: English"
    # One role only is one group too.
    other = ThemeFactory(campaign=campaign)
    for value in values.values():
        HighlightFactory(note=make_note(participant=_person(campaign, "family", dimension, value)), theme=other)
    assert whose_voices(campaign, other.highlights.all()).one_group == "Family member"


@pytest.mark.django_db
def test_an_empty_theme_says_so(campaign):
    voices = whose_voices(campaign, ThemeFactory(campaign=campaign).highlights.all())
    assert voices.total == 0 and "No one yet" in voices.summary


@pytest.mark.django_db
def test_a_fixed_number_of_queries_whatever_the_size(campaign, make_note, language, django_assert_num_queries):
    dimension, values = language
    theme = ThemeFactory(campaign=campaign)
    for i in range(12):
        value = list(values.values())[i % 3]
        HighlightFactory(note=make_note(participant=_person(campaign, "family", dimension, value)), theme=theme)
    # role counts, value counts, dimensions, their values
    with django_assert_num_queries(4):
        whose_voices(campaign, theme.highlights.all())
