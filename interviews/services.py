"""Writes and rules for guides, prompts, the prompt library and predictions.

Every write of these goes through here: views, the admin and the demo loader all call these.
"""

import uuid
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.models import Role

from . import hooks
from .models import NOTE_MAX_CHARS, Interview, InterviewGuide, Note, NoteRevision, Prediction, Prompt, PromptPattern

KIND_ORDER = list(Prompt.Kind.values)
# Added to positions before renumbering a group, so no two rows ever share a position
# mid-update (the unique constraint is checked row by row on PostgreSQL).
_POSITION_OFFSET = 1_000_000
MAX_PREDICTIONS_PER_PERSON = 10


# Guides ------------------------------------------------------------------------------------


def guide_create(*, campaign, title: str, introduction: str = "", by=None) -> InterviewGuide:
    return InterviewGuide.objects.create(campaign=campaign, title=title, introduction=introduction, created_by=by)


def _free_title(campaign, title: str) -> str:
    taken = set(InterviewGuide.objects.filter(campaign=campaign).values_list("title", flat=True))
    if title not in taken:
        return title
    n = 1
    while True:
        candidate = _("%(title)s (copy)") % {"title": title} if n == 1 else f"{title} ({_('copy')} {n})"
        candidate = candidate[:200]
        if candidate not in taken:
            return candidate
        n += 1


@transaction.atomic
def guide_copy(*, source: InterviewGuide, campaign, by) -> InterviewGuide:
    """A copy of `source` (with its prompts) in `campaign`.

    Only from a campaign `by` leads, into one they lead: copying must never carry a guide
    across the membership boundary.
    """
    if not InterviewGuide.objects.copyable_by(by).filter(pk=source.pk).exists():
        raise PermissionDenied
    if not campaign.memberships.leads().filter(user=by).exists():
        raise PermissionDenied
    copy = InterviewGuide.objects.create(
        campaign=campaign,
        title=_free_title(campaign, source.title),
        introduction=source.introduction,
        copied_from=source,
        created_by=by,
    )
    Prompt.objects.bulk_create(
        Prompt(guide=copy, kind=p.kind, text=p.text, position=p.position) for p in source.prompts.all()
    )
    return copy


@transaction.atomic
def guide_delete(*, guide: InterviewGuide, by, request=None) -> None:
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        campaign=guide.campaign,
        target=guide,
        detail={"prompts": guide.prompts.count()},
        request=request,
    )
    guide.delete()


# Prompts -----------------------------------------------------------------------------------


def _locked_guide(guide):
    """Lock the guide row so concurrent edits of its prompt order take turns."""
    return InterviewGuide.objects.select_for_update().get(pk=guide.pk)


def _next_position(guide, kind) -> int:
    last = guide.prompts.filter(kind=kind).aggregate(last=Max("position"))["last"]
    return 0 if last is None else last + 1


@transaction.atomic
def prompt_add(*, guide: InterviewGuide, kind: str, text: str) -> Prompt:
    _locked_guide(guide)
    return Prompt.objects.create(guide=guide, kind=kind, text=text.strip(), position=_next_position(guide, kind))


@transaction.atomic
def prompt_update(*, prompt: Prompt, kind: str, text: str) -> Prompt:
    _locked_guide(prompt.guide)
    fields = ["text", "updated_at"]
    if kind != prompt.kind:
        prompt.kind = kind
        prompt.position = _next_position(prompt.guide, kind)
        fields += ["kind", "position"]
    prompt.text = text.strip()
    prompt.save(update_fields=fields)
    return prompt


@transaction.atomic
def prompt_delete(*, prompt: Prompt, by, request=None) -> None:
    guide = prompt.guide
    audit_record(
        actor=by,
        action=AuditEvent.Action.DELETE,
        campaign=guide.campaign,
        target=prompt,
        detail={"guide": guide.pk, "text": prompt.text[:200]},
        request=request,
    )
    prompt.delete()


def _groups(guide) -> dict[str, list[int]]:
    groups = {kind: [] for kind in KIND_ORDER}
    for pk, kind in guide.prompts.order_by("position", "id").values_list("pk", "kind"):
        groups[kind].append(pk)
    return groups


