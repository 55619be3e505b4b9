"""Writes for reminders and emails: planning rows, the send pipeline, templates and settings.

Sending — how "exactly once" is kept
------------------------------------
The rows are the truth; Celery messages only say "look now". Each send goes:

1. claim: in one short transaction, pick one due row (`select_for_update(skip_locked=True)` on
   PostgreSQL; on SQLite, which has no row locks, the conditional UPDATE below is the guard) and
   set it `sending` with a fresh claim token, `claimed_at` and one more attempt. Only the worker
   whose UPDATE matched `status='pending'` owns it; two workers never own the same row.
2. check: skip (with the reason) what must not go — a reminder whose interview has started,
   moved or been cancelled; one superseded by a later reminder that is also due; a participant
   who withdrew or has no consent to be contacted.
3. hand-off mark: in one transaction, lock the interview row, re-check that a reminder's
   interview is still scheduled at the same time (a cancellation or move that committed after
   the claim skips the row here), and commit `handoff_at`. Until here nothing has left the building.
4. SMTP: open, send, and as soon as the server accepts (250 after DATA), commit `sent`.
   Commands wait `REMINDERS_SMTP_TIMEOUT`; once the message itself has gone, the final answer is
   awaited `REMINDERS_SMTP_DATA_TIMEOUT` (RFC 5321: slow servers exist), capped by the lease.
   An error without an answer after the message went (timeout, disconnect) leaves the outcome
   unknown: the row is `failed` with "may have been delivered", keeps its hand-off mark and is
   NOT sent again automatically (that is how slow servers made duplicates); a lead's Retry sends
   it with the same Message-ID. A 4xx/5xx answer is a clear "not accepted" and is retried/failed.
5. close the connection.

A worker that dies is found by its lease (`REMINDERS_LEASE_SECONDS`, default 900 s, above the worst
case of a live send: a few commands at the SMTP timeout plus the final answer, which is capped to
end before the lease): without a hand-off mark the row certainly was not sent and goes back to
pending (after `REMINDERS_MAX_ATTEMPTS` such losses it fails). With a hand-off mark the message
may or may not have been accepted — the worker died between hand-off and our commit of `sent`.
Such a row is re-sent with the same Message-ID (mail systems and clients drop duplicate
Message-IDs), and its reason says so. Everything else is exactly once.

SMTP errors are retried from the row (not Celery's retry: a Redis restart would lose those):
pending again with `next_try_at` backed off 30 s, 60 s, … up to 10 min; after
`REMINDERS_MAX_ATTEMPTS` tries the row is `failed` with the error. A refused recipient fails at once.
"""

import logging
import re
import smtplib
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record

from . import placeholders
from .messages import SkipEmail, build, to_message
from .models import DEFAULT_OFFSETS_MINUTES, Email, EmailTemplate, Kind, ReminderSettings

log = logging.getLogger(__name__)

Status = Email.Status


def _setting(name: str, default):
    return getattr(settings, name, default)


def lease_seconds() -> int:
    return int(_setting("REMINDERS_LEASE_SECONDS", 900))


def max_attempts() -> int:
    return int(_setting("REMINDERS_MAX_ATTEMPTS", 5))


def smtp_timeout() -> float:
    return float(_setting("REMINDERS_SMTP_TIMEOUT", 30))


def backoff(attempt: int) -> timedelta:
    base = float(_setting("REMINDERS_RETRY_BASE_SECONDS", 30))
    return timedelta(seconds=min(base * 2 ** max(attempt - 1, 0), 20 * base))


# --- Enqueueing -------------------------------------------------------------------------------


def _nudge(pk: int, countdown: float = 0) -> None:
    from .tasks import send_email

    try:
        send_email.apply_async((pk,), countdown=countdown)
    except Exception:  # broker down: the beat dispatcher will find the row anyway
        log.warning("Could not enqueue email %s; the dispatcher will send it", pk, exc_info=True)


