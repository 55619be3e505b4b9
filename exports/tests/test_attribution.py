"""The attribution rule and the scrubber, on their own."""

import pytest

from consent.selectors import Scopes
from exports.anonymize import Scrubber, safe_cell
from exports.attribution import attribution_for, campaign_group_sizes
from participants.models import Participant

ROLE = Scopes(may_quote=True, attribution="role")
NONE = Scopes(may_quote=True, attribution="none")
NO_QUOTE = Scopes(may_quote=False, attribution="role")


def person(role="student", grade=""):
    return Participant(role=role, grade=grade)


def test_role_attribution_needs_consent_for_it():
    sizes = {("role", "family"): 5}
    assert attribution_for(person("family"), sizes, ROLE) == "a family member"
    assert attribution_for(person("family"), sizes, NONE) == ""
    assert attribution_for(person("family"), sizes, NO_QUOTE) == ""
    assert attribution_for(person("family"), sizes, None) == ""


def test_small_groups_are_never_named():
    # "the only Vietnamese-speaking parent": a group of 1 or 2 gets no attribution at all.
    for n in (1, 2):
        assert attribution_for(person("family"), {("role", "family"): n}, ROLE) == ""
    assert attribution_for(person("family"), {("role", "family"): 3}, ROLE) == "a family member"


def test_a_students_grade_is_named_only_when_three_share_it():
    sizes = {("role", "student"): 10, ("grade", "student", "9"): 3, ("grade", "student", "11"): 2}
    assert attribution_for(person("student", "9"), sizes, ROLE) == "a 9th-grade student"
    # Only two 11th-graders: fall back to the role, which is a big enough group.
    assert attribution_for(person("student", "11"), sizes, ROLE) == "a student"
    assert attribution_for(person("student", "11"), {("role", "student"): 2}, ROLE) == ""


@pytest.mark.django_db
def test_group_sizes_count_people_heard_and_leave_out_the_withdrawn(world):
    sizes = campaign_group_sizes(world.campaign)
    # Ana, Ben and Chi are heard 9th-graders; Wes withdrew.
    assert sizes[("grade", "student", "9")] == 3
    assert sizes[("role", "family")] == 1
    assert sizes[("role", "student")] == 4  # + Fay, 10th grade


def test_scrubber_replaces_name_parts_email_and_phone_case_insensitively():
    s = Scrubber("Ana María López", "Ana.Lopez@Example.net", "+1 (555) 010-2000")
    text = "ANA said ana.lopez@example.net, 555.010.2000, +1 555 010 2000; maría LÓPEZ. Anaconda, Banana."
    assert s.scrub(text) == "[name] said [email], [phone], [phone]; [name] [name]. Anaconda, Banana."


def test_scrubber_works_in_any_script_and_keeps_offsets():
    s = Scrubber("Nguyễn Thị Lan")
    text = "Cô Lan nói: Nguyễn Thị Lan không đến."
    out, move = s.scrub_with_map(text)
    assert out == "Cô [name] nói: [name] không đến."
    start = text.index("không")
    assert out[move(start) : move(start + 5, end=True)] == "không"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_safe_cell_prefixes_each_formula_start(start):
    assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell("a" + start) == "a" + start
    assert safe_cell(5) == 5