def _renumber(groups: dict[str, list[int]]) -> None:
    """Write positions 0..n-1 (and kinds) for the given groups: two UPDATE queries."""
    ids = [pk for pks in groups.values() for pk in pks]
    if not ids:
        return
    Prompt.objects.filter(pk__in=ids).update(position=F("position") + _POSITION_OFFSET)
    rows = [Prompt(pk=pk, kind=kind, position=i) for kind, pks in groups.items() for i, pk in enumerate(pks)]
    Prompt.objects.bulk_update(rows, ["kind", "position"])


@transaction.atomic
def prompt_move(*, prompt: Prompt, direction: str) -> Prompt:
    """Move a prompt one step up or down. At the edge of its group it crosses into the
    neighbouring group (the last of Opening moves down to the top of Core), so the keyboard
    can do everything drag and drop can. At the very top or bottom it stays put."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Choose up or down."))
    _locked_guide(prompt.guide)
    groups = _groups(prompt.guide)
    kind_index = KIND_ORDER.index(prompt.kind)
    group = groups[prompt.kind]
    i = group.index(prompt.pk)
    step = -1 if direction == "up" else 1
    if 0 <= i + step < len(group):
        group[i], group[i + step] = group[i + step], group[i]
        changed = {prompt.kind: group}
    else:
        target_index = kind_index + step
        if not 0 <= target_index < len(KIND_ORDER):
            return prompt
        target_kind = KIND_ORDER[target_index]
        group.remove(prompt.pk)
        target = groups[target_kind]
        if direction == "up":
            target.append(prompt.pk)
        else:
            target.insert(0, prompt.pk)
        changed = {prompt.kind: group, target_kind: target}
        prompt.kind = target_kind
    _renumber(changed)
    prompt.refresh_from_db(fields=["kind", "position"])
    return prompt


@transaction.atomic
def prompt_reorder(*, guide: InterviewGuide, kind: str, ordered_ids: list[int]) -> None:
    """Put `kind`'s group in the given order (from drag and drop).

    The list may include a prompt dragged in from another group: it joins this group. Prompts
    of the group the list leaves out (a page that was stale) keep their order at the end.
    """
    if kind not in KIND_ORDER:
        raise ValidationError(_("Unknown group."))
    _locked_guide(guide)
    groups = _groups(guide)
    known = {pk for pks in groups.values() for pk in pks}
    ordered = list(dict.fromkeys(ordered_ids))
    if not set(ordered) <= known:
        raise ValidationError(_("Those prompts are not all in this guide."))
    changed = {kind: ordered + [pk for pk in groups[kind] if pk not in ordered]}
    for other, pks in groups.items():
        if other != kind and any(pk in ordered for pk in pks):
            changed[other] = [pk for pk in pks if pk not in ordered]
    _renumber(changed)


def guide_groups(guide: InterviewGuide, prompts=None) -> list[tuple[str, str, list[Prompt]]]:
    """[(kind, label, prompts)] in the method's order, every group present (empty ones too)."""
    if prompts is None:
        prompts = guide.prompts.order_by("position", "id")
    by_kind = {kind: [] for kind in KIND_ORDER}
    for prompt in prompts:
        by_kind[prompt.kind].append(prompt)
    return [(kind, Prompt.Kind(kind).label, by_kind[kind]) for kind in KIND_ORDER]


# Prompt library ----------------------------------------------------------------------------


def pattern_create(*, campaign, text: str, kind: str, why: str = "", by=None) -> PromptPattern:
    last = campaign.prompt_patterns.aggregate(last=Max("position"))["last"]
    return PromptPattern.objects.create(
        campaign=campaign, text=text, kind=kind, why=why, created_by=by, position=(last or 0) + 1
    )


def pattern_delete(*, pattern: PromptPattern, by, request=None) -> None:
    if pattern.is_builtin:
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditEvent.Action.DELETE,
            campaign=pattern.campaign,
            target=pattern,
            request=request,
        )
        pattern.delete()


