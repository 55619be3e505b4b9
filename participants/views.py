import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from audit.services import audit_record
from campaigns.models import Membership, Role
from consent.selectors import withdrawn_participant_ids
from empathy.access import FIELD_TEAM, LEAD_ONLY, TEAM, campaign_view

from . import selectors, services
from .access import identity_visible
from .forms import (
    AssignForm,
    DimensionForm,
    DimensionValueFormSet,
    ImportForm,
    MatchForm,
    OverrideForm,
    ParticipantFilterForm,
    ParticipantForm,
    PriorityGroupForm,
    SelectionRuleForm,
    StatusForm,
)
from .importing import import_csv, template_columns, template_example
from .models import EquityDimension, Participant, ParticipantValue, PriorityGroup, SelectionRule

PAGE_SIZE = 25
MAX_MATCH_CANDIDATES = 20
# Codes of people just invited who have no email, for the next page's "print a card" links.
TO_PRINT_SESSION_KEY = "participants_to_print"


def _values_prefetch():
    return Prefetch(
        "dimension_values",
        queryset=ParticipantValue.objects.select_related("value", "dimension").order_by(
            "dimension__position", "dimension_id"
        ),
    )


def _dimensions(campaign):
    return list(campaign.dimensions.prefetch_related("values"))


def _participant_for(campaign, code, days=None, lock_identity=False):
    """One participant of this campaign, as the member may see them (404 if not theirs to see)."""
    qs = Participant.objects.visible_to(campaign.membership).select_related("campaign")
    if days is not None:
        qs = qs.with_history(days)
    participant = qs.prefetch_related(_values_prefetch()).filter(code=code).first()
    if participant is None:
        raise Http404
    if lock_identity and not participant.shows_identity:
        raise PermissionDenied
    return participant


# --- The list ---------------------------------------------------------------------------------


def _with_groups(participants, dimensions):
    """Give each participant `groups`: (dimension name, value label) pairs, role excluded, in dimension order.

    One query of ids, resolved against the dimensions already loaded: a page of 25 people has
    ~150 values, and loading each as model instances (with its value and dimension) cost more
    than the rest of the page.
    """
    labels = {
        value.pk: (position, dimension.name, value.label)
        for position, dimension in enumerate(dimensions)
        if dimension.source != "role"
        for value in dimension.values.all()
    }
    by_participant = {participant.pk: [] for participant in participants}
    links = ParticipantValue.objects.filter(participant_id__in=by_participant).values_list("participant_id", "value_id")
    for participant_id, value_id in links:
        if value_id in labels:
            by_participant[participant_id].append(labels[value_id])
    for participant in participants:
        participant.groups = [(name, label) for _position, name, label in sorted(by_participant[participant.pk])]
    return participants


def _filtered(campaign, form, days):
    membership = campaign.membership
    qs = Participant.objects.visible_to(membership).with_history(days)
    if not form.is_valid():
        return qs
    data = form.cleaned_data
    if data.get("q"):
        term = data["q"].strip()
        match = Q(code__iexact=term) | Q(code__iexact=f"P-{term}")
        if membership.is_lead:
            match |= Q(full_name__icontains=term) | Q(email__icontains=term)
        elif membership.role == "interviewer":
            match |= Q(shows_identity=True) & (Q(full_name__icontains=term) | Q(email__icontains=term))
        qs = qs.filter(match)
    if data.get("status") == Participant.Status.WITHDRAWN:
        qs = qs.filter(pk__in=withdrawn_participant_ids(campaign))
    elif data.get("status"):
        # A withdrawal record wins over the status (consent.selectors).
        qs = qs.filter(status=data["status"]).exclude(pk__in=withdrawn_participant_ids(campaign))
    if data.get("role"):
        qs = qs.filter(role=data["role"])
    if data.get("school"):
        qs = qs.filter(school__icontains=data["school"])
    if data.get("value"):
        qs = qs.filter(dimension_values__value_id=data["value"])
    flag = data.get("flag")
    if flag == "impacted":
        qs = qs.filter(most_directly_impacted=True)
    elif flag == "not_usually_asked":
        qs = qs.filter(Q(not_usually_asked=True) | Q(earlier_interviews=0) | Q(earlier_interviews__isnull=True))
    elif flag == "recent":
        qs = qs.filter(recently_interviewed=True)
    elif flag == "minor":
        qs = qs.filter(is_minor=True)
    elif flag == "mine":
        qs = qs.filter(assigned_interviewers=membership.user)
    return qs


