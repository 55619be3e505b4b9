import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from interviews.models import NOTE_MAX_CHARS, Note
from interviews.transcripts import parse_file

TXT = """Interviewer: Tell me about the last time you missed school.
Participant: The bus didn't come. I waited forty minutes
and then I went home.
[long pause]
I: What was that like for you?
P: Honestly? Embarrassing.
Note: she looked at the floor when she said it.

The family had a letter on the table during the call.
"""

VTT = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
<v Interviewer>Tell me about a usual morning.</v>

2
00:00:04.500 --> 00:00:08.000
<v Participant>I wake up my brother</v>

3
00:00:08.000 --> 00:00:10.000
<v Participant>and we walk.</v>

4
00:00:10.500 --> 00:00:12.000
<v.loud Interviewer>Why?</v>

NOTE a comment that is not a cue

5
00:00:12.000 --> 00:00:13.000
[laughs]
"""

SRT = """1
00:00:01,000 --> 00:00:03,000
Interviewer: Who do you turn to when he can't get to school?

2
00:00:03,500 --> 00:00:06,000
Maria Lopez: My neighbour drives him.

3
00:00:06,000 --> 00:00:08,000
If she can't, he stays home.

4
00:00:08,500 --> 00:00:09,000
Interviewer: I see.
"""


def kinds_and_bodies(items):
    return [(i["kind"], i["body"]) for i in items]


def test_plain_text_turns():
    items = parse_file("notes.txt", TXT.encode())
    assert kinds_and_bodies(items) == [
        ("follow_up", "Tell me about the last time you missed school."),
        ("quote", "The bus didn't come. I waited forty minutes\nand then I went home."),
        ("nonverbal", "long pause"),
        ("follow_up", "What was that like for you?"),
        ("quote", "Honestly? Embarrassing."),
        ("observation", "she looked at the floor when she said it."),
        ("observation", "The family had a letter on the table during the call."),
    ]


def test_plain_text_in_windows_encoding_and_a_participant_code_label():
    text = "P-014: Caf\xe9 mornings are hard.\r\nInterviewer: Thank you.\r\n"
    items = parse_file("x.txt", text.encode("cp1252"), code="P-014")
    assert kinds_and_bodies(items) == [("quote", "Café mornings are hard."), ("observation", "Thank you.")]


def test_a_colon_inside_a_sentence_is_not_a_speaker():
    items = parse_file("x.txt", b"we met at the library: it was quiet\n")
    assert kinds_and_bodies(items) == [("observation", "we met at the library: it was quiet")]


def test_webvtt_voice_tags_and_merged_cues():
    items = parse_file("call.vtt", VTT.encode())
    assert kinds_and_bodies(items) == [
        ("follow_up", "Tell me about a usual morning."),
        ("quote", "I wake up my brother and we walk."),
        ("follow_up", "Why?"),
        ("nonverbal", "laughs"),
    ]


def test_srt_labels_continuations_and_names_dropped():
    items = parse_file("call.srt", SRT.encode())
    assert kinds_and_bodies(items) == [
        ("follow_up", "Who do you turn to when he can't get to school?"),
        ("quote", "My neighbour drives him. If she can't, he stays home."),
        ("observation", "I see."),
    ]
    assert not any("Maria" in i["body"] for i in items)  # the speaker's name is not kept


def test_docx_paragraphs():
    import docx

    document = docx.Document()
    document.add_paragraph("Interviewer: What is most important to you about school?")
    document.add_paragraph("Parent: That she feels she belongs.")
    document.add_paragraph("She smiled for the first time.")
    document.add_paragraph("Summary: belonging matters more than the letters.")
    buffer = io.BytesIO()
    document.save(buffer)
    items = parse_file("notes.docx", buffer.getvalue())
    assert kinds_and_bodies(items) == [
        ("follow_up", "What is most important to you about school?"),
        ("quote", "That she feels she belongs."),
        ("observation", "She smiled for the first time."),
        ("summary", "belonging matters more than the letters."),
    ]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"x", ".txt, .docx, .vtt or .srt"),
        ("notes.txt", b"   \n", "empty"),
        ("notes.docx", b"not a zip", "could not be read"),
        ("call.vtt", b"00:00:01.000 --> 00:00:02.000\nhi", "WEBVTT"),
        ("call.srt", b"just text, no cues", "No subtitle cues"),
        ("notes.txt", ("P: " + "a" * (NOTE_MAX_CHARS + 1)).encode(), "Turn 1"),
        ("notes.txt", b"x" * (2 * 1024 * 1024 + 1), "2 MB"),
    ],
)
def test_clear_errors(name, data, message):
    with pytest.raises(ValidationError) as error:
        parse_file(name, data)
    assert message in " ".join(error.value.messages)


def test_import_previews_then_imports_all(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    url = reverse("interviews:notes_import", args=[interview.campaign.slug, interview.pk])
    response = client.post(url, {"file": SimpleUploadedFile("t.txt", TXT.encode(), "text/plain")})
    body = response.content.decode()
    assert "Check the import" in body and "Import 7 notes" in body
    assert not Note.objects.exists()  # nothing until confirmed
    payload = response.context["payload"]
    response = client.post(url, {"payload": payload})
    assert response.status_code == 302
    assert list(Note.objects.order_by("created_at", "id").values_list("kind", flat=True)) == [
        "follow_up",
        "quote",
        "nonverbal",
        "follow_up",
        "quote",
        "observation",
        "observation",
    ]


def test_import_errors_are_shown_and_nothing_is_stored(client_for, cast, interview):
    client = client_for(cast["interviewer"])
    url = reverse("interviews:notes_import", args=[interview.campaign.slug, interview.pk])
    response = client.post(url, {"file": SimpleUploadedFile("t.pdf", b"x")})
    assert ".txt, .docx, .vtt or .srt" in response.content.decode()
    response = client.post(url, {"payload": "tampered"}, follow=True)
    assert "expired" in response.content.decode()
    assert not Note.objects.exists()