# Predictions -------------------------------------------------------------------------------


def predictions_locked(campaign) -> bool:
    """Whether the team's predictions are frozen.

    The method asks for predictions before the first interview, so they can be checked
    honestly afterwards: they lock as soon as any interview of this campaign has started
    (in progress or completed). Every caller (the page, the service below) asks this one function.
    """
    return Interview.objects.filter(campaign=campaign).started().exists()


@transaction.atomic
def prediction_list_replace(*, campaign, author, lines: list[str]) -> list[Prediction]:
    """Make `author`'s predictions exactly `lines` (in that order), keeping unchanged rows."""
    if predictions_locked(campaign):
        raise ValidationError(_("Predictions are locked: the team has started interviewing."))
    if not campaign.memberships.filter(user=author).exclude(role=Role.VIEWER).exists():
        raise PermissionDenied
    lines = list(dict.fromkeys(line.strip() for line in lines if line.strip()))
    if len(lines) > MAX_PREDICTIONS_PER_PERSON:
        raise ValidationError(
            _("Keep it to %(n)d predictions or fewer: the ones you are surest of.") % {"n": MAX_PREDICTIONS_PER_PERSON}
        )
    existing = {p.text: p for p in Prediction.objects.select_for_update().filter(campaign=campaign, author=author)}
    Prediction.objects.filter(pk__in=[p.pk for text, p in existing.items() if text not in lines]).delete()
    result = []
    for position, text in enumerate(lines):
        prediction = existing.get(text)
        if prediction is None:
            prediction = Prediction.objects.create(campaign=campaign, author=author, text=text, position=position)
        elif prediction.position != position:
            prediction.position = position
            prediction.save(update_fields=["position", "updated_at"])
        result.append(prediction)
    return result


# Interviews --------------------------------------------------------------------------------
#
# Scheduling writes call interviews.hooks inside their own transaction, so the rows other apps
# write there (reminders) are saved with the interview or not at all. A hook only writes rows and
# defers outside work (Celery) with transaction.on_commit.


def team_members(campaign):
    """Users who may interview or take notes in this campaign: its leads and interviewers."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(memberships__campaign=campaign, memberships__role__in=[Role.LEAD, Role.INTERVIEWER])
        .distinct()
        .order_by("full_name", "email")
    )


def may_run(membership, interview) -> bool:
    """Leads, and the interview's own interviewer and note-taker, run it (notes, status, debrief)."""
    if membership is None or membership.campaign_id != interview.campaign_id:
        return False
    if membership.role == Role.LEAD:
        return True
    return membership.role == Role.INTERVIEWER and membership.user_id in (
        interview.interviewer_id,
        interview.note_taker_id,
    )


def _check_team(campaign, interviewer, note_taker):
    allowed = set(team_members(campaign).values_list("pk", flat=True))
    if interviewer is None or interviewer.pk not in allowed:
        raise ValidationError(_("The interviewer must be a lead or interviewer of this campaign."))
    if note_taker is not None and note_taker.pk not in allowed:
        raise ValidationError(_("The note-taker must be a lead or interviewer of this campaign."))
    if note_taker is not None and note_taker.pk == interviewer.pk:
        raise ValidationError(_("Choose someone else as note-taker, or leave it empty."))


