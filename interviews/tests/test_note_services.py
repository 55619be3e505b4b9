import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from campaigns.factories import MembershipFactory
from campaigns.models import Membership, Role
from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from interviews import services
from interviews.factories import InterviewFactory, NoteFactory
from interviews.models import NOTE_MAX_CHARS, Interview, Note, NoteRevision
from participants.factories import ParticipantFactory


def member(campaign, user):
    return Membership.objects.get(campaign=campaign, user=user)


def save(interview, membership, client_id, body, version=0, **extra):
    return services.note_save(
        interview=interview, membership=membership, client_id=client_id, body=body, base_version=version, **extra
    )


def test_a_new_note_is_stored_with_the_interview_campaign_and_participant(campaign, cast, interview):
    prompt = interview.guide.prompts.get()
    note, changed = save(
        interview,
        member(campaign, cast["interviewer"]),
        uuid.uuid4(),
        "The bus never came.",
        kind="quote",
        prompt_id=str(prompt.pk),
    )
    assert changed and note.version == 1
    assert (note.campaign, note.participant, note.prompt, note.author) == (
        campaign,
        interview.participant,
        prompt,
        cast["interviewer"],
    )


def test_replaying_the_same_note_stores_it_once(campaign, cast, interview):
    client_id = str(uuid.uuid4())
    membership = member(campaign, cast["interviewer"])
    first, created = save(interview, membership, client_id, "Mornings fall apart.")
    again, changed = save(interview, membership, client_id, "Mornings fall apart.")
    assert created and not changed
    assert again.pk == first.pk and again.version == 1
    assert Note.objects.count() == 1 and not NoteRevision.objects.exists()


def test_non_uuid_client_ids_are_idempotent_too(campaign, cast, interview):
    membership = member(campaign, cast["interviewer"])
    save(interview, membership, "bench-17", "x")
    save(interview, membership, "bench-17", "x")
    assert Note.objects.count() == 1


def test_a_stale_save_by_someone_else_is_refused_and_nothing_is_overwritten(campaign, cast, interview):
    lead = member(campaign, cast["lead"])
    author = member(campaign, cast["interviewer"])
    client_id = uuid.uuid4()
    save(interview, author, client_id, "She said the letter scared her.")
    save(interview, lead, client_id, "She said the second letter scared her.", version=1)  # v2, by the lead
    with pytest.raises(services.NoteConflict) as conflict:
        save(interview, author, client_id, "She said the letter scared her mother.", version=1)
    assert conflict.value.note.body == "She said the second letter scared her."
    note = Note.objects.get()
    assert note.version == 2 and note.body == "She said the second letter scared her."


def test_an_own_save_whose_answer_was_lost_is_applied(campaign, cast, interview):
    """Offline: the create reached the server but its answer did not; the next edit still names version 0."""
    author = member(campaign, cast["interviewer"])
    client_id = uuid.uuid4()
    save(interview, author, client_id, "First words")
    note, changed = save(interview, author, client_id, "First words, and more", version=0)
    assert changed and note.version == 2 and note.body == "First words, and more"


def test_edits_keep_history(campaign, cast, interview):
    author = member(campaign, cast["interviewer"])
    client_id = uuid.uuid4()
    save(interview, author, client_id, "one")
    save(interview, author, client_id, "two", version=1)
    save(interview, author, client_id, "three", version=2, kind="summary")
    note = Note.objects.get()
    assert (note.body, note.kind, note.version) == ("three", "summary", 3)
    assert list(note.revisions.values_list("version", "body")) == [(2, "two"), (1, "one")]


def test_only_the_author_and_leads_edit(campaign, cast, interview):
    other = MembershipFactory(campaign=campaign, role=Role.INTERVIEWER)
    interview.note_taker = other.user
    interview.save()
    client_id = uuid.uuid4()
    save(interview, member(campaign, cast["interviewer"]), client_id, "original")
    with pytest.raises(PermissionDenied):
        save(interview, other, client_id, "changed by the note-taker", version=1)
    note, _ = save(interview, member(campaign, cast["lead"]), client_id, "fixed by the lead", version=1)
    assert note.version == 2


def test_people_outside_the_interview_team_cannot_write(campaign, cast, interview):
    stranger = MembershipFactory(campaign=campaign, role=Role.INTERVIEWER)
    for membership in (stranger, member(campaign, cast["analyst"])):
        with pytest.raises(PermissionDenied):
            save(interview, membership, uuid.uuid4(), "x")
    assert not Note.objects.exists()


