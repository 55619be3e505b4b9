"""Turn a transcript or notes file (.txt, .docx, .vtt, .srt) into notes for an interview.

The rule (also shown on the import page):

- A speaker turn is a line starting with a label and a colon ("Participant: …", "P: …",
  "Interviewer: …") or a WebVTT voice tag (<v Participant>…</v>). Lines without a label
  continue the current turn up to a blank line (in a .docx, up to the paragraph's end);
  consecutive subtitle cues of one speaker make one turn.
- The participant's turns become **quotes**: labels Participant, P, Interviewee, Respondent,
  Student, Parent, Family, Guardian, or the participant's code (e.g. P-014). Any other
  name-like label is taken as the participant too, and the label itself is dropped so no name
  is stored.
- The interviewer's turns (Interviewer, I, Q, Facilitator, Moderator, Note-taker) become
  **follow-ups** when they ask something (end with "?", or open with "Tell me", "Describe",
  "Walk me through", "Say more", "Talk about"), **observations** otherwise ("I see.").
- Labels Note, Notes, Observation, Summary make observations and summaries; a line wholly in
  square brackets ("[laughs]", "[long pause]") is a **nonverbal cue**; unlabelled paragraphs of a
  plain notes file are observations.
"""

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import NOTE_MAX_CHARS, Note

MAX_FILE_BYTES = 2 * 1024 * 1024
# A .docx is a zip: a small file can unpack to gigabytes. Its parts together may hold this much.
MAX_DOCX_UNPACKED_BYTES = 10 * 1024 * 1024
MAX_NOTES_PER_IMPORT = 2000
EXTENSIONS = (".txt", ".docx", ".vtt", ".srt")

PARTICIPANT_LABELS = {"participant", "p", "interviewee", "respondent", "student", "parent", "family", "guardian", "r"}
INTERVIEWER_LABELS = {"interviewer", "i", "q", "facilitator", "moderator", "note-taker", "notetaker", "int"}
OBSERVATION_LABELS = {"note", "notes", "observation", "obs"}
SUMMARY_LABELS = {"summary"}
ASKING = re.compile(r"^(tell me|describe|walk me through|say more|talk about|help me understand)\b", re.I)

LABEL = re.compile(r"^\s*([A-Za-z][\w .'-]{0,39}?)\s*:\s+(.*)$")
CODE_LABEL = re.compile(r"^[A-Z]-\d{1,5}$")
TIMING = re.compile(r"^\s*(\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}\s*-->\s*(\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3}")
VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>(.*?)(?:</v>|$)", re.S)
TAG = re.compile(r"</?[^>]+>")
BRACKETED = re.compile(r"^\s*[\[(][^\])]{1,200}[\])]\s*$")


@dataclass
class Turn:
    speaker: str | None  # the label as written, or None for unlabelled text
    text: str


def _role(label: str | None, code: str = "") -> str:
    """'participant', 'interviewer', 'observation', 'summary' or 'unlabelled'."""
    if label is None:
        return "unlabelled"
    key = label.strip().lower()
    if key in INTERVIEWER_LABELS:
        return "interviewer"
    if key in OBSERVATION_LABELS:
        return "observation"
    if key in SUMMARY_LABELS:
        return "summary"
    return "participant"  # participant labels, the participant's code, or a name


def _is_label(label: str, code: str) -> bool:
    """Whether 'Word:' at a line start is a speaker label (not "Note the time: 9am")."""
    key = label.strip().lower()
    known = PARTICIPANT_LABELS | INTERVIEWER_LABELS | OBSERVATION_LABELS | SUMMARY_LABELS
    if key in known or label.strip() == code or CODE_LABEL.match(label.strip()):
        return True
    # A name: one to three capitalised words.
    words = label.split()
    return 1 <= len(words) <= 3 and all(w[:1].isupper() for w in words)