def _check_when(scheduled_at, time_zone, duration):
    import zoneinfo

    if scheduled_at is None or timezone.is_naive(scheduled_at):
        raise ValidationError(_("Give the date and time with a time zone."))
    try:
        zoneinfo.ZoneInfo(time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(_("Unknown time zone: %(tz)s") % {"tz": time_zone}) from error
    if duration is None or not (timedelta(minutes=5) <= duration <= timedelta(hours=8)):
        raise ValidationError(_("An interview lasts between 5 minutes and 8 hours."))


def interview_clashes(interview) -> list[Interview]:
    """Other active interviews overlapping this one that share its participant or a team member.

    Team members are checked across every campaign (a person is in one place at a time); the
    participant within this campaign.
    """
    team = [pk for pk in (interview.interviewer_id, interview.note_taker_id) if pk]
    same_people = Q(participant_id=interview.participant_id) | Q(interviewer_id__in=team) | Q(note_taker_id__in=team)
    return list(
        Interview.objects.overlapping(interview.scheduled_at, interview.ends_at)
        .filter(same_people)
        .exclude(pk=interview.pk)
        .select_related("participant", "campaign")
    )


def _move_participant(participant, status, by, note):
    from participants.models import Participant
    from participants.services import participant_set_status

    current = Participant.objects.filter(pk=participant.pk).values_list("status", flat=True).first()
    if current in (Participant.Status.WITHDRAWN, Participant.Status.DECLINED):
        return  # never move someone who withdrew or declined (that would bring their words back)
    participant.status = current
    if status == Participant.Status.SCHEDULED and participant.status not in (
        Participant.Status.INVITED,
        Participant.Status.CONSENTED,
        Participant.Status.NOMINATED,
    ):
        return  # never move an interviewed (or withdrawn) person back to scheduled
    participant_set_status(participant=participant, status=status, by=by, note=note)


@transaction.atomic
def interview_schedule(
    *,
    campaign,
    participant,
    scheduled_at,
    time_zone: str,
    duration=timedelta(minutes=45),
    interviewer,
    note_taker=None,
    guide=None,
    mode: str = Interview.Mode.IN_PERSON,
    place_or_link: str = "",
    language: str = "",
    by,
) -> Interview:
    """Schedule an interview; the participant must have a current consent. Clashes are allowed but
    shown (interview_clashes): teams sometimes double-book on purpose."""
    from consent.services import require_consent
    from participants.services import participant_assign

    if participant.campaign_id != campaign.pk:
        raise ValidationError(_("That participant is not part of this campaign."))
    if guide is not None and guide.campaign_id != campaign.pk:
        raise ValidationError(_("That guide is not part of this campaign."))
    require_consent(participant)
    _check_team(campaign, interviewer, note_taker)
    _check_when(scheduled_at, time_zone, duration)
    team = [u for u in (interviewer, note_taker) if u is not None]
    current = list(participant.assigned_interviewers.all())
    _check_may_assign(campaign, participant, current, team, by)
    interview = Interview.objects.create(
        campaign=campaign,
        participant=participant,
        guide=guide,
        scheduled_at=scheduled_at,
        time_zone=time_zone,
        duration=duration,
        mode=mode,
        place_or_link=place_or_link,
        language=language or participant.preferred_language,
        interviewer=interviewer,
        note_taker=note_taker,
        created_by=by,
    )
    # The interview team may see this participant's identity (participants.access's rule);
    # participant_assign audits the assignment.
    if any(u not in current for u in team):
        participant_assign(participant=participant, interviewers=[*current, *team], by=by)
    _move_participant(participant, "scheduled", by, _("Interview scheduled"))
    hooks.on_scheduled(interview)
    return interview


def _check_may_assign(campaign, participant, current, team, by):
    """Scheduling gives the interview team sight of the participant's identity. A lead may
    extend it to anyone on the team; an interviewer only schedules people already assigned to
    them, with colleagues already assigned too (a lead assigns anyone else first)."""
    if by is None or campaign.memberships.leads().filter(user=by).exists():
        return
    if by not in current:
        raise ValidationError(
            _("You can only schedule people assigned to you. Ask a lead to assign %(code)s to you first.")
            % {"code": participant.code},
            code="not_assigned",
        )
    missing = [u for u in team if u not in current]
    if missing:
        raise ValidationError(
            _("%(name)s is not assigned to %(code)s. Ask a lead to assign them first, or choose someone who is.")
            % {"name": missing[0].get_full_name() or missing[0].email, "code": participant.code},
            code="not_assigned",
        )


@transaction.atomic
def interview_reschedule(
    *, interview, scheduled_at, time_zone: str, duration, place_or_link=None, mode=None, by
) -> Interview:
    from consent.services import require_consent

    require_consent(interview.participant)
    _check_when(scheduled_at, time_zone, duration)
    interview.reschedule(scheduled_at=scheduled_at, time_zone=time_zone, duration=duration)
    changed = []
    if place_or_link is not None and place_or_link != interview.place_or_link:
        interview.place_or_link = place_or_link
        changed.append("place_or_link")
    if mode is not None and mode != interview.mode:
        interview.mode = mode
        changed.append("mode")
    if changed:
        interview.save(update_fields=[*changed, "updated_at"])
    hooks.on_rescheduled(interview)
    return interview


def _release_participant(interview, by, note):
    """After a cancellation or no-show: back to consented unless another interview is still planned."""
    from participants.models import Participant

    participant = interview.participant
    if participant.status != Participant.Status.SCHEDULED:
        return
    if Interview.objects.filter(participant=participant).active().exclude(pk=interview.pk).exists():
        return
    _move_participant(participant, Participant.Status.CONSENTED, by, note)


@transaction.atomic
def interview_cancel(*, interview, by, reason: str = "") -> Interview:
    interview.mark_cancelled(reason)
    _release_participant(interview, by, _("Interview cancelled"))
    hooks.on_cancelled(interview)
    return interview


@transaction.atomic
def interviews_cancel_for_withdrawal(*, participant, by=None) -> int:
    """The participant withdrew (consent.hooks withdraw hook): their scheduled and running
    interviews are cancelled, so nobody goes to meet them and no reminders are sent. Returns how many."""
    cancelled = 0
    for interview in Interview.objects.filter(participant_id=participant.pk).active().select_for_update():
        interview.status = Interview.Status.CANCELLED
        interview.cancel_reason = _("The participant withdrew.")
        interview.save(update_fields=["status", "cancel_reason", "updated_at"])
        hooks.on_cancelled(interview)
        cancelled += 1
    return cancelled


@transaction.atomic
def interview_no_show(*, interview, by) -> Interview:
    interview.mark_no_show()
    _release_participant(interview, by, _("Did not come to the interview"))
    hooks.on_cancelled(interview)
    return interview


@transaction.atomic
def interview_start(*, interview, by) -> Interview:
    from consent.services import require_consent

    require_consent(interview.participant)
    interview.mark_started()
    return interview


@transaction.atomic
def interview_complete(*, interview, by, top_three: str = "", surprises: str = "", emotions: str = "") -> Interview:
    """Record the debrief and mark the interview completed; the participant becomes interviewed.
    Only with a current consent: a withdrawn participant's interview is never completed."""
    from consent.services import require_consent

    require_consent(interview.participant)
    interview_debrief_save(interview=interview, top_three=top_three, surprises=surprises, emotions=emotions)
    interview.mark_completed()
    _move_participant(interview.participant, "interviewed", by, _("Interview completed"))
    return interview


def interview_debrief_save(*, interview, top_three: str, surprises: str, emotions: str) -> Interview:
    interview.debrief_top_three = top_three.strip()
    interview.debrief_surprises = surprises.strip()
    interview.debrief_emotions = emotions.strip()
    interview.save(update_fields=["debrief_top_three", "debrief_surprises", "debrief_emotions", "updated_at"])
    return interview


# Notes -------------------------------------------------------------------------------------


class NoteConflict(Exception):
    """A save based on an older version than the stored one, written by someone else since."""

    def __init__(self, note):
        super().__init__("stale note version")
        self.note = note


def client_uuid(value) -> uuid.UUID:
    """The note's client id as a UUID. Browsers send UUIDs; any other short token (a script, the
    benchmark) is mapped to a stable UUID, so replaying it is just as idempotent."""
    if isinstance(value, uuid.UUID):
        return value
    value = str(value or "").strip()
    if not value or len(value) > 100:
        raise ValidationError(_("A note needs a client id."))
    try:
        return uuid.UUID(value)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"empathy-note:{value}")


