"""Scheduling: the interview list, schedule, reschedule, cancel, no-show.

Leads and interviewers schedule; analysts see the list with participant codes only. A
participant's name shows only where participants.access allows it (leads; interviewers assigned
to that participant — scheduling assigns the interview team).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Exists, OuterRef, Q, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from campaigns.models import Role
from empathy.access import FIELD_TEAM, TEAM, campaign_view
from participants.models import Participant

from . import services
from .forms import InterviewCancelForm, InterviewFilterForm, InterviewRescheduleForm, InterviewScheduleForm
from .models import Interview

INTERVIEWS_PER_PAGE = 25


def interview_for(campaign, interview_id, *, related=(), annotate=None) -> Interview:
    """The interview of this campaign (404 otherwise), with its participant and guide."""
    queryset = Interview.objects.filter(campaign=campaign).select_related("participant", "guide", *related)
    if annotate:
        queryset = queryset.annotate(**annotate)
    interview = get_object_or_404(queryset, pk=interview_id)
    interview.campaign = campaign
    return interview


def require_runner(campaign, interview):
    if not services.may_run(campaign.membership, interview):
        raise PermissionDenied


def _with_identity(queryset, membership):
    """Annotate `shows_identity`: may this member see the participant's name (participants.access)?"""
    if membership.role == Role.LEAD:
        return queryset.annotate(shows_identity=Value(True, output_field=BooleanField()))
    if membership.role == Role.INTERVIEWER:
        assigned = Participant.assigned_interviewers.through.objects.filter(
            participant_id=OuterRef("participant_id"), user_id=membership.user_id
        )
        return queryset.annotate(shows_identity=Exists(assigned))
    return queryset.annotate(shows_identity=Value(False, output_field=BooleanField()))


def _with_clash(queryset):
    """Annotate `has_clash`: an active interview overlaps it with the same participant or team member."""
    others = (
        Interview.objects.active()
        .filter(scheduled_at__lt=OuterRef("ends_at"), ends_at__gt=OuterRef("scheduled_at"))
        .exclude(pk=OuterRef("pk"))
    )
    same = (
        Q(participant_id=OuterRef("participant_id"))
        | Q(interviewer_id=OuterRef("interviewer_id"))
        | Q(interviewer_id=OuterRef("note_taker_id"))
        | Q(note_taker_id=OuterRef("interviewer_id"))
        | Q(note_taker_id=OuterRef("note_taker_id"))
    )
    return queryset.annotate(has_clash=Exists(others.filter(same)))


@campaign_view(TEAM)
def interviews(request, campaign):
    form = InterviewFilterForm(request.GET or None, campaign=campaign)
    queryset = Interview.objects.for_campaign(campaign)
    when = "upcoming"
    if form.is_valid():
        data = form.cleaned_data
        when = data["when"] or "upcoming"
        if data["participant"]:
            queryset = queryset.filter(participant__code__iexact=data["participant"].strip())
        if data["member"]:
            queryset = queryset.for_team_member(data["member"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
    now = timezone.now()
    if when == "upcoming":
        # Still to happen, plus anything running now (it started but has not been closed).
        queryset = queryset.filter(Q(ends_at__gte=now) | Q(status=Interview.Status.IN_PROGRESS)).order_by(
            "scheduled_at", "id"
        )
    elif when == "past":
        queryset = queryset.filter(ends_at__lt=now).order_by("-scheduled_at", "-id")
    else:
        queryset = queryset.order_by("-scheduled_at", "-id")
    queryset = _with_clash(_with_identity(queryset, campaign.membership)).select_related(
        "participant", "guide", "interviewer", "note_taker"
    )
    page = Paginator(queryset, INTERVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "interviews/interviews.html",
        {
            "campaign": campaign,
            "page": page,
            "form": form,
            "when": when,
            "query": query,
            "may_schedule": campaign.membership.role in FIELD_TEAM,
        },
    )


def _show_clashes(request, interview):
    clashes = services.interview_clashes(interview)
    for other in clashes:
        if other.participant_id == interview.participant_id:
            text = _("%(code)s already has an interview that overlaps this one.") % {"code": other.participant.code}
        else:
            text = _("A team member already has an overlapping interview at that time.")
        messages.warning(request, text)
    return clashes


@campaign_view(FIELD_TEAM)
def interview_schedule(request, campaign):
    initial = {}
    if code := request.GET.get("participant"):
        initial["participant"] = Participant.objects.filter(campaign=campaign, code=code).first()
    if campaign.membership.role == Role.INTERVIEWER:
        initial["interviewer"] = request.user
    form = InterviewScheduleForm(request.POST or None, campaign=campaign, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            interview = services.interview_schedule(
                campaign=campaign,
                participant=data["participant"],
                guide=data["guide"],
                scheduled_at=data["scheduled_at"],
                time_zone=data["time_zone"],
                duration=data["duration"],
                mode=data["mode"],
                place_or_link=data["place_or_link"],
                language=data["language"],
                interviewer=data["interviewer"],
                note_taker=data["note_taker"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Interview with %(code)s scheduled.") % {"code": interview.participant.code})
            _show_clashes(request, interview)
            return redirect("interviews:list", campaign.slug)
    return render(request, "interviews/interview_form.html", {"campaign": campaign, "form": form})


@campaign_view(FIELD_TEAM)
def interview_reschedule(request, campaign, interview_id):
    interview = interview_for(campaign, interview_id)
    require_runner(campaign, interview)
    form = InterviewRescheduleForm.for_interview(interview, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.interview_reschedule(
                interview=interview,
                scheduled_at=data["scheduled_at"],
                time_zone=data["time_zone"],
                duration=data["duration"],
                mode=data["mode"],
                place_or_link=data["place_or_link"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Interview moved."))
            _show_clashes(request, interview)
            return redirect("interviews:list", campaign.slug)
    return render(
        request,
        "interviews/interview_reschedule.html",
        {"campaign": campaign, "form": form, "interview": interview},
    )


def _confirm_step(request, campaign, interview_id, *, action, template_title, question, button, form_class=None):
    interview = interview_for(campaign, interview_id)
    require_runner(campaign, interview)
    form = form_class(request.POST or None) if form_class else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            action(interview, form.cleaned_data if form else {})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("interviews:list", campaign.slug)
    return render(
        request,
        "interviews/interview_confirm.html",
        {
            "campaign": campaign,
            "interview": interview,
            "form": form,
            "title": template_title,
            "question": question,
            "button": button,
        },
    )


@campaign_view(FIELD_TEAM)
def interview_cancel(request, campaign, interview_id):
    def action(interview, data):
        services.interview_cancel(interview=interview, by=request.user, reason=data.get("reason", ""))
        messages.success(request, _("Interview cancelled."))

    return _confirm_step(
        request,
        campaign,
        interview_id,
        action=action,
        template_title=_("Cancel this interview?"),
        question=_("The time is freed for the team. The participant stays consented and can be scheduled again."),
        button=_("Cancel interview"),
        form_class=InterviewCancelForm,
    )


@campaign_view(FIELD_TEAM)
def interview_no_show(request, campaign, interview_id):
    def action(interview, data):
        services.interview_no_show(interview=interview, by=request.user)
        messages.success(request, _("Marked as a no-show."))

    return _confirm_step(
        request,
        campaign,
        interview_id,
        action=action,
        template_title=_("Mark as a no-show?"),
        question=_("Use this when the participant did not come. You can schedule them again."),
        button=_("Mark no-show"),
    )


def list_url(campaign):
    return reverse("interviews:list", args=[campaign.slug])
