from datetime import UTC, datetime, timedelta

from reminders import ics


def _unfold(text):
    return text.replace("\r\n ", "")


def test_an_invitation_is_valid_rfc5545():
    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    text = ics.calendar(
        uid="interview-1@example.org",
        sequence=3,
        start=start,
        end=start + timedelta(minutes=45),
        summary="Attendance, interviews; with a comma",
        location="Room 12 — Lincoln Middle School, 2nd floor " * 3,
        organizer="no-reply@example.org",
        attendee="alma@example.net",
    )
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    flat = _unfold(text)
    assert "METHOD:REQUEST" in flat and "STATUS:CONFIRMED" in flat
    assert "DTSTART:20261201T150000Z" in flat and "DTEND:20261201T154500Z" in flat
    assert "SUMMARY:Attendance\\, interviews\\; with a comma" in flat
    assert "SEQUENCE:3" in flat and "UID:interview-1@example.org" in flat


def test_a_cancellation_uses_method_cancel():
    start = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    text = ics.calendar(uid="u", sequence=4, start=start, end=start + timedelta(hours=1), summary="x", cancel=True)
    assert "METHOD:CANCEL" in text and "STATUS:CANCELLED" in text