def _clean_note(body: str, kind: str) -> str:
    # NUL cannot be stored in a PostgreSQL text column; it is never meant in a note.
    body = (body or "").replace("\r\n", "\n").replace("\x00", "")
    if len(body) > NOTE_MAX_CHARS:
        raise ValidationError(
            _("This note has %(n)s characters; the limit is %(max)s. Split it into two notes — your text is kept here.")
            % {"n": f"{len(body):,}", "max": f"{NOTE_MAX_CHARS:,}"},
            code="too_long",
        )
    if not body.strip():
        raise ValidationError(_("A note needs some text."), code="empty")
    if kind not in Note.Kind.values:
        raise ValidationError(_("Unknown kind of note."), code="kind")
    return body


def _note_by_client_id(interview, client_id):
    return Note.objects.filter(interview=interview, client_id=client_id).first()


def _check_prompt(interview, prompt_id):
    """The prompt id if it belongs to the interview's guide. The autosave view may have checked it
    already in the query that fetched the interview (`interview.checked_prompt_ids`)."""
    if prompt_id in (None, ""):
        return None
    try:
        prompt_id = int(prompt_id)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Unknown prompt."), code="prompt") from error
    if prompt_id in getattr(interview, "checked_prompt_ids", ()):
        return prompt_id
    if not interview.guide_id or not Prompt.objects.filter(pk=prompt_id, guide_id=interview.guide_id).exists():
        raise ValidationError(_("That prompt is not part of this interview's guide."), code="prompt")
    return prompt_id