def email_enqueue(
    *,
    kind: str,
    to: str,
    context: dict | None = None,
    campaign=None,
    participant=None,
    user=None,
    interview=None,
    language: str | None = None,
    send_at: datetime | None = None,
    dedupe_key: str | None = None,
    offset_minutes: int | None = None,
    nudge: bool = True,
    reuse_cancelled: bool = True,
) -> Email:
    """Put one email in the pipeline; the one entry point for every app.

    `kind` is a `reminders.models.Kind`; `context` holds the values of its placeholders that are
    not in the database (see `placeholders.ALLOWED[kind]`), e.g. for EXPORT_READY:
    ``email_enqueue(kind=Kind.EXPORT_READY, to=user.email, campaign=campaign,
    context={"export": "Notes (CSV)", "link": url}, dedupe_key=f"export:{job.pk}")``.
    The same `dedupe_key` never makes a second row. Sent after the current transaction commits.
    `reuse_cancelled=False` (interview reminders): a row with the key that was cancelled is not
    the answer; a fresh row is made under the key with a ":2", ":3"… suffix (idempotent too).
    Only writes rows; the Celery nudge is deferred with `transaction.on_commit`.
    """
    to = (to or "").strip()
    validate_email(to)
    if kind not in Kind.values:
        raise ValueError(f"Unknown email kind {kind!r}")
    now = timezone.now()
    send_at = send_at or now
    dedupe_key = dedupe_key or f"{kind}:{uuid.uuid4().hex}"
    base_key = dedupe_key
    for generation in range(2, 52):
        existing = Email.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            break
        if reuse_cancelled or existing.status != Status.CANCELLED:
            return existing
        dedupe_key = f"{base_key}:{generation}"[:200]
    else:
        return existing
    try:
        with transaction.atomic():
            row = Email.objects.create(
                kind=kind,
                campaign=campaign,
                participant=participant,
                user=user,
                interview=interview,
                recipient=to,
                # A staff member's email follows their own choice unless the caller says otherwise.
                language=language or (user.language if user is not None else settings.LANGUAGE_CODE),
                context=context or {},
                send_at=send_at,
                next_try_at=send_at,
                dedupe_key=dedupe_key,
                offset_minutes=offset_minutes,
                message_id=Email.new_message_id(),
            )
    except IntegrityError:
        return Email.objects.get(dedupe_key=dedupe_key)
    if send_at <= now and nudge:
        transaction.on_commit(lambda: _nudge(row.pk))
    return row


# --- Interview reminders ----------------------------------------------------------------------


def _settings(campaign) -> ReminderSettings | None:
    return ReminderSettings.objects.filter(campaign=campaign).first()


_UNREAD = object()


def offsets_for(campaign, saved=_UNREAD) -> list[int]:
    saved = _settings(campaign) if saved is _UNREAD else saved
    offsets = saved.offsets_minutes if saved and saved.offsets_minutes else DEFAULT_OFFSETS_MINUTES
    return sorted({int(o) for o in offsets}, reverse=True)


def _participant_language(interview) -> str:
    """The interview's language (chosen when scheduling, the participant's preferred one by
    default); a language we have no wording for falls back in `messages.template_for`."""
    for code in (interview.language, interview.participant.preferred_language):
        if code and code != "other":
            return code
    return "en"


def _recipients(interview, saved=_UNREAD) -> list[dict]:
    """Who hears about an interview: the participant (or guardian), then each team member once.
    `saved`: the campaign's ReminderSettings when the caller has it already (one query per plan)."""
    participant = interview.participant
    if saved is _UNREAD:
        saved = _settings(interview.campaign)
    people = [
        {
            "kind": "participant",
            "to": participant.email,
            "participant": participant,
            "user": None,
            "language": _participant_language(interview),
        }
    ]
    if saved.remind_team if saved else True:
        seen = set()
        for user in (interview.interviewer, interview.note_taker):
            if user is not None and user.email.lower() not in seen:
                seen.add(user.email.lower())
                people.append(
                    {
                        "kind": "team",
                        "to": user.email,
                        "participant": None,
                        "user": user,
                        "language": user.language,
                    }
                )
    return people


