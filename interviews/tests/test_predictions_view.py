import pytest
from django.urls import reverse

from interviews.factories import InterviewFactory, PredictionFactory
from interviews.models import Interview, Prediction

pytestmark = pytest.mark.django_db


def url(campaign):
    return reverse("interviews:predictions", args=[campaign.slug])


@pytest.mark.parametrize("role", ["lead", "interviewer", "analyst"])
def test_every_team_member_writes_their_own(client_for, cast, campaign, role):
    client = client_for(cast[role])
    lines = "Buses are late\n\n  Letters scare families  \nBuses are late"
    response = client.post(url(campaign), {"predictions": lines})
    assert response.status_code == 302
    mine = Prediction.objects.filter(campaign=campaign, author=cast[role]).order_by("position")
    assert [p.text for p in mine] == ["Buses are late", "Letters scare families"]
    # The form comes back with them, to edit until interviewing starts.
    assert "Letters scare families" in client.get(url(campaign)).content.decode()


def test_viewers_do_not_take_part(client_for, cast, campaign):
    assert client_for(cast["viewer"]).get(url(campaign)).status_code == 403
    assert client_for(cast["viewer"]).post(url(campaign), {"predictions": "x"}).status_code == 403


def test_others_predictions_stay_hidden_until_you_write_yours(client_for, cast, campaign):
    PredictionFactory(campaign=campaign, author=cast["lead"], text="Transportation is the main barrier")
    client = client_for(cast["interviewer"])
    body = client.get(url(campaign)).content.decode()
    assert "Transportation is the main barrier" not in body
    assert "1 teammate has written theirs" in body
    client.post(url(campaign), {"predictions": "Mornings fall apart after night shifts"})
    body = client.get(url(campaign)).content.decode()
    assert "Transportation is the main barrier" in body
    assert "Mornings fall apart after night shifts" in body


def test_too_many_predictions_are_refused(client_for, cast, campaign):
    lines = "\n".join(f"Prediction {i}" for i in range(11))
    response = client_for(cast["lead"]).post(url(campaign), {"predictions": lines})
    assert response.status_code == 400
    assert not Prediction.objects.exists()


def test_once_interviewing_starts_predictions_are_locked_and_shown_to_all(client_for, cast, campaign):
    PredictionFactory(campaign=campaign, author=cast["lead"], text="Transportation is the main barrier")
    PredictionFactory(
        campaign=campaign, author=cast["analyst"], text="Absence is about health", status=Prediction.Status.CONTRADICTED
    )
    InterviewFactory(campaign=campaign, interviewer=cast["interviewer"], status=Interview.Status.COMPLETED)
    client = client_for(cast["interviewer"])
    body = client.get(url(campaign)).content.decode()
    assert "Locked" in body
    assert "<textarea" not in body
    assert "Transportation is the main barrier" in body  # nothing is hidden any more
    assert "Contradicted" in body
    response = client.post(url(campaign), {"predictions": "Too late now"}, follow=True)
    assert "Predictions are locked" in response.content.decode()
    assert not Prediction.objects.filter(text="Too late now").exists()


def test_predictions_are_escaped(client_for, cast, campaign):
    client = client_for(cast["lead"])
    client.post(url(campaign), {"predictions": "<b>bold</b> claim"})
    body = client.get(url(campaign)).content.decode()
    assert "<b>bold</b>" not in body
    assert "&lt;b&gt;bold&lt;/b&gt; claim" in body


@pytest.mark.parametrize("n", [2, 30])
def test_predictions_page_query_count(client_for, cast, campaign, django_assert_num_queries, n):
    for role in ("lead", "interviewer", "analyst"):
        for i in range(n):
            PredictionFactory(campaign=campaign, author=cast[role], text=f"{role} {i}")
    client = client_for(cast["lead"])
    # session, user, membership+campaign, has an interview started (the lock), all predictions
    # with their authors; then the session's sliding expiry is saved (savepoint, update, release)
    with django_assert_num_queries(8):
        assert client.get(url(campaign)).status_code == 200