def may_edit_note(membership, note) -> bool:
    return membership is not None and (membership.role == Role.LEAD or note.author_id == membership.user_id)


def _same(note, body, kind, prompt_id) -> bool:
    return note.body == body and note.kind == kind and note.prompt_id == prompt_id


def note_save(
    *,
    interview,
    membership,
    client_id,
    body: str,
    kind: str = Note.Kind.QUOTE,
    prompt_id=None,
    base_version: int = 0,
) -> tuple[Note, bool]:
    """Create or update the note `client_id` of `interview`. Returns (note, changed).

    - The participant must have a current consent (require_consent), or nothing is stored.
    - Idempotent: replaying a save that was already applied returns the stored note unchanged.
    - Optimistic locking: `base_version` is the version the text was based on (0 for a new note).
      If someone else saved the note since, NoteConflict carries the stored note; nothing is
      overwritten. A later save of one's own (an acknowledgement lost to the network) is applied.
    - Only the author and leads edit a note.
    Kept to a handful of queries: it runs every few seconds for every note-taker.
    """
    from consent.services import require_consent

    user_id = membership.user_id
    if not may_run(membership, interview):
        raise PermissionDenied
    if not interview.is_open_for_notes:
        raise ValidationError(
            _("This interview was %(status)s; notes are closed.") % {"status": interview.get_status_display().lower()},
            code="closed",
        )
    body = _clean_note(body, kind)
    client_id = client_uuid(client_id)
    require_consent(interview.participant)
    # A new note (version 0) is inserted straight away: one query less on the hot path. A replay
    # or a lost acknowledgement hits the unique constraint and is handled as an update below.
    existing = None if base_version in (0, "0", None) else _note_by_client_id(interview, client_id)
    if existing is None:
        prompt_id = _check_prompt(interview, prompt_id)
        try:
            with transaction.atomic():
                note = Note.objects.create(
                    interview=interview,
                    campaign_id=interview.campaign_id,
                    participant_id=interview.participant_id,
                    prompt_id=prompt_id,
                    kind=kind,
                    body=body,
                    author_id=user_id,
                    edited_by_id=user_id,
                    client_id=client_id,
                )
        except IntegrityError:
            existing = _note_by_client_id(interview, client_id)
            if existing is None:
                raise
        else:
            if interview.status == Interview.Status.SCHEDULED:
                interview.mark_started()  # the first note is the moment an interview starts
            return note, True
    note = existing
    if prompt_id in (None, "") or str(prompt_id) == str(note.prompt_id):
        prompt_id = note.prompt_id if prompt_id not in (None, "") else None
    else:
        prompt_id = _check_prompt(interview, prompt_id)
    if _same(note, body, kind, prompt_id) and not note.is_deleted:
        return note, False  # a replay, or nothing changed
    if not may_edit_note(membership, note):
        raise PermissionDenied
    base_version = int(base_version or 0)
    if base_version != note.version and _edited_by_others_since(note, base_version, user_id):
        raise NoteConflict(note)
    return _note_update(note, body=body, kind=kind, prompt_id=prompt_id, by_id=user_id), True