def _plan(interview, now) -> list[dict]:
    """The reminder rows an interview needs at its current time: one per recipient and offset
    still ahead; if some offsets have passed already (scheduled at short notice), one now."""
    start = interview.scheduled_at
    if start <= now:
        return []
    saved = _settings(interview.campaign)
    offsets = offsets_for(interview.campaign, saved)
    ahead = [o for o in offsets if start - timedelta(minutes=o) > now]
    passed = [o for o in offsets if o not in ahead]
    slots = [(o, start - timedelta(minutes=o)) for o in ahead]
    if passed:
        slots.append((min(passed), now))
    plan = []
    for person in _recipients(interview, saved):
        kind = Kind.REMINDER_PARTICIPANT if person["kind"] == "participant" else Kind.REMINDER_TEAM
        for offset, send_at in slots:
            plan.append({**person, "email_kind": kind, "offset": offset, "send_at": send_at})
    return plan


def _reminder_key(interview, item) -> str:
    """The key a planned row is created under. It only makes creation idempotent; a row keeps its
    key when it moves with its interview (renaming collided with the key of an older row made for
    the same time, e.g. after moving back). See `email_enqueue(reuse_cancelled=False)`."""
    return (
        f"iv{interview.pk}:{item['email_kind']}:{item['to'].lower() or item['kind']}:"
        f"{item['offset']}:{int(interview.scheduled_at.timestamp())}"
    )


def _create_planned(interview, item, now, nudge=True) -> Email:
    key = _reminder_key(interview, item)
    if not item["to"]:
        row, _created = Email.objects.get_or_create(
            dedupe_key=key,
            defaults={
                "kind": item["email_kind"],
                "campaign": interview.campaign,
                "interview": interview,
                "participant": item["participant"],
                "recipient": "",
                "language": item["language"],
                "offset_minutes": item["offset"],
                "send_at": item["send_at"],
                "next_try_at": item["send_at"],
                "status": Status.SKIPPED,
                "reason": _("No email address on file."),
                "message_id": Email.new_message_id(),
            },
        )
        return row
    return email_enqueue(
        kind=item["email_kind"],
        to=item["to"],
        campaign=interview.campaign,
        participant=item["participant"],
        user=item["user"],
        interview=interview,
        language=item["language"],
        send_at=item["send_at"],
        dedupe_key=key,
        offset_minutes=item["offset"],
        nudge=nudge,
        reuse_cancelled=False,
    )


@transaction.atomic
def interview_reminders_plan(*, interview, now: datetime | None = None, nudge: bool = True) -> list[Email]:
    """Create the reminder rows of a newly scheduled interview (idempotent). `nudge=False`
    leaves due rows to the next beat tick (the demo loader uses it)."""
    now = now or timezone.now()
    return [_create_planned(interview, item, now, nudge) for item in _plan(interview, now)]


def _bump_sequence(interview) -> None:
    """One more .ics SEQUENCE for the interview (see CalendarSequence)."""
    from .models import CalendarSequence

    sequence, created = CalendarSequence.objects.get_or_create(interview=interview, defaults={"sequence": 1})
    if not created:
        CalendarSequence.objects.filter(pk=sequence.pk).update(sequence=F("sequence") + 1)


