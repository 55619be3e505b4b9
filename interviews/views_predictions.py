"""Predictions first: what each team member expects to hear, written before the first interview."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from empathy.access import TEAM, campaign_view

from . import services
from .forms import PredictionsForm
from .models import Prediction


def _by_author(campaign):
    """[(user, [predictions])] for the whole team, authors in name order."""
    groups = {}
    for prediction in (
        Prediction.objects.for_campaign(campaign)
        .select_related("author")
        .order_by("author__full_name", "author__email", "position", "id")
    ):
        groups.setdefault(prediction.author, []).append(prediction)
    return list(groups.items())


@campaign_view(TEAM)
def predictions(request, campaign):
    locked = services.predictions_locked(campaign)
    team = _by_author(campaign)
    mine = next((items for author, items in team if author.pk == request.user.pk), [])
    form = None
    if not locked:
        initial = {"predictions": "\n".join(p.text for p in mine)}
        form = PredictionsForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.prediction_list_replace(
                    campaign=campaign, author=request.user, lines=form.cleaned_data["predictions"]
                )
            except ValidationError as error:
                form.add_error("predictions", error)
            else:
                messages.success(request, _("Your predictions are saved."))
                return redirect("interviews:predictions", campaign.slug)
    elif request.method == "POST":
        messages.error(request, _("Predictions are locked: the team has started interviewing."))
        return redirect("interviews:predictions", campaign.slug)
    # Until you have written yours, your teammates' stay hidden, so theirs cannot shape yours.
    hide_others = not locked and not mine
    context = {
        "campaign": campaign,
        "locked": locked,
        "form": form,
        "team": team,
        "mine": mine,
        "hide_others": hide_others,
        "author_count": len(team),
        "status_counts": _status_counts(team) if locked else None,
    }
    return render(request, "interviews/predictions.html", context, status=400 if form and form.errors else 200)


def _status_counts(team):
    counts = dict.fromkeys(Prediction.Status.values, 0)
    for _author, items in team:
        for prediction in items:
            counts[prediction.status] += 1
    return [(Prediction.Status(status).label, status, n) for status, n in counts.items()]
