import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from participants.importing import import_csv, validate
from participants.models import Participant

pytestmark = pytest.mark.django_db

HEADER = "full_name,email,phone,role,school,grade,preferred_language,is_minor,english_learner,home_language\n"
GOOD = HEADER + (
    "Maria Lopez,maria@example.net,555-0100,family,Lincoln,,es,no,Yes,Spanish\n"
    "Tuan Tran,,555-0101,Student,Eastside,9,vi,yes,No,Vietnamese\n"
    "Ruth Ames,ruth@example.net,,teacher,Eastside,,,no,,\n"
)


def test_a_good_file_imports_every_row_with_values(campaign, lead, dims):
    result = import_csv(campaign=campaign, text=GOOD, by=lead)
    assert result.ok and len(result.created) == 3
    maria = Participant.objects.get(email="maria@example.net")
    assert (maria.code, maria.role, maria.preferred_language, maria.is_minor) == ("P-001", "family", "es", False)
    assert {link.value for link in maria.dimension_values.all()} == {dims["yes"], dims["es"]}
    tuan = Participant.objects.get(full_name="Tuan Tran")
    assert tuan.is_minor and tuan.role == "student"
    assert not Participant.objects.get(full_name="Ruth Ames").dimension_values.exists()


def test_reimporting_the_same_file_adds_no_one(campaign, lead, dims):
    import_csv(campaign=campaign, text=GOOD, by=lead)
    again = import_csv(campaign=campaign, text=GOOD, by=lead)
    assert again.ok and again.created == [] and len(again.skipped) == 3
    assert Participant.objects.count() == 3
    # A file with the old rows and one new row imports only the new one.
    more = import_csv(campaign=campaign, text=GOOD + "New Person,new@example.net,,community,,,,,,\n", by=lead)
    assert len(more.created) == 1 and more.created[0].code == "P-004"


@pytest.mark.parametrize(
    ("row", "column", "value", "reason"),
    [
        ("Other,other@example.net,,family,,,en,no,Maybe,", "english_learner", "Maybe", "Unknown value"),
        ("Other,maria@@example,,family,,,en,no,,", "email", "maria@@example", "Not a valid email"),
        ("Other,other@example.net,call me,family,,,en,no,,", "phone", "call me", "Not a valid phone"),
        ("Other,other@example.net,,parent,,,en,no,,", "role", "parent", "Unknown role"),
        ("Other,other@example.net,,family,,,klingon,no,,", "preferred_language", "klingon", "Unknown language"),
        ("Other,other@example.net,,family,,,en,perhaps,,", "is_minor", "perhaps", "yes or no"),
        (",other@example.net,,family,,,en,no,,", "full_name", "", "name is required"),
    ],
)
def test_every_kind_of_bad_row_is_reported_and_nothing_is_imported(campaign, lead, dims, row, column, value, reason):
    text = GOOD + row + "\n"
    result = import_csv(campaign=campaign, text=text, by=lead)
    assert not result.ok
    assert Participant.objects.count() == 0  # All or nothing: the good rows were not imported either.
    [error] = result.errors
    assert (error.row, error.column, error.value) == (5, column, value)
    assert reason.lower() in error.reason.lower()


def test_duplicates_in_the_file_and_in_the_campaign_are_errors(campaign, lead, dims):
    text = GOOD + "Someone Else,MARIA@example.net,,family,,,,,,\n"
    result = validate(campaign, text)
    assert [(e.row, e.column, "Duplicate in this file" in e.reason) for e in result.errors] == [(5, "email", True)]

    import_csv(campaign=campaign, text=GOOD, by=lead)
    clash = HEADER + "Not Maria,maria@example.net,,family,,,,,,\n"
    result = validate(campaign, clash, membership=campaign.memberships.get(user=lead))
    [error] = result.errors
    assert error.column == "email" and "Duplicate in this campaign: P-001" in error.reason


def test_file_level_problems(campaign, lead, dims):
    assert "empty" in validate(campaign, "").errors[0].reason
    result = validate(campaign, "full_name,role,shoe_size\nA,family,42\n")
    assert result.errors[0].column == "shoe_size" and "Unknown column" in result.errors[0].reason
    result = validate(campaign, "email\nx@example.net\n")
    assert {e.column for e in result.errors} == {"full_name", "role"}


def test_dimension_columns_may_use_the_dimension_name_and_values_any_case(campaign, lead, dims):
    result = import_csv(campaign=campaign, text="Full Name,Role,English Learner\nA,Family member,yes\n", by=lead)
    assert result.ok
    assert result.created[0].dimension_values.get().value == dims["yes"]


def test_the_import_page_imports_and_redirects(client_for, campaign, lead, dims):
    client = client_for(lead)
    url = reverse("participants:import", args=[campaign.slug])
    upload = SimpleUploadedFile("people.csv", GOOD.encode("utf-8-sig"), content_type="text/csv")
    response = client.post(url, {"file": upload})
    assert response.status_code == 302
    assert Participant.objects.filter(campaign=campaign).count() == 3


def test_a_rejected_import_keeps_what_was_sent_and_lists_the_errors(client_for, campaign, interviewer, dims):
    client = client_for(interviewer)
    url = reverse("participants:import", args=[campaign.slug])
    text = GOOD + "Bad Row,bad-email,,family,,,,,,\n"
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    response = client.post(url, {"file": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was imported" in page
    assert "bad-email" in page and "Not a valid email address." in page
    # The uploaded file's contents are in the textarea, ready to fix.
    assert "Maria Lopez,maria@example.net" in page
    fixed = text.replace("bad-email", "good@example.net")
    response = client.post(url, {"text": fixed})
    assert response.status_code == 302
    assert Participant.objects.count() == 4
    assert all(interviewer in p.assigned_interviewers.all() for p in Participant.objects.all())


def test_the_template_has_a_column_per_dimension(client_for, campaign, lead, dims):
    response = client_for(lead).get(reverse("participants:import_template", args=[campaign.slug]))
    assert response["Content-Type"].startswith("text/csv")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("full_name,email,phone,role")
    assert header.endswith("english_learner,home_language")


def test_a_large_file_is_validated_with_a_fixed_number_of_queries(campaign, lead, dims, django_assert_max_num_queries):
    rows = "".join(f"Person {i},p{i}@example.net,,family,,,en,no,Yes,English\n" for i in range(300))
    # retention date, dimensions, their values, existing participants: nothing per row
    with django_assert_max_num_queries(4):
        result = validate(campaign, HEADER + rows)
    assert result.ok and len(result.rows) == 300


def test_a_lead_assigns_imported_people_to_interviewers_and_the_choice_survives_errors(
    client_for, campaign, lead, interviewer, dims
):
    client = client_for(lead)
    url = reverse("participants:import", args=[campaign.slug])
    bad = GOOD + "Bad Row,bad-email,,family,,,,,,\n"
    response = client.post(url, {"text": bad, "assign_to": [interviewer.pk]})
    assert response.status_code == 400
    assert response.context["form"]["assign_to"].value() == [str(interviewer.pk)]
    response = client.post(url, {"text": GOOD, "assign_to": [interviewer.pk]})
    assert response.status_code == 302
    assert {p.code for p in interviewer.assigned_participants.all()} == {"P-001", "P-002", "P-003"}
    assert not lead.assigned_participants.exists()