@campaign_view(TEAM)
def participant_list(request, campaign):
    # Queries: campaign+membership, dimensions, their values, rule, count, page, page's values.
    dimensions = _dimensions(campaign)
    days = services.recent_interview_days(campaign)
    form = ParticipantFilterForm(
        request.GET or None,
        dimensions=dimensions,
        shows_school=campaign.membership.is_lead,
        may_be_assigned=campaign.membership.role in FIELD_TEAM,
    )
    qs = _filtered(campaign, form, days).order_by("number")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_groups(list(page.object_list), dimensions)
    query = urlencode([(k, v) for k, v in request.GET.items() if k != "page" and v])
    context = {
        "campaign": campaign,
        "page": page,
        "query": query,
        "form": form,
        "dimensions": dimensions,
        "days": days,
        "may_add": campaign.membership.role in FIELD_TEAM,
        "filtered": bool(query),
        "show_names": campaign.membership.role != Role.ANALYST,
        # Each row's link: this prefix and the code (participant_row), not a reverse() per row.
        "detail_prefix": reverse("participants:list", args=[campaign.slug]),
    }
    template = "participants/list.html#table" if request.htmx else "participants/list.html"
    response = render(request, template, context)
    if request.htmx and request.GET.get("q"):
        # A name typed in the search box stays out of the address bar, the history and referrers.
        response["HX-Push-Url"] = "false"
    return response


# --- One participant --------------------------------------------------------------------------


@campaign_view(FIELD_TEAM)
def participant_add(request, campaign):
    dimensions = _dimensions(campaign)
    form = ParticipantForm(request.POST or None, campaign=campaign, dimensions=dimensions)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_create(
                campaign=campaign, by=request.user, values=form.dimension_values(), **form.profile()
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(code)s was added.") % {"code": participant.code})
            if "add_another" in request.POST:
                return redirect("participants:add", campaign.slug)
            return redirect(participant)
    return render(request, "participants/form.html", {"campaign": campaign, "form": form, "participant": None})


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@campaign_view(TEAM)
def participant_detail(request, campaign, code):
    days = services.recent_interview_days(campaign)
    participant = _participant_for(campaign, code, days)
    membership = campaign.membership
    shows_identity = identity_visible(membership, participant)
    context = {
        "campaign": campaign,
        "participant": participant,
        "shows_identity": shows_identity,
        "days": days,
        "history": list(participant.status_changes.select_related("by")[:50]),
        "may_change": shows_identity and membership.role in FIELD_TEAM,
    }
    if context["may_change"] and participant.status in services.MANUAL_STATUSES:
        context["status_form"] = StatusForm(initial={"status": _next_status(participant.status)})
    if shows_identity:
        context["interviewers"] = list(participant.assigned_interviewers.order_by("email"))
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW_IDENTIFIED,
            campaign=campaign,
            target=participant,
            detail={"page": "participant_detail"},
            request=request,
        )
    if membership.is_lead:
        context["assign_form"] = AssignForm(
            campaign=campaign, initial={"interviewers": context["interviewers"]}, prefix="assign"
        )
        context["earlier"], context["earlier_elsewhere"] = _earlier_participations(participant, request.user)
        candidates = _match_candidates(participant, request.user)
        shown = list(candidates[:MAX_MATCH_CANDIDATES])
        context["match_form"] = None
        if shown:
            context["match_form"] = MatchForm(candidates=candidates, prefix="match", shown=shown)
            # Names from other campaigns are identified data too.
            audit_record(
                actor=request.user,
                action=AuditEvent.Action.VIEW_IDENTIFIED,
                campaign=campaign,
                target=participant,
                detail={
                    "page": "match candidates",
                    "candidates": [{"campaign": p.campaign.slug, "code": p.code} for p in shown],
                },
                request=request,
            )
    return render(request, "participants/detail.html", context)


