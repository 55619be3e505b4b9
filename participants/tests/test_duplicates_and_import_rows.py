"""Duplicate emails name the other participant only to those who may see who they are; import
rows that would crash or repeat are reported as row errors."""

import pytest
from django.urls import reverse

from participants.factories import ParticipantFactory
from participants.importing import import_csv
from participants.models import Participant

pytestmark = pytest.mark.django_db

HEADER = "full_name,email,phone,role,school\n"


def test_an_unassigned_interviewer_adding_a_known_email_learns_no_code(campaign, client_for, interviewer, lead):
    ParticipantFactory(campaign=campaign, full_name="Rosa Diaz", email="rosa@example.net")
    data = {"full_name": "Rosa Diaz", "email": "ROSA@example.net", "role": "family", "preferred_language": "en"}
    html = client_for(interviewer).post(reverse("participants:add", args=[campaign.slug]), data).content.decode()
    assert "Someone in this campaign already has this email." in html
    assert "P-001" not in html
    # A lead may see everyone: the code helps them find the person.
    html = client_for(lead).post(reverse("participants:add", args=[campaign.slug]), data).content.decode()
    assert "P-001 already has this email in this campaign." in html


def test_editing_to_a_known_email_names_no_one_the_interviewer_may_not_see(campaign, client_for, interviewer):
    ParticipantFactory(campaign=campaign, email="rosa@example.net")
    mine = ParticipantFactory(campaign=campaign, email="mine@example.net", assigned_interviewers=[interviewer])
    response = client_for(interviewer).post(
        reverse("participants:edit", args=[campaign.slug, mine.code]),
        {"full_name": "Mine", "email": "rosa@example.net", "role": "family", "preferred_language": "en"},
    )
    html = response.content.decode()
    assert "Someone in this campaign already has this email." in html and "P-001" not in html


def test_an_unassigned_interviewer_importing_a_known_email_gets_no_code_and_no_name_check(
    campaign, client_for, interviewer
):
    ParticipantFactory(campaign=campaign, full_name="Rosa Diaz", email="rosa@example.net")
    url = reverse("participants:import", args=[campaign.slug])
    client = client_for(interviewer)
    # Same name and email, different name and same email: the same answer, no code, nothing skipped.
    for name in ("Rosa Diaz", "Someone Else"):
        response = client.post(url, {"text": HEADER + f"{name},rosa@example.net,,family,\n"})
        assert response.status_code == 400
        html = response.content.decode()
        assert "Duplicate in this campaign: someone already has this email." in html
        assert "P-001" not in html
        assert response.context["result"].skipped == []
    assert Participant.objects.count() == 1


def test_an_assigned_interviewer_reimporting_their_people_skips_them(campaign, client_for, interviewer):
    ParticipantFactory(
        campaign=campaign, full_name="Rosa Diaz", email="rosa@example.net", assigned_interviewers=[interviewer]
    )
    response = client_for(interviewer).post(
        reverse("participants:import", args=[campaign.slug]), {"text": HEADER + "Rosa Diaz,rosa@example.net,,family,\n"}
    )
    assert response.status_code == 302
    assert Participant.objects.count() == 1


def test_an_overlong_email_is_a_row_error_not_a_crash(campaign, client_for, lead):
    email = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".org"
    assert 254 < len(email) <= 320  # validate_email accepts it; the column holds 254
    response = client_for(lead).post(
        reverse("participants:import", args=[campaign.slug]), {"text": HEADER + f"Long Mail,{email},,family,\n"}
    )
    assert response.status_code == 400
    [error] = response.context["result"].errors
    assert (error.row, error.column) == (2, "email") and "254" in error.reason
    assert not Participant.objects.exists()


def test_rows_without_email_repeated_in_one_file_are_flagged(campaign, lead):
    text = HEADER + "Ana Ruiz,,555 0100,family,Lincoln\nBen Ode,,,family,\nana ruiz,,555 0100,family,lincoln\n"
    result = import_csv(campaign=campaign, text=text, by=lead)
    assert [(e.row, e.column) for e in result.errors] == [(4, "full_name")]
    assert "row 2" in result.errors[0].reason
    assert not Participant.objects.exists()