def test_twenty_thousand_characters_fit_and_one_more_is_refused(campaign, cast, interview):
    author = member(campaign, cast["interviewer"])
    note, _ = save(interview, author, uuid.uuid4(), "a" * NOTE_MAX_CHARS)
    assert len(note.body) == NOTE_MAX_CHARS
    with pytest.raises(ValidationError) as error:
        save(interview, author, uuid.uuid4(), "a" * (NOTE_MAX_CHARS + 1))
    assert error.value.code == "too_long" and "20,000" in error.value.messages[0]
    assert Note.objects.count() == 1


def test_the_database_refuses_an_oversized_note_too(interview):
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFactory(interview=interview, body="a" * (NOTE_MAX_CHARS + 1))


def test_client_id_is_unique_per_interview_in_the_database(campaign, interview):
    client_id = uuid.uuid4()
    NoteFactory(interview=interview, client_id=client_id)
    NoteFactory(interview=InterviewFactory(campaign=campaign), client_id=client_id)  # another interview: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteFactory(interview=interview, client_id=client_id)


def test_no_note_without_current_consent(campaign, cast):
    participant = ParticipantFactory(campaign=campaign)
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=cast["interviewer"])
    with pytest.raises(ValidationError, match="has not given consent"):
        save(interview, member(campaign, cast["interviewer"]), uuid.uuid4(), "anything")
    assert not Note.objects.exists()


def test_a_minor_with_guardian_consent_but_no_assent_gets_no_notes(campaign, cast):
    participant = ParticipantFactory(campaign=campaign, is_minor=True)
    ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.GUARDIAN)
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=cast["interviewer"])
    with pytest.raises(ValidationError, match="assent"):
        save(interview, member(campaign, cast["interviewer"]), uuid.uuid4(), "anything")
    assert not Note.objects.exists()


def test_after_a_withdrawal_nothing_more_is_saved(campaign, cast, interview):
    author = member(campaign, cast["interviewer"])
    save(interview, author, uuid.uuid4(), "before")
    ConsentRecordFactory(participant=interview.participant, kind=ConsentRecord.Kind.WITHDRAWAL)
    with pytest.raises(ValidationError, match="withdrew"):
        save(interview, author, uuid.uuid4(), "after")
    assert list(Note.objects.values_list("body", flat=True)) == ["before"]


def test_a_prompt_from_another_guide_is_refused(campaign, cast, interview):
    from interviews.factories import PromptFactory

    foreign = PromptFactory()
    with pytest.raises(ValidationError):
        save(interview, member(campaign, cast["interviewer"]), uuid.uuid4(), "x", prompt_id=foreign.pk)


def test_cancelled_interviews_take_no_notes(campaign, cast, interview):
    interview.mark_cancelled()
    with pytest.raises(ValidationError):
        save(interview, member(campaign, cast["interviewer"]), uuid.uuid4(), "x")
    assert interview.status == Interview.Status.CANCELLED


def test_delete_is_soft_and_versioned(campaign, cast, interview):
    author = member(campaign, cast["interviewer"])
    note, _ = save(interview, author, uuid.uuid4(), "typo note")
    services.note_delete(note=note, membership=author, base_version=1)
    note.refresh_from_db()
    assert note.is_deleted and note.version == 2 and note.revisions.count() == 1


def test_import_is_all_or_nothing(campaign, cast, interview):
    author = member(campaign, cast["interviewer"])
    items = [{"kind": "quote", "body": "ok"}, {"kind": "quote", "body": "a" * (NOTE_MAX_CHARS + 1)}]
    with pytest.raises(ValidationError, match="Turn 2"):
        services.notes_import(interview=interview, membership=author, items=items)
    assert not Note.objects.exists()
    services.notes_import(interview=interview, membership=author, items=items[:1] * 3)
    assert Note.objects.count() == 3


def test_the_first_note_starts_the_interview_and_locks_predictions(campaign, cast, interview):
    assert not services.predictions_locked(campaign)
    save(interview, member(campaign, cast["interviewer"]), uuid.uuid4(), "first words")
    interview.refresh_from_db()
    assert interview.status == Interview.Status.IN_PROGRESS
    assert services.predictions_locked(campaign)