def classify(turns: list[Turn], code: str = "") -> list[dict]:
    items = []
    for turn in turns:
        text = turn.text.strip()
        if not text:
            continue
        if BRACKETED.match(text):
            kind = Note.Kind.NONVERBAL
            text = text.strip()[1:-1].strip()
        else:
            role = _role(turn.speaker, code)
            kind = {
                "participant": Note.Kind.QUOTE,
                "interviewer": Note.Kind.FOLLOW_UP
                if text.endswith("?") or ASKING.match(text)
                else Note.Kind.OBSERVATION,
                "observation": Note.Kind.OBSERVATION,
                "summary": Note.Kind.SUMMARY,
                "unlabelled": Note.Kind.OBSERVATION,
            }[role]
        items.append({"kind": str(kind), "body": text})
    for n, item in enumerate(items, start=1):
        if len(item["body"]) > NOTE_MAX_CHARS:
            raise ValidationError(
                _("Turn %(n)d has %(chars)s characters; a note holds at most %(max)s. Split it in the file.")
                % {"n": n, "chars": f"{len(item['body']):,}", "max": f"{NOTE_MAX_CHARS:,}"}
            )
    return items


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with its byte-order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def parse_lines(lines: list[str], code: str = "") -> list[Turn]:
    """Plain text (and .docx paragraphs): labelled turns; a blank line ends a turn."""
    turns: list[Turn] = []
    current: Turn | None = None
    for raw in lines:
        line = raw.rstrip()
        if not line.strip():
            current = None  # a blank line ends the turn
            continue
        if BRACKETED.match(line):
            turns.append(Turn(None, line.strip()))
            current = None
            continue
        match = LABEL.match(line)
        if match and _is_label(match.group(1), code):
            current = Turn(match.group(1).strip(), match.group(2).strip())
            turns.append(current)
        elif current is not None:
            current.text += "\n" + line.strip()
        else:
            current = Turn(None, line.strip())
            turns.append(current)
    return turns


def parse_cues(text: str, code: str = "") -> list[Turn]:
    """WebVTT and SRT: cue text (timings and cue numbers dropped), speakers from voice tags or labels;
    consecutive cues of one speaker merged into one turn."""
    turns: list[Turn] = []
    blocks = re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("WEBVTT") or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, line in enumerate(lines) if TIMING.match(line)), None)
        if timing_at is None:
            continue
        for line in lines[timing_at + 1 :]:
            voices = VOICE.findall(line)
            pieces = [(s.strip(), t) for s, t in voices] if voices else [(None, line)]
            for speaker, piece in pieces:
                piece = TAG.sub("", piece).strip()
                if speaker is None:
                    match = LABEL.match(piece)
                    if match and _is_label(match.group(1), code):
                        speaker, piece = match.group(1).strip(), match.group(2).strip()
                    elif BRACKETED.match(piece):
                        turns.append(Turn(None, piece))
                        continue
                    elif turns and turns[-1].speaker is not None:
                        speaker = turns[-1].speaker  # a cue continuing the last speaker's turn
                if not piece:
                    continue
                if turns and turns[-1].speaker == speaker and not BRACKETED.match(turns[-1].text):
                    turns[-1].text += " " + piece
                else:
                    turns.append(Turn(speaker, piece))
    return turns


def parse_file(name: str, data: bytes, code: str = "") -> list[dict]:
    """The notes a file holds, as [{"kind", "body"}], or ValidationError saying what is wrong."""
    lower = (name or "").lower()
    if not lower.endswith(EXTENSIONS):
        raise ValidationError(_("Choose a .txt, .docx, .vtt or .srt file."))
    if len(data) > MAX_FILE_BYTES:
        raise ValidationError(_("That file is over 2 MB. Split it, or import the text part only."))
    if not data.strip():
        raise ValidationError(_("That file is empty."))
    if lower.endswith(".docx"):
        turns = parse_lines(_docx_paragraphs(data), code)
    elif lower.endswith((".vtt", ".srt")):
        text = _decode(data)
        if lower.endswith(".vtt") and not text.lstrip("\ufeff").startswith("WEBVTT"):
            raise ValidationError(_("That is not a WebVTT file: it should start with WEBVTT."))
        turns = parse_cues(text, code)
        if not turns:
            raise ValidationError(_("No subtitle cues found (lines like 00:00:01.000 --> 00:00:04.000)."))
    else:
        turns = parse_lines(_decode(data).replace("\r\n", "\n").split("\n"), code)
    if len(turns) > MAX_NOTES_PER_IMPORT:
        raise ValidationError(
            _("That file holds more than %(max)s notes. Split it into smaller files.")
            % {"max": f"{MAX_NOTES_PER_IMPORT:,}"}
        )
    items = classify(turns, code)
    if not items:
        raise ValidationError(_("No notes found in that file."))
    for item in items:
        item["body"] = item["body"].replace("\x00", "")
    return items


def _docx_paragraphs(data: bytes) -> list[str]:
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from lxml.etree import XMLSyntaxError

    unreadable = _("That .docx file could not be read. Save it again from your word processor.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise ValidationError(unreadable) from error
    if unpacked > MAX_DOCX_UNPACKED_BYTES:
        raise ValidationError(
            _("That .docx file unpacks to more than %(mb)d MB. Save the text as a .txt file and import that.")
            % {"mb": MAX_DOCX_UNPACKED_BYTES // (1024 * 1024)}
        )
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, XMLSyntaxError, PackageNotFoundError) as error:
        raise ValidationError(unreadable) from error
    lines = []
    for paragraph in document.paragraphs:
        # One paragraph, one note: a blank line after each keeps unlabelled paragraphs apart.
        lines.extend(paragraph.text.split("\n"))
        lines.append("")
    return lines