@transaction.atomic
def interview_reminders_move(*, interview, now: datetime | None = None) -> list[Email]:
    """The interview moved: pending reminders move with it; ones no longer needed are cancelled;
    ones that were already sent for the old time get a successor for the new time."""
    now = now or timezone.now()
    _bump_sequence(interview)
    reminder_kinds = [Kind.REMINDER_PARTICIPANT, Kind.REMINDER_TEAM]
    pending = {
        (row.kind, row.recipient.lower(), row.offset_minutes): row
        for row in Email.objects.select_for_update().filter(
            interview=interview, kind__in=reminder_kinds, status=Status.PENDING
        )
    }
    when = formats.date_format(interview.local_scheduled_at, "DATETIME_FORMAT")
    result = []
    for item in _plan(interview, now):
        row = pending.pop((item["email_kind"], item["to"].lower(), item["offset"]), None)
        if row is None:
            result.append(_create_planned(interview, item, now))
            continue
        row.send_at = row.next_try_at = item["send_at"]
        row.reason = _("Moved with the interview to %(when)s.") % {"when": when}
        row.save(update_fields=["send_at", "next_try_at", "reason", "updated_at"])
        result.append(row)
        if item["send_at"] <= now:
            transaction.on_commit(lambda pk=row.pk: _nudge(pk))
    for row in pending.values():
        row.status = Status.CANCELLED
        row.reason = _("Not needed after the interview moved to %(when)s.") % {"when": when}
        row.save(update_fields=["status", "reason", "updated_at"])
    return result


@transaction.atomic
def interview_reminders_cancel(*, interview, now: datetime | None = None) -> list[Email]:
    """Cancel pending reminders and send everyone a cancellation with a METHOD:CANCEL invite."""
    _bump_sequence(interview)
    Email.objects.filter(
        interview=interview, kind__in=[Kind.REMINDER_PARTICIPANT, Kind.REMINDER_TEAM], status=Status.PENDING
    ).update(status=Status.CANCELLED, reason=_("The interview was cancelled."), updated_at=timezone.now())
    rows = []
    for person in _recipients(interview):
        kind = Kind.CANCELLATION_PARTICIPANT if person["kind"] == "participant" else Kind.CANCELLATION_TEAM
        item = {**person, "email_kind": kind, "offset": 0, "send_at": now or timezone.now()}
        rows.append(_create_planned(interview, item, now))
    return rows


# --- Sending ----------------------------------------------------------------------------------


def recover_expired(*, now: datetime | None = None) -> int:
    """Rows whose worker died (lease passed) go back to pending; see the module doc."""
    now = now or timezone.now()
    expired = Email.objects.filter(status=Status.SENDING, claimed_at__lt=now - timedelta(seconds=lease_seconds()))
    at = min(now, timezone.now())
    common = {"status": Status.PENDING, "claim_token": None, "next_try_at": at, "updated_at": at}
    # A row that keeps losing its worker before the hand-off (a crash while building it) gives up
    # like any failing row instead of cycling forever.
    gave_up = expired.filter(handoff_at__isnull=True, attempts__gte=max_attempts()).update(
        status=Status.FAILED,
        claim_token=None,
        context={},
        updated_at=at,
        reason=_("Gave up: the worker stopped before sending %(n)s times.") % {"n": max_attempts()},
    )
    before = expired.filter(handoff_at__isnull=True).update(
        reason=_("The worker stopped before sending; sent again."), **common
    )
    during = expired.filter(handoff_at__isnull=False).update(
        reason=_(
            "The worker stopped while handing the message to the mail server; sent again with the same "
            "Message-ID, so mail systems can drop a copy that did arrive."
        ),
        **common,
    )
    if gave_up:
        log.warning("Gave up on %s emails whose workers kept stopping", gave_up)
    if before or during:
        log.warning("Recovered %s emails from lost workers (%s during SMTP hand-off)", before + during, during)
    return before + during


def claim(*, pk: int | None = None, now: datetime | None = None) -> tuple[Email, uuid.UUID] | None:
    """Take one due row for this worker, or None. See the module doc, step 1."""
    for _try in range(5):
        now = now or timezone.now()
        with transaction.atomic():
            due = Email.objects.due(now).order_by("next_try_at", "id")
            if pk is not None:
                due = due.filter(pk=pk)
            if connection.features.has_select_for_update_skip_locked:
                due = due.select_for_update(skip_locked=True)
            candidate = due.values_list("pk", flat=True).first()
            if candidate is None:
                return None
            token = uuid.uuid4()
            won = Email.objects.filter(pk=candidate, status=Status.PENDING).update(
                status=Status.SENDING,
                claim_token=token,
                claimed_at=timezone.now(),
                handoff_at=None,
                attempts=F("attempts") + 1,
                updated_at=timezone.now(),
            )
        if won:
            row = Email.objects.select_related(
                "campaign",
                "participant",
                "interview__campaign",
                "interview__participant",
                "interview__interviewer",
                "interview__note_taker",
                "interview__guide",
            ).get(pk=candidate)
            return row, token
        if pk is not None:
            return None
    return None


