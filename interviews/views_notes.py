"""The note-taking page and its small JSON endpoints (autosave, changes, delete), note history,
the debrief, and importing a transcript.

The JSON endpoints answer a signed-out browser with 401 JSON (not the sign-in page), so the page
keeps its unsent notes and asks the person to sign in again; a plain browser visit to them still
goes to the sign-in page like every other URL.
"""

import hashlib
from datetime import datetime, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from campaigns.models import Role
from consent.selectors import exclude_withdrawn
from empathy.access import FIELD_TEAM, TEAM, campaign_view

from . import services, transcripts
from .forms import DebriefForm, NotesImportForm
from .models import NOTE_MAX_CHARS, Note, Prompt
from .note_markup import NOTE_FIELDS, NoteMarkup, author_short_name
from .views_interviews import interview_for, require_runner

# Notes changed this long before the last poll are sent again: a save that committed just after
# a poll read (with an earlier updated_at) is still picked up. The page ignores versions it has.
POLL_OVERLAP = timedelta(seconds=10)
POLL_LIMIT = 500
FOLLOW_UPS = [
    gettext_lazy("Why?"),
    gettext_lazy("Tell me more about…"),
    gettext_lazy("What was that like for you?"),
]


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or request.headers.get("HX-Request") == "true"


def json_endpoint(view):
    """Signed out: 401 JSON for the page's fetch calls (the sign-in redirect for anything else)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            if _wants_json(request):
                return JsonResponse(
                    {"error": "signed_out", "message": _("You were signed out. Sign in again; your notes are kept.")},
                    status=401,
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return login_not_required(wrapper)


def _note_json(note, membership=None) -> dict:
    data = {
        "id": note.pk,
        "client_id": str(note.client_id),
        "version": note.version,
        "kind": note.kind,
        "kind_label": str(Note.Kind(note.kind).label),
        "body": "" if note.is_deleted else note.body,
        "prompt": note.prompt_id,
        "author": note.author_id,
        "deleted": note.is_deleted,
        "updated_at": note.updated_at.isoformat(),
    }
    if membership is not None:
        data["editable"] = services.may_edit_note(membership, note)
    return data


def _error(message, status, code):
    return JsonResponse({"error": code, "message": message}, status=status)


# The page ----------------------------------------------------------------------------------


def _consent_problem(participant):
    from consent.services import require_consent

    try:
        require_consent(participant)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


@campaign_view(TEAM)
def interview_detail(request, campaign, interview_id):
    interview = interview_for(campaign, interview_id, related=("interviewer", "note_taker"))
    membership = campaign.membership
    # Rows, not model instances, for the prompts and the hundred-odd notes: each is rendered once.
    prompts = []
    if interview.guide_id:
        prompts = list(interview.guide.prompts.order_by("position", "id").values_list("id", "kind", "text", named=True))
    notes = list(
        # A withdrawn participant's words are hidden everywhere (consent.selectors), here too.
        exclude_withdrawn(Note.objects.filter(interview=interview, is_deleted=False), "participant")
        .order_by("created_at", "id")
        .values_list(*NOTE_FIELDS, named=True)
    )
    by_prompt = {p.id: [] for p in prompts}
    general = []
    for note in notes:
        by_prompt.get(note.prompt_id, general).append(note)
    # Team members' short names: the notes' authors, and for notes that arrive without a reload,
    # the interview's team and this user (not participants: no PII).
    team_names = {u.pk: u.get_short_name() for u in (interview.interviewer, interview.note_taker, request.user) if u}
    for note in notes:
        if note.author_id is not None and note.author_id not in team_names:
            team_names[note.author_id] = author_short_name(note)
    can_write = services.may_run(membership, interview) and interview.is_open_for_notes
    consent_problem = _consent_problem(interview.participant) if can_write else ""
    writes = can_write and not consent_problem
    markup = NoteMarkup(campaign, interview, membership, author_names=team_names, follow_ups=FOLLOW_UPS)
    sections = []
    if interview.guide_id:
        for _kind, label, group in services.guide_groups(interview.guide, prompts):
            label = str(label)  # translated once, not once per prompt
            sections += [markup.section(prompt, label, by_prompt[prompt.id], composer=writes) for prompt in group]
    withdrawn = interview.participant.status == "withdrawn" or "withdrew" in consent_problem
    page_url = request.path
    context = {
        "campaign": campaign,
        "interview": interview,
        "participant": interview.participant,
        "sections": sections,
        "general_notes": markup.notes(general),
        "general_composer": markup.composer(key="general") if writes else "",
        "can_write": writes,
        "may_run": services.may_run(membership, interview),
        "consent_problem": consent_problem,
        "withdrawn": withdrawn,
        "kinds": Note.Kind.choices,
        "max_chars": NOTE_MAX_CHARS,
        "cursor": (timezone.now() - POLL_OVERLAP).isoformat(),
        "login_url": f"{reverse('account_login')}?{_next(page_url)}",
        "is_lead": membership.role == Role.LEAD,
        "debrief_form": DebriefForm(instance=interview),
        "team_names": {str(pk): name for pk, name in sorted(team_names.items())},
    }
    return render(request, "interviews/interview_detail.html", context)


def _next(url):
    from django.utils.http import urlencode

    return urlencode({"next": url})


# JSON endpoints ----------------------------------------------------------------------------


@json_endpoint
@campaign_view(FIELD_TEAM)
@require_POST
def note_autosave(request, campaign, interview_id):
    """Create or update one note. Fields: client_id, body, kind, prompt, version (0 for new).

    200 with the stored note (also for a replay); 409 with the stored note on a stale version;
    400 with a message when the note is refused (too long, empty, no consent: nothing stored).
    """
    prompt_id = _int(request.POST.get("prompt")) or None
    interview = interview_for(campaign, interview_id, **_prompt_check(prompt_id))
    if prompt_id and interview.posted_prompt_ok:
        interview.checked_prompt_ids = {prompt_id}
    try:
        note, _changed = services.note_save(
            interview=interview,
            membership=campaign.membership,
            client_id=request.POST.get("client_id"),
            body=request.POST.get("body", ""),
            kind=request.POST.get("kind", Note.Kind.QUOTE),
            prompt_id=request.POST.get("prompt") or None,
            base_version=_int(request.POST.get("version")),
        )
    except services.NoteConflict as conflict:
        return JsonResponse(
            {
                "error": "conflict",
                "message": _("Someone else changed this note while you were typing. Both versions are shown."),
                "note": _note_json(conflict.note, campaign.membership),
            },
            status=409,
        )
    except PermissionDenied:
        return _error(_("Only the note's author or a lead can change it."), 403, "forbidden")
    except ValidationError as error:
        code = error.code if getattr(error, "code", None) else "invalid"
        status = 413 if code == "too_long" else 400
        return _error(" ".join(error.messages), status, code)
    return JsonResponse({"note": _note_json(note, campaign.membership)})


def _prompt_check(prompt_id) -> dict:
    """Check the posted prompt belongs to the interview's guide in the query that loads the interview."""
    prompts = Prompt.objects.filter(pk=prompt_id or 0, guide_id=OuterRef("guide_id"))
    return {"annotate": {"posted_prompt_ok": Exists(prompts)}}