def _next_status(status):
    return Participant.Status.INVITED if status == Participant.Status.NOMINATED else status


def _earlier_participations(participant, user):
    """The person's other participations in the district: those in campaigns the user is a
    member of, and how many more there are (no campaign named: outside a campaign, nothing of it
    is shown). One query."""
    if participant.person_id is None:
        return [], 0
    rows = list(
        Participant.objects.filter(person_id=participant.person_id)
        .exclude(pk=participant.pk)
        .annotate(member=Exists(Membership.objects.filter(campaign_id=OuterRef("campaign_id"), user=user)))
        .select_related("campaign")
        .order_by("-created_at")
    )
    return [p for p in rows if p.member], sum(1 for p in rows if not p.member)


def _match_candidates(participant, user):
    """People of other campaigns of the district with the same name or email, not yet linked,
    in campaigns the user leads (whose identities they may see). Indexed on lower(name), lower(email)."""
    district_id = participant.campaign.district_id
    if district_id is None or not participant.full_name:
        return Participant.objects.none()
    same = Q(name_lower=participant.full_name.lower())
    if participant.email:
        same |= Q(email_lower=participant.email.lower())
    led = Membership.objects.filter(user=user, role=Role.LEAD).values("campaign_id")
    qs = (
        Participant.objects.annotate(name_lower=Lower("full_name"), email_lower=Lower("email"))
        .filter(same, campaign__district_id=district_id, campaign_id__in=led)
        .exclude(campaign=participant.campaign)
    )
    if participant.person_id:
        qs = qs.exclude(person_id=participant.person_id)
    return qs.select_related("campaign").order_by("campaign__title", "number")


@campaign_view(FIELD_TEAM)
def participant_edit(request, campaign, code):
    participant = _participant_for(campaign, code, lock_identity=True)
    dimensions = _dimensions(campaign)
    form = ParticipantForm(request.POST or None, instance=participant, campaign=campaign, dimensions=dimensions)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=participant,
                by=request.user,
                values=form.dimension_values(),
                request=request,
                **form.profile(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("%(code)s was updated.") % {"code": participant.code})
            return redirect(participant)
    if request.method == "GET":
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.VIEW_IDENTIFIED,
            campaign=campaign,
            target=participant,
            detail={"page": "participant_edit"},
            request=request,
        )
    return render(request, "participants/form.html", {"campaign": campaign, "form": form, "participant": participant})