def _finish(row: Email, token, **fields) -> bool:
    fields.setdefault("claim_token", None)
    fields["updated_at"] = timezone.now()
    if fields.get("status") in (Status.SENT, Status.FAILED, Status.SKIPPED, Status.CANCELLED):
        fields["context"] = {}
    done = Email.objects.filter(pk=row.pk, claim_token=token, status=Status.SENDING).update(**fields)
    if not done:
        log.warning("Email %s: lease lost before finishing (another worker took it over)", row.pk)
    return bool(done)


def why_not(row: Email, now: datetime) -> str | None:
    """The reason this row must not be sent now, or None. See the module doc, step 2."""
    from consent.selectors import consent_status

    interview = row.interview
    if row.kind in (Kind.REMINDER_PARTICIPANT, Kind.REMINDER_TEAM):
        if interview.status != interview.Status.SCHEDULED:
            return _("The interview is %(status)s.") % {"status": interview.get_status_display().lower()}
        if now >= interview.scheduled_at:
            return _("Too late: the interview began at %(start)s; this reminder was due at %(due)s.") % {
                "start": formats.date_format(interview.local_scheduled_at, "DATETIME_FORMAT"),
                "due": formats.date_format(timezone.localtime(row.send_at), "DATETIME_FORMAT"),
            }
        later = (
            Email.objects.filter(
                interview=interview,
                kind=row.kind,
                recipient__iexact=row.recipient,
                send_at__gt=row.send_at,
                send_at__lte=now,
                status__in=[Status.PENDING, Status.SENDING, Status.SENT],
            )
            .exclude(pk=row.pk)
            .exists()
        )
        if later:
            return _("A later reminder for the same interview is due too; only that one is sent.")
    participant = row.participant or (
        interview.participant
        if interview and row.kind in (Kind.REMINDER_PARTICIPANT, Kind.CANCELLATION_PARTICIPANT)
        else None
    )
    team_reminder = participant is None and interview is not None and row.kind == Kind.REMINDER_TEAM
    if team_reminder and consent_status(interview.participant).withdrawn:
        # The team is not reminded of an interview with someone who withdrew.
        return _("The participant withdrew.")
    if participant is not None:
        status = consent_status(participant)
        if status.withdrawn:
            return _("The participant withdrew.")
        if row.kind != Kind.CONSENT_REQUEST and not status.scopes.may_recontact:
            return _("No consent to be contacted: the participant has not agreed to be contacted.")
    if row.kind == Kind.TEAM_INVITATION and row.context.get("invitation_id"):
        from campaigns.models import Invitation

        invitation = Invitation.objects.filter(pk=row.context["invitation_id"]).first()
        if invitation is None or invitation.state != "pending":
            return _("The invitation was used, withdrawn or expired before it was sent.")
    return None


PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError)
TRANSIENT = (smtplib.SMTPException, OSError)
REMINDER_KINDS = (Kind.REMINDER_PARTICIPANT, Kind.REMINDER_TEAM)

_ADDRESS = re.compile(r"[^\s<>\"'(),;:\[\]{}]+@[^\s<>\"'(),;:\[\]{}]+")