def _int(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


@json_endpoint
@campaign_view(TEAM)
@require_GET
def notes_changes(request, campaign, interview_id):
    """Notes created, changed or deleted since `?since=` (ISO time from the last answer's cursor)."""
    interview = interview_for(campaign, interview_id)
    since = _parse_time(request.GET.get("since"))
    now = timezone.now()
    queryset = exclude_withdrawn(Note.objects.filter(interview=interview), "participant").order_by("updated_at", "id")
    if since is not None:
        queryset = queryset.changed_since(since)
    batch = list(queryset[:POLL_LIMIT])
    cursor = now - POLL_OVERLAP
    if len(batch) == POLL_LIMIT:  # more to come: continue from the last one sent
        cursor = batch[-1].updated_at - timedelta(microseconds=1)
    notes = [_note_json(n, campaign.membership) for n in batch]
    return JsonResponse({"cursor": cursor.isoformat(), "notes": notes})


def _parse_time(value):
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        return None
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.UTC)


@json_endpoint
@campaign_view(FIELD_TEAM)
@require_POST
def note_delete(request, campaign, interview_id, note_id):
    interview = interview_for(campaign, interview_id)
    note = get_object_or_404(Note.objects.filter(interview=interview), pk=note_id)
    try:
        note = services.note_delete(
            note=note, membership=campaign.membership, base_version=_int(request.POST.get("version"))
        )
    except services.NoteConflict as conflict:
        return JsonResponse(
            {
                "error": "conflict",
                "message": _("Someone changed this note; look again before deleting."),
                "note": _note_json(conflict.note, campaign.membership),
            },
            status=409,
        )
    except PermissionDenied:
        return _error(_("Only the note's author or a lead can delete it."), 403, "forbidden")
    return JsonResponse({"note": _note_json(note, campaign.membership)})