@campaign_view(FIELD_TEAM)
@require_POST
def participant_status(request, campaign, code):
    days = services.recent_interview_days(campaign)
    participant = _participant_for(campaign, code, days, lock_identity=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect(participant)
    status = form.cleaned_data["status"]
    if (
        status == Participant.Status.INVITED
        and participant.recently_interviewed
        and not form.cleaned_data["confirm_recent"]
    ):
        messages.error(
            request,
            _(
                "%(code)s was interviewed in the district in the last %(days)s days. Tick “invite anyway” "
                "if you still want to ask them again."
            )
            % {"code": participant.code, "days": days},
        )
        return redirect(participant)
    try:
        result = services.participant_status_change(
            participant=participant, status=status, by=request.user, note=form.cleaned_data["note"], request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(participant)
    messages.success(
        request,
        _("%(code)s is now %(status)s.") % {"code": participant.code, "status": participant.get_status_display()},
    )
    if result is not None:
        _invite_messages(request, result)
    return redirect(participant)


def _invite_messages(request, result):
    """Say how each consent request goes out. Codes only: the pages they link to show the rest."""
    if result.emailed:
        messages.info(
            request,
            _("Consent request emailed to: %(codes)s.") % {"codes": ", ".join(p.code for p in result.emailed)},
        )
    if result.to_print:
        messages.warning(
            request,
            _("No email for %(codes)s: print a consent card for them on their consent page.")
            % {"codes": ", ".join(p.code for p in result.to_print)},
        )
        request.session[TO_PRINT_SESSION_KEY] = [p.code for p in result.to_print][:50]
    if result.no_form:
        messages.warning(
            request,
            _("No consent form yet, so nothing was sent to %(codes)s. Write the form, then send their links.")
            % {"codes": ", ".join(p.code for p in result.no_form)},
        )


@campaign_view(LEAD_ONLY)
@require_POST
def participant_assign(request, campaign, code):
    participant = _participant_for(campaign, code)
    form = AssignForm(request.POST, campaign=campaign, prefix="assign")
    if form.is_valid():
        services.participant_assign(
            participant=participant, interviewers=form.cleaned_data["interviewers"], by=request.user, request=request
        )
        messages.success(request, _("Interviewers updated."))
    else:
        messages.error(request, _("Choose interviewers from the team."))
    return redirect(participant)


@campaign_view(LEAD_ONLY)
@require_POST
def participant_match(request, campaign, code):
    participant = _participant_for(campaign, code)
    form = MatchForm(request.POST, candidates=_match_candidates(participant, request.user), prefix="match")
    if form.is_valid():
        try:
            services.participant_match_person(
                participant=participant, earlier=form.cleaned_data["earlier"], by=request.user, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Recognised as the same person as in an earlier campaign."))
    else:
        messages.error(request, _("Choose someone from the list."))
    return redirect(participant)


# --- Import -----------------------------------------------------------------------------------


@campaign_view(FIELD_TEAM)
def participant_import(request, campaign):
    # Interviewers are assigned to the people they import (participants_create); leads may
    # assign them to interviewers here.
    lead = campaign.membership.is_lead
    form = ImportForm(request.POST or None, request.FILES or None, campaign=campaign, lead=lead)
    result = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["csv_text"]
        with transaction.atomic():
            result = import_csv(
                campaign=campaign, text=text, by=request.user, assign=form.cleaned_data.get("assign_to")
            )
        if result.ok:
            messages.success(
                request,
                _("Imported %(new)s participants; %(skipped)s were already in the campaign.")
                % {"new": len(result.created), "skipped": len(result.skipped)},
            )
            return redirect("participants:list", campaign.slug)
        # Keep what the user sent, so they can fix it here rather than start again.
        data = request.POST.copy()
        data["text"] = text
        form = ImportForm(data, campaign=campaign, lead=lead)
        form.is_valid()
    context = {
        "campaign": campaign,
        "form": form,
        "result": result,
        "columns": template_columns(campaign),
        "dimensions": _dimensions(campaign),
    }
    return render(request, "participants/import.html", context, status=400 if result else 200)


@campaign_view(FIELD_TEAM)
def participant_import_template(request, campaign):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="participants-{campaign.slug}.csv"'
    response.write("\ufeff")  # Lets spreadsheet programs recognise UTF-8.
    writer = csv.writer(response)
    writer.writerow(template_columns(campaign))
    writer.writerow(template_example(campaign))
    return response


# --- Dimensions and shares --------------------------------------------------------------------


@campaign_view(LEAD_ONLY)
def dimension_list(request, campaign):
    rule = SelectionRule.objects.filter(campaign=campaign).first()
    district_rule = (
        SelectionRule.objects.filter(district_id=campaign.district_id).first() if campaign.district_id else None
    )
    context = {
        "campaign": campaign,
        "dimensions": _dimensions(campaign),
        "campaign_rule": rule,
        "district_rule": district_rule,
        "rule_form": SelectionRuleForm(
            instance=rule, initial={"recent_interview_days": services.recent_interview_days(campaign)}
        ),
    }
    return render(request, "participants/dimensions.html", context)


@campaign_view(LEAD_ONLY)
@require_POST
def dimension_starter(request, campaign):
    created = services.dimensions_add_starter_set(campaign=campaign)
    if created:
        messages.success(
            request,
            _("Added %(n)s dimensions. Edit them and enter the population shares for your schools.")
            % {"n": len(created)},
        )
    else:
        messages.info(request, _("The campaign already has every starter dimension."))
    return redirect("participants:dimensions", campaign.slug)


@campaign_view(LEAD_ONLY)
def dimension_edit(request, campaign, dimension_id=None):
    dimension = (
        get_object_or_404(campaign.dimensions, pk=dimension_id) if dimension_id else EquityDimension(campaign=campaign)
    )
    form = DimensionForm(request.POST or None, instance=dimension, campaign=campaign)
    values = DimensionValueFormSet(request.POST or None, instance=dimension, prefix="values")
    if request.method == "POST" and form.is_valid() and values.is_valid():
        dimension = form.save(commit=False)
        dimension.campaign = campaign
        services.dimension_save(
            dimension=dimension,
            values=values.save(commit=False),
            deleted_values=values.deleted_objects,
            by=request.user,
            request=request,
        )
        messages.success(request, _("%(name)s saved.") % {"name": dimension.name})
        return redirect("participants:dimensions", campaign.slug)
    context = {"campaign": campaign, "form": form, "values": values, "dimension": dimension}
    return render(request, "participants/dimension_form.html", context)


@campaign_view(LEAD_ONLY)
def dimension_delete(request, campaign, dimension_id):
    dimension = get_object_or_404(campaign.dimensions, pk=dimension_id)
    if request.method == "POST":
        name = dimension.name
        services.dimension_delete(dimension=dimension, by=request.user, request=request)
        messages.success(request, _("%(name)s was deleted, with every participant's value in it.") % {"name": name})
        return redirect("participants:dimensions", campaign.slug)
    used = ParticipantValue.objects.filter(dimension=dimension).count()
    return render(
        request, "participants/dimension_delete.html", {"campaign": campaign, "dimension": dimension, "used": used}
    )


@campaign_view(LEAD_ONLY)
@require_POST
def selection_rule(request, campaign):
    form = SelectionRuleForm(request.POST)
    if form.is_valid():
        services.selection_rule_set(
            campaign=campaign, days=form.cleaned_data["recent_interview_days"], by=request.user, request=request
        )
        messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(form.errors.get("recent_interview_days", [])))
    return redirect("participants:dimensions", campaign.slug)


# --- Coverage and next invitations ------------------------------------------------------------


@campaign_view(TEAM)
def coverage(request, campaign):
    # Queries: campaign+membership, dimensions, values, totals, per-value counts, groups, group values, group counts.
    cov = selectors.coverage(campaign)
    context = {"campaign": campaign, "coverage": cov, "progress": selectors.priority_progress(campaign)}
    return render(request, "participants/coverage.html", context)


@campaign_view(TEAM)
def next_invitations(request, campaign):
    days = services.recent_interview_days(campaign)
    cov = selectors.coverage(campaign)
    ranked = selectors.next_invitations(campaign, campaign.membership, cov, days).prefetch_related(_values_prefetch())
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    weights = cov.weights()
    labels = {
        row.value.pk: f"{d.dimension.name}: {row.label}"
        for d in cov.dimensions
        for row in d.rows
        if row.value is not None
    }
    rows = [(p, selectors.explain_score(p, weights, labels)) for p in page]
    context = {
        "to_print": request.session.pop(TO_PRINT_SESSION_KEY, []),
        "campaign": campaign,
        "page": page,
        "rows": rows,
        "days": days,
        "coverage": cov,
        "may_invite": campaign.membership.is_lead,
    }
    return render(request, "participants/next_invitations.html", context)


@campaign_view(LEAD_ONLY)
@require_POST
def invite(request, campaign):
    days = services.recent_interview_days(campaign)
    codes = request.POST.getlist("code")
    chosen = list(
        Participant.objects.visible_to(campaign.membership).with_history(days).nominated().filter(code__in=codes)
    )
    recent = [p for p in chosen if p.recently_interviewed]
    if recent and not request.POST.get("confirm_recent"):
        messages.error(
            request,
            _(
                "Not sent: %(codes)s were interviewed in the district in the last %(days)s days. Untick them, or tick "
                "“invite anyway”."
            )
            % {"codes": ", ".join(p.code for p in recent), "days": days},
        )
        return redirect("participants:next", campaign.slug)
    result = services.participants_invite(
        participants=chosen, by=request.user, note=_("From next invitations"), request=request
    )
    if result.invited:
        messages.success(request, _("%(n)s people are now invited.") % {"n": len(result.invited)})
        _invite_messages(request, result)
    else:
        messages.info(request, _("Choose the people to invite."))
    return redirect("participants:next", campaign.slug)


# --- Priority groups and the synthesis gate ---------------------------------------------------


@campaign_view(TEAM)
def priority_groups(request, campaign):
    progress = selectors.priority_progress(campaign)
    context = {
        "campaign": campaign,
        "progress": progress,
        "unmet": [row for row in progress if not row.met],
        "overrides": list(campaign.target_overrides.select_related("by")[:10]),
        "override_form": OverrideForm(),
    }
    context["uncovered"] = _uncovered(context["unmet"], context["overrides"])
    return render(request, "participants/priority_groups.html", context)


def _uncovered(unmet, overrides):
    """Unmet groups the latest override does not cover (services.synthesis_blockers's rule)."""
    if not overrides:
        return unmet
    return [row for row in unmet if not services.UnmetTarget(row.group, row.interviewed).covered_by(overrides[0].unmet)]


@campaign_view(LEAD_ONLY)
def priority_group_edit(request, campaign, group_id=None):
    group = (
        get_object_or_404(PriorityGroup, campaign=campaign, pk=group_id)
        if group_id
        else PriorityGroup(campaign=campaign)
    )
    form = PriorityGroupForm(request.POST or None, instance=group, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        group = form.save(commit=False)
        group.campaign = campaign
        services.priority_group_save(group=group, values=form.cleaned_data["values"], by=request.user, request=request)
        messages.success(request, _("Priority group saved."))
        return redirect("participants:priorities", campaign.slug)
    return render(
        request, "participants/priority_group_form.html", {"campaign": campaign, "form": form, "group": group}
    )


@campaign_view(LEAD_ONLY)
def priority_group_delete(request, campaign, group_id):
    group = get_object_or_404(PriorityGroup, campaign=campaign, pk=group_id)
    if request.method == "POST":
        services.priority_group_delete(group=group, by=request.user, request=request)
        messages.success(request, _("Priority group deleted."))
        return redirect("participants:priorities", campaign.slug)
    return render(request, "participants/priority_group_delete.html", {"campaign": campaign, "group": group})


@campaign_view(LEAD_ONLY)
@require_POST
def target_override(request, campaign):
    form = OverrideForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_override_record(
                campaign=campaign, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Override recorded. It is shown on the overview."))
            return redirect("participants:priorities", campaign.slug)
    progress = selectors.priority_progress(campaign)
    context = {
        "campaign": campaign,
        "progress": progress,
        "unmet": [row for row in progress if not row.met],
        "overrides": list(campaign.target_overrides.select_related("by")[:10]),
        "override_form": form,
    }
    context["uncovered"] = _uncovered(context["unmet"], context["overrides"])
    return render(request, "participants/priority_groups.html", context, status=400)