def smtp_error_text(exc: BaseException) -> str:
    """What an SMTP error says, without any email address in it (the reason is shown to the
    interview's team, who may not see the participant's identity): the code and the server's words."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = []
        for code, message in exc.recipients.values():
            words = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
            parts.append(f"{code} {words}")
        text = "; ".join(parts)
    elif isinstance(exc, smtplib.SMTPResponseException):
        words = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        text = f"{exc.smtp_code} {words}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return _ADDRESS.sub("[address]", text)[:300]


def _handoff(row: Email, token) -> str | None:
    """Step 3: commit the hand-off mark, re-checking the interview under its row lock (a
    cancellation or a move that committed after the claim stops the send here). Returns None when
    the row may go, "lost" when another worker owns it now, else the reason to skip it."""
    from interviews.models import Interview

    with transaction.atomic():
        if row.kind in REMINDER_KINDS and row.interview_id:
            current = (
                Interview.objects.select_for_update()
                .filter(pk=row.interview_id)
                .values("status", "scheduled_at")
                .first()
            )
            if current is None or current["status"] != Interview.Status.SCHEDULED:
                return _("The interview was cancelled before this reminder was handed to the mail server.")
            if current["scheduled_at"] != row.interview.scheduled_at:
                return _("The interview moved before this reminder was handed to the mail server.")
        done = Email.objects.filter(pk=row.pk, claim_token=token, status=Status.SENDING).update(
            handoff_at=timezone.now()
        )
    return None if done else "lost"


def data_timeout(row: Email) -> float:
    """How long to wait for the server's answer after the message was sent (RFC 5321 suggests
    10 minutes), but never past the row's lease: a live worker must not be taken for a lost one."""
    wanted = float(_setting("REMINDERS_SMTP_DATA_TIMEOUT", 300))
    if row.claimed_at is None:
        return wanted
    left = lease_seconds() - (timezone.now() - row.claimed_at).total_seconds() - 1
    return max(0.1, min(wanted, left))


def deliver(row: Email, token) -> str:
    """Steps 2–5 for a claimed row. Returns its final (or retry) status."""
    now = timezone.now()
    reason = why_not(row, now)
    if reason:
        _finish(row, token, status=Status.SKIPPED, reason=reason)
        return Status.SKIPPED
    try:
        built = build(row)
    except SkipEmail as exc:
        _finish(row, token, status=Status.SKIPPED, reason=str(exc))
        return Status.SKIPPED
    except Exception as exc:  # a bug or bad data: counts as a try, so it cannot cycle forever
        log.exception("Email %s could not be built", row.pk)
        return _retry_or_fail(row, token, exc)
    message = to_message(row, built)
    stop = _handoff(row, token)
    if stop == "lost":
        return Status.SENDING  # lease lost; the new owner sends it
    if stop:
        _finish(row, token, status=Status.SKIPPED, reason=stop)
        return Status.SKIPPED
    smtp = get_connection(timeout=smtp_timeout())
    payload_sent = False
    try:
        smtp.open()
        conn = getattr(smtp, "connection", None)  # smtplib.SMTP with the SMTP backend
        if conn is not None:
            plain_send = conn.send

            def send(data, _plain=plain_send):
                # Commands go as str, the message itself as bytes (smtplib.SMTP.data). From here
                # on the server may accept it, so the outcome of any error is unknown.
                nonlocal payload_sent
                if isinstance(data, bytes) and getattr(conn, "sock", None) is not None:
                    payload_sent = True
                    conn.sock.settimeout(data_timeout(row))
                return _plain(data)

            conn.send = send
        smtp.send_messages([message])
    except PERMANENT as exc:
        _finish(
            row,
            token,
            status=Status.FAILED,
            reason=_("The mail server refused it: %(error)s") % {"error": smtp_error_text(exc)},
        )
        return Status.FAILED
    except TRANSIENT as exc:
        if payload_sent and not isinstance(exc, smtplib.SMTPResponseException):
            # No answer after the whole message went: it may have been accepted. Not sent again
            # (that is how duplicates happen); the hand-off mark stays; a lead's Retry resends it
            # with the same Message-ID.
            _finish(
                row,
                token,
                status=Status.FAILED,
                reason=_(
                    "The mail server did not confirm the message (%(error)s); it may have been delivered, "
                    "so it was not sent again. Retry sends it again with the same Message-ID."
                )
                % {"error": smtp_error_text(exc)},
            )
            return Status.FAILED
        return _retry_or_fail(row, token, exc)
    else:
        # Committed the moment the server accepted: this is the whole at-least-once window.
        _finish(row, token, status=Status.SENT, sent_at=timezone.now(), subject=built.subject[:300], reason="")
        return Status.SENT
    finally:
        try:
            smtp.close()
        except Exception:  # the message is already accepted or already failed; closing is cosmetic
            log.debug("SMTP close failed", exc_info=True)


