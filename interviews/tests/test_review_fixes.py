"""Fixes from the privacy and robustness review of interviews (one test or more per item)."""

import datetime
import io
import re
import uuid
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consent.services import participant_withdraw
from interviews import hooks, services, transcripts
from interviews.factories import InterviewFactory, NoteFactory
from interviews.forms import InterviewScheduleForm
from interviews.models import Interview, Note
from participants.access import identity_visible
from participants.models import Participant

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def _at_chicago_nine(interview):
    at = datetime.datetime(2026, 12, 1, 15, 0, tzinfo=datetime.UTC)  # 09:00 in Chicago
    Interview.objects.filter(pk=interview.pk).update(
        scheduled_at=at, ends_at=at + datetime.timedelta(minutes=45), time_zone="America/Chicago"
    )


# 1. Times in the interview's own zone ------------------------------------------------------


@pytest.mark.parametrize("page", ["list", "detail", "reschedule", "cancel"])
def test_times_are_shown_in_the_interviews_zone(client_for, cast, interview, page):
    _at_chicago_nine(interview)
    slug = interview.campaign.slug
    url = {
        "list": reverse("interviews:list", args=[slug]) + "?when=all",
        "detail": reverse("interviews:detail", args=[slug, interview.pk]),
        "reschedule": reverse("interviews:reschedule", args=[slug, interview.pk]),
        "cancel": reverse("interviews:cancel", args=[slug, interview.pk]),
    }[page]
    html = client_for(cast["lead"]).get(url).content.decode()
    assert "09:00" in html
    assert ", 15:00" not in html  # (the datetime attribute is UTC, the text local)


# 2. Scheduling does not hand out participants' identities -----------------------------------


def _post_schedule(client, campaign, participant, interviewer, note_taker=None):
    when = timezone.localdate() + datetime.timedelta(days=5)
    data = {
        "participant": participant.pk,
        "date": when.isoformat(),
        "time": "10:00",
        "time_zone": "UTC",
        "duration_minutes": 45,
        "mode": "in_person",
        "interviewer": interviewer.pk,
        "language": "",
    }
    if note_taker:
        data["note_taker"] = note_taker.pk
    return client.post(reverse("interviews:schedule", args=[campaign.slug]), data)


def test_an_interviewer_cannot_schedule_someone_not_assigned_to_them(client_for, cast, campaign, consented):
    other = consented(campaign, full_name="Unassigned Person")
    membership = campaign.memberships.get(user=cast["interviewer"])
    client = client_for(cast["interviewer"])
    page = client.get(reverse("interviews:schedule", args=[campaign.slug])).content.decode()
    assert f">{other.code} · " not in page
    response = _post_schedule(client, campaign, other, cast["interviewer"])
    assert response.status_code == 200
    assert not Interview.objects.exists()
    assert not identity_visible(membership, other)
    with pytest.raises(ValidationError):
        services.interview_schedule(
            campaign=campaign,
            participant=other,
            scheduled_at=timezone.now() + datetime.timedelta(days=3),
            time_zone="UTC",
            interviewer=cast["interviewer"],
            by=cast["interviewer"],
        )


def test_an_interviewer_cannot_extend_the_assignment_to_a_colleague(client_for, cast, campaign, consented):
    mine = consented(campaign)
    mine.assigned_interviewers.add(cast["interviewer"])
    response = _post_schedule(client_for(cast["interviewer"]), campaign, mine, cast["interviewer"], cast["lead"])
    assert response.status_code == 200 and not Interview.objects.exists()
    assert "not assigned" in response.content.decode()
    # Without the colleague, it works; the assignment stays as it was.
    assert _post_schedule(client_for(cast["interviewer"]), campaign, mine, cast["interviewer"]).status_code == 302
    assert set(mine.assigned_interviewers.all()) == {cast["interviewer"]}