def _edited_by_others_since(note, base_version, user_id) -> bool:
    if base_version > note.version or note.edited_by_id != user_id:
        return True
    return (
        NoteRevision.objects.filter(note=note, version__gt=max(base_version, 0)).exclude(edited_by_id=user_id).exists()
    )


def _note_update(note, *, body, kind, prompt_id, by_id, is_deleted=False) -> Note:
    now = timezone.now()
    with transaction.atomic():
        updated = Note.objects.filter(pk=note.pk, version=note.version).update(
            body=body,
            kind=kind,
            prompt_id=prompt_id,
            edited_by_id=by_id,
            version=F("version") + 1,
            is_deleted=is_deleted,
            updated_at=now,
        )
        if not updated:  # someone saved in between our read and this write
            raise NoteConflict(Note.objects.get(pk=note.pk))
        NoteRevision.objects.create(
            note=note,
            version=note.version,
            kind=note.kind,
            body=note.body,
            edited_by_id=note.edited_by_id,
            edited_at=note.updated_at,
        )
    note.body, note.kind, note.prompt_id, note.edited_by_id = body, kind, prompt_id, by_id
    note.version += 1
    note.is_deleted = is_deleted
    note.updated_at = now
    return note


def note_delete(*, note, membership, base_version: int) -> Note:
    """Soft-delete (kept in history; the other note-takers' pages drop it at their next poll)."""
    if not may_edit_note(membership, note):
        raise PermissionDenied
    if note.is_deleted:
        return note
    if int(base_version) != note.version and _edited_by_others_since(note, int(base_version), membership.user_id):
        raise NoteConflict(note)
    return _note_update(
        note, body=note.body, kind=note.kind, prompt_id=note.prompt_id, by_id=membership.user_id, is_deleted=True
    )


def notes_import_check(*, interview, membership) -> None:
    """Whether `membership` may import notes into `interview` now (before a file is even read)."""
    from consent.services import require_consent

    if not may_run(membership, interview):
        raise PermissionDenied
    if not interview.is_open_for_notes:
        raise ValidationError(
            _("This interview was %(status)s; notes are closed.") % {"status": interview.get_status_display().lower()},
            code="closed",
        )
    require_consent(interview.participant)


class AlreadyImported(Exception):
    """This very preview was imported before (a second submit): nothing was added again."""


@transaction.atomic
def notes_import(*, interview, membership, items: list[dict], import_key: str = "") -> list[Note]:
    """Add parsed transcript turns as notes: all of them or none (one transaction).

    `import_key` (the preview's hash) gives every note a client id derived from it, so submitting
    the same preview twice stores it once (AlreadyImported the second time)."""
    notes_import_check(interview=interview, membership=membership)
    import_key = import_key or uuid.uuid4().hex
    client_ids = [uuid.uuid5(uuid.NAMESPACE_URL, f"empathy-import:{import_key}:{n}") for n in range(len(items))]
    Interview.objects.select_for_update().filter(pk=interview.pk).first()  # two submits take turns
    if client_ids and Note.objects.filter(interview=interview, client_id=client_ids[0]).exists():
        raise AlreadyImported
    if not items:
        raise ValidationError(_("The file holds no notes to import."))
    notes = []
    for n, item in enumerate(items, start=1):
        try:
            body = _clean_note(item["body"], item["kind"])
        except ValidationError as error:
            raise ValidationError(_("Turn %(n)d: %(error)s") % {"n": n, "error": " ".join(error.messages)}) from error
        notes.append(
            Note(
                interview=interview,
                campaign_id=interview.campaign_id,
                participant_id=interview.participant_id,
                kind=item["kind"],
                body=body,
                author_id=membership.user_id,
                edited_by_id=membership.user_id,
                client_id=client_ids[n - 1],
            )
        )
    # Inserted in the file's order; the page orders by (created_at, id), so that order is kept.
    created = Note.objects.bulk_create(notes)
    return created
