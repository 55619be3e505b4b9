import uuid

import pytest
from django.urls import reverse

from consent.factories import ConsentRecordFactory
from consent.models import ConsentRecord
from interviews.factories import InterviewFactory, NoteFactory
from interviews.models import NOTE_MAX_CHARS, Note
from participants.factories import ParticipantFactory

JSON = {"HTTP_ACCEPT": "application/json"}


def detail_url(interview):
    return reverse("interviews:detail", args=[interview.campaign.slug, interview.pk])


def save_url(interview):
    return reverse("interviews:note_autosave", args=[interview.campaign.slug, interview.pk])


def post_note(client, interview, body="The bus never came.", client_id=None, version=0, **extra):
    data = {"client_id": client_id or str(uuid.uuid4()), "body": body, "kind": "quote", "version": version, **extra}
    return client.post(save_url(interview), data, **JSON)


def test_autosave_stores_and_answers_json(client_for, cast, interview):
    response = post_note(client_for(cast["interviewer"]), interview)
    assert response.status_code == 200
    note = response.json()["note"]
    assert note["version"] == 1 and note["body"] == "The bus never came." and note["editable"]
    assert Note.objects.get().author == cast["interviewer"]


def test_the_same_note_sent_twice_is_stored_once(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    client_id = str(uuid.uuid4())
    first = post_note(client, interview, client_id=client_id).json()["note"]
    second = post_note(client, interview, client_id=client_id).json()["note"]
    assert first == second
    assert Note.objects.count() == 1


def test_a_stale_save_answers_409_with_the_stored_text(client_for, cast, interview):
    client_id = str(uuid.uuid4())
    post_note(client_for(cast["interviewer"]), interview, body="mine", client_id=client_id)
    post_note(client_for(cast["lead"]), interview, body="the lead's edit", client_id=client_id, version=1)
    response = post_note(
        client_for(cast["interviewer"]), interview, body="my later edit", client_id=client_id, version=1
    )
    assert response.status_code == 409
    data = response.json()
    assert data["error"] == "conflict" and data["note"]["body"] == "the lead's edit" and data["note"]["version"] == 2
    assert Note.objects.get().body == "the lead's edit"


def test_too_long_is_refused_with_a_message(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    assert post_note(client, interview, body="x" * NOTE_MAX_CHARS).status_code == 200
    response = post_note(client, interview, body="x" * (NOTE_MAX_CHARS + 1))
    assert response.status_code == 413
    assert "20,000" in response.json()["message"]
    assert Note.objects.count() == 1


def test_no_consent_is_refused_with_the_reason_and_nothing_is_stored(client_for, cast, campaign):
    participant = ParticipantFactory(campaign=campaign, is_minor=True)
    ConsentRecordFactory(participant=participant, kind=ConsentRecord.Kind.GUARDIAN)  # but no assent
    interview = InterviewFactory(campaign=campaign, participant=participant, interviewer=cast["interviewer"])
    client = client_for(cast["interviewer"])
    response = post_note(client, interview)
    assert response.status_code == 400
    assert response.json()["error"] == "no_consent" and "assent" in response.json()["message"]
    assert not Note.objects.exists()
    page = client.get(detail_url(interview)).content.decode()
    assert "Notes cannot be saved for this participant" in page and "assent" in page
    assert "composer-text" not in page


def test_signed_out_autosave_answers_401_json_not_a_login_page(client, interview):
    response = client.post(save_url(interview), {"client_id": str(uuid.uuid4()), "body": "x"}, **JSON)
    assert response.status_code == 401
    assert response.json()["error"] == "signed_out"
    # a plain visit still goes to sign in
    response = client.get(save_url(interview))
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not Note.objects.exists()


def test_analysts_and_viewers_cannot_save(client_for, cast, interview):
    assert post_note(client_for(cast["analyst"]), interview).status_code == 403
    assert post_note(client_for(cast["viewer"]), interview).status_code == 403
    assert not Note.objects.exists()


def test_changes_since_returns_only_new_and_changed_notes(client_for, cast, interview):
    client = client_for(cast["lead"])
    old = NoteFactory(interview=interview, body="old")
    url = reverse("interviews:notes_changes", args=[interview.campaign.slug, interview.pk])
    everything = client.get(url, **JSON).json()
    assert [n["client_id"] for n in everything["notes"]] == [str(old.client_id)]
    Note.objects.filter(pk=old.pk).update(updated_at=old.updated_at.replace(year=2020))
    new = NoteFactory(interview=interview, body="new")
    since = new.updated_at.replace(year=2021).isoformat()
    changed = client.get(url, {"since": since}, **JSON).json()
    assert [n["body"] for n in changed["notes"]] == ["new"]
    assert "cursor" in changed


def test_notes_are_escaped_with_line_breaks_kept(client_for, cast, interview):
    NoteFactory(interview=interview, body="<script>alert('x')</script>\nsecond line")
    body = client_for(cast["lead"]).get(detail_url(interview)).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>second line" in body


def test_the_page_shows_the_code_and_role_never_the_name(client_for, cast, interview):
    for role in ("lead", "interviewer", "analyst"):
        body = client_for(cast[role]).get(detail_url(interview)).content.decode()
        assert interview.participant.code in body
        assert "Rosa Secretname" not in body


def test_analysts_read_but_get_no_note_boxes(client_for, cast, interview):
    NoteFactory(interview=interview, body="She walks 40 minutes.")
    body = client_for(cast["analyst"]).get(detail_url(interview)).content.decode()
    assert "She walks 40 minutes." in body
    assert 'data-can-write="0"' in body and "composer-text" not in body


def test_the_page_documents_its_shortcuts(client_for, cast, interview):
    body = client_for(cast["interviewer"]).get(detail_url(interview)).content.decode()
    for shortcut in ("Ctrl</kbd>+<kbd>Enter", "Alt</kbd>+<kbd>F", "Alt</kbd>+<kbd>N", "Alt</kbd>+<kbd>1"):
        assert shortcut in body
    assert 'aria-live="polite"' in body and "js/notes.js" in body


def test_history_shows_every_version(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    client_id = str(uuid.uuid4())
    post_note(client, interview, body="first <b>words</b>", client_id=client_id)
    post_note(client, interview, body="second words", client_id=client_id, version=1)
    note = Note.objects.get()
    body = client.get(reverse("interviews:note_history", args=[interview.campaign.slug, interview.pk, note.pk]))
    text = body.content.decode()
    assert "second words" in text and "first &lt;b&gt;words&lt;/b&gt;" in text and "Version 1" in text


def test_debrief_and_complete(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    url = reverse("interviews:debrief", args=[interview.campaign.slug, interview.pk])
    response = client.post(
        url,
        {"debrief_top_three": "Buses", "debrief_surprises": "Letters", "debrief_emotions": "Worry", "complete": "1"},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    interview.participant.refresh_from_db()
    assert interview.status == "completed" and interview.debrief_top_three == "Buses"
    assert interview.participant.status == "interviewed"


# Query budgets --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [3, 60])
def test_note_page_query_budget(client_for, cast, interview, django_assert_num_queries, n):
    for i in range(n):
        NoteFactory(interview=interview, author=cast["lead"] if i % 2 else cast["interviewer"], prompt=None)
    client = client_for(cast["interviewer"])
    # session, user, membership+campaign, interview+participant+guide+team, prompts, notes+authors,
    # consent records (the "can notes be saved" banner), the interview's emails (reminders panel);
    # then the session save (savepoint, update, release)
    with django_assert_num_queries(11):
        assert client.get(detail_url(interview)).status_code == 200


@pytest.mark.parametrize("existing", [0, 2000])
def test_autosave_query_budget(client_for, cast, campaign, interview, django_assert_num_queries, existing):
    interview.mark_started()  # the steady state (the first note of a scheduled interview also starts it)
    if existing:
        other = InterviewFactory(campaign=campaign, participant=interview.participant, interviewer=cast["lead"])
        Note.objects.bulk_create(
            Note(
                interview=other,
                campaign=campaign,
                participant=interview.participant,
                body=f"note {i}",
                author=cast["lead"],
                client_id=uuid.uuid4(),
            )
            for i in range(existing)
        )
    client = client_for(cast["interviewer"])
    prompt = interview.guide.prompts.get()
    # session, user, membership+campaign, interview+participant+guide (and "is the prompt in its
    # guide" as a subquery), consent records, savepoint + insert + release; then the session's
    # sliding expiry is saved (savepoint, update, release)
    with django_assert_num_queries(11):
        assert post_note(client, interview, prompt=prompt.pk).status_code == 200
    # Saving a draft again (based on version 1, unchanged): the same first five, the note by client
    # id, then the session save; nothing written.
    client_id = Note.objects.get(interview=interview).client_id
    with django_assert_num_queries(9):
        assert post_note(client, interview, client_id=str(client_id), prompt=prompt.pk, version=1).status_code == 200
    # A replayed create (version 0) that is already stored: the insert fails on the unique client id
    # (savepoint, insert, rollback to and release the savepoint) and the stored note is read instead.
    with django_assert_num_queries(13):
        assert post_note(client, interview, client_id=str(client_id), prompt=prompt.pk).status_code == 200


def test_a_withdrawn_participants_words_are_hidden(client_for, cast, interview):
    NoteFactory(interview=interview, body="Something she later took back.")
    ConsentRecordFactory(participant=interview.participant, kind=ConsentRecord.Kind.WITHDRAWAL)
    for role in ("lead", "interviewer", "analyst"):
        client = client_for(cast[role])
        body = client.get(detail_url(interview)).content.decode()
        assert "Something she later took back." not in body
        url = reverse("interviews:notes_changes", args=[interview.campaign.slug, interview.pk])
        assert client.get(url, **JSON).json()["notes"] == []
    assert "withdrew" in client_for(cast["interviewer"]).get(detail_url(interview)).content.decode()