def test_a_lead_assigns_the_team_and_it_is_audited(client_for, cast, campaign, consented):
    person = consented(campaign)
    response = _post_schedule(client_for(cast["lead"]), campaign, person, cast["interviewer"])
    assert response.status_code == 302
    assert set(person.assigned_interviewers.all()) == {cast["interviewer"]}
    assert AuditEvent.objects.filter(target_id=str(person.pk), detail__what="assigned interviewers").exists()


def test_the_form_offers_interviewers_only_their_people(cast, campaign, consented):
    mine, other = consented(campaign), consented(campaign)
    mine.assigned_interviewers.add(cast["interviewer"])
    campaign.membership = campaign.memberships.get(user=cast["interviewer"])
    assert list(InterviewScheduleForm(campaign=campaign).fields["participant"].queryset) == [mine]
    campaign.membership = campaign.memberships.get(user=cast["lead"])
    assert set(InterviewScheduleForm(campaign=campaign).fields["participant"].queryset) == {mine, other}


# 3. Completing never un-withdraws -----------------------------------------------------------


def test_completing_a_withdrawn_participants_interview_is_refused(client_for, cast, interview):
    NoteFactory(interview=interview, body="words of someone who withdrew", author=cast["interviewer"])
    participant = interview.participant
    # Withdrawal cancels the interview (item 11); put it back to in progress to try completing anyway.
    participant_withdraw(participant=participant, by=cast["lead"])
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.IN_PROGRESS)
    client = client_for(cast["interviewer"])
    client.post(
        reverse("interviews:debrief", args=[interview.campaign.slug, interview.pk]),
        {"debrief_top_three": "x", "debrief_surprises": "", "debrief_emotions": "", "complete": "1"},
    )
    participant.refresh_from_db()
    assert participant.status == Participant.Status.WITHDRAWN
    assert Interview.objects.get(pk=interview.pk).status != Interview.Status.COMPLETED


def test_move_participant_never_moves_a_declined_person(cast, interview):
    participant = interview.participant
    Participant.objects.filter(pk=participant.pk).update(status=Participant.Status.DECLINED)
    services._move_participant(participant, Participant.Status.INTERVIEWED, cast["lead"], "x")
    participant.refresh_from_db()
    assert participant.status == Participant.Status.DECLINED


# 4. Note history -----------------------------------------------------------------------------


def test_note_history_of_a_withdrawn_participant_is_gone(client_for, cast, interview):
    note = NoteFactory(interview=interview, body="secret words v1", author=cast["interviewer"])
    services._note_update(note, body="secret words v2", kind=note.kind, prompt_id=None, by_id=cast["interviewer"].pk)
    url = reverse("interviews:note_history", args=[interview.campaign.slug, interview.pk, note.pk])
    assert client_for(cast["analyst"]).get(url).status_code == 200
    participant_withdraw(participant=interview.participant)
    response = client_for(cast["analyst"]).get(url)
    assert response.status_code == 404 and b"secret words" not in response.content


def test_a_deleted_notes_history_is_for_its_author_and_leads(client_for, cast, interview):
    note = NoteFactory(interview=interview, body="typed by mistake", author=cast["interviewer"])
    membership = interview.campaign.memberships.get(user=cast["interviewer"])
    services.note_delete(note=note, membership=membership, base_version=note.version)
    url = reverse("interviews:note_history", args=[interview.campaign.slug, interview.pk, note.pk])
    assert client_for(cast["analyst"]).get(url).status_code == 404
    assert client_for(cast["interviewer"]).get(url).status_code == 200
    assert client_for(cast["lead"]).get(url).status_code == 200


# 8. Transcript import: zip bombs, broken files, caps ----------------------------------------

CT = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def _docx(document_xml: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CT)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document_xml)
    return buf.getvalue()


def _document(paragraphs: int) -> str:
    para = "<w:p><w:r><w:t>Participant: x</w:t></w:r></w:p>"
    return (
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{para * paragraphs}</w:body></w:document>"
    )


