"""A small RFC 5545 writer: one VEVENT, METHOD:REQUEST to invite or update, METHOD:CANCEL to cancel.

Calendar clients match updates and cancellations by UID and take the highest SEQUENCE, so the
UID is stable per interview and SEQUENCE grows whenever the interview changes.
"""

from datetime import UTC, datetime


def _escape(value: str) -> str:
    return (
        str(value)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    pieces, current = [], b""
    for char in line:
        b = char.encode("utf-8")
        if len(current) + len(b) > (75 if not pieces else 74):
            pieces.append(current.decode("utf-8"))
            current = b""
        current += b
    pieces.append(current.decode("utf-8"))
    return "\r\n ".join(pieces)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    *,
    uid: str,
    sequence: int,
    start: datetime,
    end: datetime,
    summary: str,
    description: str = "",
    location: str = "",
    organizer: str = "",
    attendee: str = "",
    cancel: bool = False,
    now: datetime | None = None,
) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//empathy//reminders//EN",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancel else 'REQUEST'}",
        "BEGIN:VEVENT",
        f"UID:{_escape(uid)}",
        f"SEQUENCE:{int(sequence)}",
        f"DTSTAMP:{_utc(now or datetime.now(UTC))}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{_escape(summary)}",
        f"STATUS:{'CANCELLED' if cancel else 'CONFIRMED'}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{_escape(description)}")
    if location:
        lines.append(f"LOCATION:{_escape(location)}")
    if organizer:
        lines.append(f"ORGANIZER:mailto:{organizer}")
    if attendee:
        lines.append(f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{attendee}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