def _retry_or_fail(row: Email, token, exc) -> str:
    attempts = Email.objects.filter(pk=row.pk).values_list("attempts", flat=True).first() or row.attempts
    error = smtp_error_text(exc)
    if attempts >= max_attempts():
        _finish(
            row,
            token,
            status=Status.FAILED,
            reason=_("Gave up after %(n)s tries: %(error)s") % {"n": attempts, "error": error},
        )
        return Status.FAILED
    delay = backoff(attempts)
    _finish(
        row,
        token,
        status=Status.PENDING,
        next_try_at=timezone.now() + delay,
        handoff_at=None,
        reason=_("Try %(n)s failed (%(error)s); trying again.") % {"n": attempts, "error": error},
    )
    _nudge(row.pk, countdown=delay.total_seconds())
    return Status.PENDING


def send_one(*, pk: int | None = None) -> str | None:
    claimed = claim(pk=pk)
    if claimed is None:
        return None
    return deliver(*claimed)


def dispatch(*, budget_seconds: float = 50, limit: int = 1000) -> dict:
    """The beat task's work: recover lost rows, then send due rows one by one until none is due
    or the time budget is spent (the next tick carries on). Safe to run on many workers at once."""
    started = timezone.now()
    counts = {"recovered": recover_expired()}
    for _n in range(limit):
        if (timezone.now() - started).total_seconds() > budget_seconds:
            break
        result = send_one()
        if result is None:
            break
        counts[result] = counts.get(result, 0) + 1
    return counts


# --- Templates and settings -------------------------------------------------------------------


def template_save(*, campaign, kind: str, language: str, subject: str, body: str, by, request=None) -> EmailTemplate:
    placeholders.validate(subject, kind)
    placeholders.validate(body, kind)
    template, _created = EmailTemplate.objects.update_or_create(
        campaign=campaign, kind=kind, language=language, defaults={"subject": subject, "body": body, "updated_by": by}
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=campaign,
        target=template,
        detail={"what": "email template saved", "kind": kind, "language": language},
        request=request,
    )
    return template


def template_reset(*, campaign, kind: str, language: str, by, request=None) -> None:
    """Back to the built-in wording."""
    deleted, _rows = EmailTemplate.objects.filter(campaign=campaign, kind=kind, language=language).delete()
    if deleted:
        audit_record(
            actor=by,
            action=AuditEvent.Action.SETTINGS_CHANGE,
            campaign=campaign,
            target=campaign,
            detail={"what": "email template reset", "kind": kind, "language": language},
            request=request,
        )


def reminder_settings_save(
    *, campaign, offsets_minutes: list[int], remind_team: bool, by, request=None
) -> ReminderSettings:
    if not offsets_minutes:
        raise ValidationError(_("Give at least one time before the interview."))
    saved, _created = ReminderSettings.objects.update_or_create(
        campaign=campaign,
        defaults={
            "offsets_minutes": sorted({int(o) for o in offsets_minutes}, reverse=True),
            "remind_team": remind_team,
        },
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.SETTINGS_CHANGE,
        campaign=campaign,
        target=campaign,
        detail={"what": "reminder times", "offsets_minutes": saved.offsets_minutes, "remind_team": remind_team},
        request=request,
    )
    return saved


def email_retry(*, email: Email) -> Email:
    """A failed email goes back to pending with a fresh set of tries (the same Message-ID)."""
    now = timezone.now()
    Email.objects.filter(pk=email.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_try_at=now, reason=_("Sent again by a lead."), updated_at=now
    )
    transaction.on_commit(lambda: _nudge(email.pk))
    email.refresh_from_db()
    return email