def test_a_docx_that_unpacks_to_too_much_is_refused_before_parsing():
    data = _docx(_document(transcripts.MAX_DOCX_UNPACKED_BYTES // 40))
    assert len(data) < transcripts.MAX_FILE_BYTES
    with pytest.raises(ValidationError, match="unpacks"):
        transcripts.parse_file("a.docx", data)


def test_too_many_notes_in_one_file_are_refused():
    data = _docx(_document(transcripts.MAX_NOTES_PER_IMPORT + 1))
    with pytest.raises(ValidationError, match="more than"):
        transcripts.parse_file("a.docx", data)
    text = "\n\n".join("Participant: x" for _ in range(transcripts.MAX_NOTES_PER_IMPORT + 1)).encode()
    with pytest.raises(ValidationError, match="more than"):
        transcripts.parse_file("a.txt", text)


def test_broken_docx_files_are_a_message_not_a_500(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    url = reverse("interviews:notes_import", args=[interview.campaign.slug, interview.pk])
    broken_xml = _docx("<not closed")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("hello.txt", "hi")
    for data in (broken_xml, buf.getvalue(), b"PK\x03\x04 not really a zip"):
        response = client.post(url, {"file": SimpleUploadedFile("t.docx", data)})
        assert response.status_code == 200
        assert "could not be read" in response.content.decode()


def test_utf16_text_files_are_read():
    items = transcripts.parse_file("t.txt", "Participant: hola qué tal\n".encode("utf-16"))
    assert items == [{"kind": "quote", "body": "hola qué tal"}]


# 13. NUL characters --------------------------------------------------------------------------


def test_a_nul_character_is_dropped_not_a_500(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    response = client.post(
        reverse("interviews:note_autosave", args=[interview.campaign.slug, interview.pk]),
        {"client_id": str(uuid.uuid4()), "body": "a\x00b", "kind": "quote", "version": 0},
        **JSON,
    )
    assert response.status_code == 200
    assert Note.objects.get().body == "ab"


# 14. Import: replays, closed interviews, the payload's owner ---------------------------------


def _preview(client, interview, text=b"Participant: the bus never came\n"):
    url = reverse("interviews:notes_import", args=[interview.campaign.slug, interview.pk])
    response = client.post(url, {"file": SimpleUploadedFile("t.txt", text)})
    return url, re.search(r'name="payload" value="([^"]+)"', response.content.decode()).group(1)


def test_submitting_a_preview_twice_imports_once(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    url, payload = _preview(client, interview)
    client.post(url, {"payload": payload})
    client.post(url, {"payload": payload})
    assert Note.objects.filter(interview=interview).count() == 1


def test_no_import_into_a_cancelled_interview(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    url, payload = _preview(client, interview)
    services.interview_cancel(interview=interview, by=cast["lead"])
    assert client.post(url, {"payload": payload}).status_code == 302
    assert client.post(url, {"file": SimpleUploadedFile("t.txt", b"Participant: hi\n")}).status_code == 302
    assert not Note.objects.exists()


def test_a_preview_only_imports_into_its_own_interview_by_its_own_person(client_for, cast, campaign, interview):
    lead = client_for(cast["lead"])
    _url, payload = _preview(lead, interview)
    other = InterviewFactory(campaign=campaign, participant=interview.participant, interviewer=cast["interviewer"])
    other_url = reverse("interviews:notes_import", args=[campaign.slug, other.pk])
    lead.post(other_url, {"payload": payload})
    client_for(cast["interviewer"]).post(_url, {"payload": payload})
    assert not Note.objects.exists()


def test_no_consent_is_said_before_a_file_is_read(client_for, cast, interview):
    participant_withdraw(participant=interview.participant)
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.SCHEDULED)
    client = client_for(cast["interviewer"])
    url = reverse("interviews:notes_import", args=[interview.campaign.slug, interview.pk])
    assert client.get(url).status_code == 302


# 11. Withdrawal reaches interviews -----------------------------------------------------------


def test_withdrawal_cancels_active_interviews_and_calls_the_cancel_hooks(cast, interview):
    seen = []
    hooks.CANCELLED.append(seen.append)
    try:
        participant_withdraw(participant=interview.participant, by=cast["lead"])
    finally:
        hooks.CANCELLED.remove(seen.append)
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.CANCELLED
    assert [i.pk for i in seen] == [interview.pk]


def test_no_reschedule_without_consent(cast, interview):
    participant_withdraw(participant=interview.participant)
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.SCHEDULED)
    interview.refresh_from_db()
    with pytest.raises(ValidationError):
        services.interview_reschedule(
            interview=interview,
            scheduled_at=timezone.now() + datetime.timedelta(days=4),
            time_zone="UTC",
            duration=datetime.timedelta(minutes=45),
            by=cast["lead"],
        )


def test_the_debrief_is_hidden_once_the_participant_withdrew(client_for, cast, interview):
    Interview.objects.filter(pk=interview.pk).update(debrief_top_three="she hates the bus")
    url = reverse("interviews:detail", args=[interview.campaign.slug, interview.pk])
    assert b"she hates the bus" in client_for(cast["analyst"]).get(url).content
    participant_withdraw(participant=interview.participant)
    for who in ("analyst", "lead", "interviewer"):
        assert b"she hates the bus" not in client_for(cast[who]).get(url).content


# 15. The interview place -----------------------------------------------------------------------


def test_analysts_do_not_see_the_place(client_for, cast, interview):
    Interview.objects.filter(pk=interview.pk).update(place_or_link="Rosa's home, 12 Elm St")
    url = reverse("interviews:list", args=[interview.campaign.slug])
    assert b"12 Elm St" not in client_for(cast["analyst"]).get(url).content
    assert b"12 Elm St" in client_for(cast["lead"]).get(url).content


# 16. Hooks run inside the scheduling transaction ---------------------------------------------


def test_a_failing_hook_rolls_the_scheduling_back(cast, campaign, consented):
    def boom(interview):
        raise RuntimeError("reminders broke")

    person = consented(campaign)
    hooks.SCHEDULED.append(boom)
    try:
        with pytest.raises(RuntimeError):
            services.interview_schedule(
                campaign=campaign,
                participant=person,
                scheduled_at=timezone.now() + datetime.timedelta(days=3),
                time_zone="UTC",
                interviewer=cast["interviewer"],
                by=cast["lead"],
            )
    finally:
        hooks.SCHEDULED.remove(boom)
    assert not Interview.objects.exists()


def test_hooks_run_before_the_commit(cast, campaign, consented, django_capture_on_commit_callbacks):
    seen = []
    hooks.SCHEDULED.append(seen.append)
    try:
        with django_capture_on_commit_callbacks(execute=False):
            services.interview_schedule(
                campaign=campaign,
                participant=consented(campaign),
                scheduled_at=timezone.now() + datetime.timedelta(days=3),
                time_zone="UTC",
                interviewer=cast["interviewer"],
                by=cast["lead"],
            )
            assert len(seen) == 1  # already called, no commit needed
    finally:
        hooks.SCHEDULED.remove(seen.append)


# Nit: clock changes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, time, message", [("2026-03-08", "02:30", "does not exist"), ("2026-11-01", "01:30", "happens twice")]
)
def test_times_that_do_not_exist_or_happen_twice_are_refused(cast, campaign, day, time, message):
    from interviews.forms import InterviewRescheduleForm

    form = InterviewRescheduleForm(
        {"date": day, "time": time, "time_zone": "America/Chicago", "duration_minutes": 45, "mode": "in_person"}
    )
    assert not form.is_valid()
    assert message in str(form.errors)


# 7. Sign-out clears the browser's storage (accounts.middleware.ClearSiteDataOnLogoutMiddleware) --


def test_signing_out_asks_the_browser_to_clear_its_storage(client_for, cast):
    client = client_for(cast["interviewer"])
    assert "Clear-Site-Data" not in client.get(reverse("account_logout"))  # the confirmation page
    response = client.post(reverse("account_logout"))
    assert response["Clear-Site-Data"] == '"storage"'
    assert "Clear-Site-Data" not in client_for(cast["lead"]).get("/")