# History, debrief, import ------------------------------------------------------------------


@campaign_view(TEAM)
def note_history(request, campaign, interview_id, note_id):
    interview = interview_for(campaign, interview_id)
    # A withdrawn participant's words are hidden here too (404), like everywhere else.
    notes = exclude_withdrawn(Note.objects.filter(interview=interview), "participant")
    note = get_object_or_404(notes.select_related("edited_by", "author"), pk=note_id)
    if note.is_deleted and not services.may_edit_note(campaign.membership, note):
        raise Http404  # a deleted note's history: its author and the leads only
    revisions = note.revisions.select_related("edited_by").order_by("-version")
    return render(
        request,
        "interviews/note_history.html",
        {"campaign": campaign, "interview": interview, "note": note, "revisions": revisions},
    )


@campaign_view(FIELD_TEAM)
@require_POST
def interview_start(request, campaign, interview_id):
    interview = interview_for(campaign, interview_id)
    require_runner(campaign, interview)
    try:
        services.interview_start(interview=interview, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(interview.get_absolute_url())


@campaign_view(FIELD_TEAM)
def interview_debrief(request, campaign, interview_id):
    interview = interview_for(campaign, interview_id)
    require_runner(campaign, interview)
    form = DebriefForm(request.POST or None, instance=interview)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {
            "top_three": data["debrief_top_three"],
            "surprises": data["debrief_surprises"],
            "emotions": data["debrief_emotions"],
        }
        try:
            if "complete" in request.POST and interview.status != interview.Status.COMPLETED:
                services.interview_complete(interview=interview, by=request.user, **fields)
                messages.success(request, _("Interview completed. Thank you — the debrief is saved."))
            else:
                services.interview_debrief_save(interview=interview, **fields)
                messages.success(request, _("Debrief saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(f"{interview.get_absolute_url()}#debrief")
    return render(request, "interviews/debrief.html", {"campaign": campaign, "interview": interview, "form": form})


IMPORT_SALT = "interviews.notes_import"


@campaign_view(FIELD_TEAM)
def notes_import(request, campaign, interview_id):
    """Upload → preview (the parsed notes, signed into the form) → import all or nothing."""
    interview = interview_for(campaign, interview_id)
    require_runner(campaign, interview)
    context = {"campaign": campaign, "interview": interview, "rule": transcripts.__doc__}
    try:
        # Closed interview or no consent: say so before any file is read.
        services.notes_import_check(interview=interview, membership=campaign.membership)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(interview.get_absolute_url())
    if request.method == "POST" and request.POST.get("payload"):
        payload = request.POST["payload"]
        try:
            signed = signing.loads(payload, salt=IMPORT_SALT, max_age=3600)
            if signed.get("interview") != interview.pk or signed.get("user") != request.user.pk:
                raise signing.BadSignature("the preview was made for another interview or person")
            items = signed["items"]
            services.notes_import(
                interview=interview,
                membership=campaign.membership,
                items=items,
                import_key=hashlib.sha256(payload.encode()).hexdigest(),
            )
        except (signing.BadSignature, AttributeError, KeyError, TypeError):
            messages.error(request, _("That preview expired. Upload the file again."))
            return redirect("interviews:notes_import", campaign.slug, interview.pk)
        except services.AlreadyImported:
            messages.info(request, _("These notes were already imported."))
            return redirect(interview.get_absolute_url())
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("interviews:notes_import", campaign.slug, interview.pk)
        messages.success(request, _("%(n)d notes imported.") % {"n": len(items)})
        return redirect(interview.get_absolute_url())
    form = NotesImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > transcripts.MAX_FILE_BYTES:
                raise ValidationError(_("That file is over 2 MB. Split it, or import the text part only."))
            items = transcripts.parse_file(upload.name, upload.read(), code=interview.participant.code)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            labels = dict(Note.Kind.choices)
            context.update(
                items=[{**item, "kind_label": labels[item["kind"]]} for item in items],
                file_name=upload.name,
                payload=signing.dumps(
                    {"interview": interview.pk, "user": request.user.pk, "items": items},
                    salt=IMPORT_SALT,
                    compress=True,
                ),
                counts=_counts(items),
            )
            return render(request, "interviews/notes_import_preview.html", context)
    context["form"] = form
    return render(request, "interviews/notes_import.html", context)


def _counts(items):
    labels = dict(Note.Kind.choices)
    counts = {}
    for item in items:
        counts[item["kind"]] = counts.get(item["kind"], 0) + 1
    return [(labels[k], n) for k, n in counts.items()]
