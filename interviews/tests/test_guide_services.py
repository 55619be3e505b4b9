import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from campaigns.factories import CampaignFactory, MembershipFactory
from campaigns.models import Role
from interviews import services
from interviews.factories import InterviewFactory, InterviewGuideFactory, PredictionFactory
from interviews.models import Prediction, Prompt

pytestmark = pytest.mark.django_db


def order(guide):
    """{kind: [texts in order]} as the guide page shows them."""
    return {kind: [p.text for p in prompts] for kind, _label, prompts in services.guide_groups(guide)}


@pytest.fixture
def guide(campaign):
    guide = InterviewGuideFactory(campaign=campaign, title="Students")
    for kind, text in [
        ("opening", "O1"),
        ("opening", "O2"),
        ("core", "C1"),
        ("core", "C2"),
        ("core", "C3"),
        ("closing", "Z1"),
    ]:
        services.prompt_add(guide=guide, kind=kind, text=text)
    return guide


def prompt(guide, text):
    return guide.prompts.get(text=text)


def test_prompts_are_added_at_the_end_of_their_group(guide):
    services.prompt_add(guide=guide, kind="opening", text="  O3  ")
    assert order(guide) == {
        "opening": ["O1", "O2", "O3"],
        "core": ["C1", "C2", "C3"],
        "follow_up": [],
        "closing": ["Z1"],
    }


def test_move_swaps_with_the_neighbour(guide):
    services.prompt_move(prompt=prompt(guide, "C2"), direction="up")
    assert order(guide)["core"] == ["C2", "C1", "C3"]
    services.prompt_move(prompt=prompt(guide, "C2"), direction="down")
    services.prompt_move(prompt=prompt(guide, "C2"), direction="down")
    assert order(guide)["core"] == ["C1", "C3", "C2"]


def test_move_crosses_into_the_next_group_at_the_edge(guide):
    moved = services.prompt_move(prompt=prompt(guide, "C1"), direction="up")
    assert moved.kind == "opening"
    assert order(guide)["opening"] == ["O1", "O2", "C1"]
    assert order(guide)["core"] == ["C2", "C3"]
    # Down from the last core prompt lands at the top of the (empty) follow-up group.
    services.prompt_move(prompt=prompt(guide, "C3"), direction="down")
    assert order(guide)["follow_up"] == ["C3"]
    services.prompt_move(prompt=prompt(guide, "C3"), direction="down")
    assert order(guide)["closing"] == ["C3", "Z1"]


def test_move_at_the_very_ends_changes_nothing(guide):
    before = order(guide)
    services.prompt_move(prompt=prompt(guide, "O1"), direction="up")
    services.prompt_move(prompt=prompt(guide, "Z1"), direction="down")
    assert order(guide) == before


def test_move_refuses_other_directions(guide):
    with pytest.raises(ValidationError):
        services.prompt_move(prompt=prompt(guide, "C1"), direction="sideways")


def test_reorder_puts_a_group_in_the_given_order(guide):
    ids = [prompt(guide, t).pk for t in ("C3", "C1", "C2")]
    services.prompt_reorder(guide=guide, kind="core", ordered_ids=ids)
    assert order(guide)["core"] == ["C3", "C1", "C2"]


def test_reorder_can_take_a_prompt_from_another_group(guide):
    ids = [prompt(guide, t).pk for t in ("C1", "O2", "C2", "C3")]
    services.prompt_reorder(guide=guide, kind="core", ordered_ids=ids)
    assert order(guide)["core"] == ["C1", "O2", "C2", "C3"]
    assert order(guide)["opening"] == ["O1"]
    assert prompt(guide, "O2").kind == "core"


def test_reorder_from_a_stale_page_keeps_the_prompts_it_did_not_know(guide):
    services.prompt_reorder(guide=guide, kind="core", ordered_ids=[prompt(guide, "C3").pk])
    assert order(guide)["core"] == ["C3", "C1", "C2"]


def test_reorder_refuses_prompts_of_another_guide(guide, campaign):
    other = InterviewGuideFactory(campaign=campaign)
    stranger = services.prompt_add(guide=other, kind="core", text="Not yours")
    with pytest.raises(ValidationError):
        services.prompt_reorder(guide=guide, kind="core", ordered_ids=[stranger.pk])
    assert stranger.guide_id == other.pk
    with pytest.raises(ValidationError):
        services.prompt_reorder(guide=guide, kind="nonsense", ordered_ids=[])


def test_update_to_another_kind_joins_the_end_of_that_group(guide):
    services.prompt_update(prompt=prompt(guide, "O1"), kind="closing", text="Z2")
    assert order(guide)["closing"] == ["Z1", "Z2"]
    assert order(guide)["opening"] == ["O2"]


def test_delete_is_audited(guide, lead):
    services.prompt_delete(prompt=prompt(guide, "C1"), by=lead)
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.DELETE
    assert event.detail["text"] == "C1"
    services.guide_delete(guide=guide, by=lead)
    assert AuditEvent.objects.filter(target_type="interviews.InterviewGuide").exists()
    assert not Prompt.objects.exists()


def test_copy_brings_every_prompt_into_the_target_campaign(guide, lead):
    target = CampaignFactory(slug="family")
    MembershipFactory(campaign=target, user=lead, role=Role.LEAD)
    copy = services.guide_copy(source=guide, campaign=target, by=lead)
    assert copy.campaign == target
    assert copy.copied_from == guide
    assert order(copy) == order(guide)
    # Copying again does not clash with the first copy's title.
    again = services.guide_copy(source=guide, campaign=target, by=lead)
    assert again.title == "Students (copy)"
    assert services.guide_copy(source=guide, campaign=target, by=lead).title == "Students (copy 2)"


def test_copy_refuses_a_guide_from_a_campaign_the_user_does_not_lead(guide, outsider, other_campaign, interviewer):
    with pytest.raises(PermissionDenied):
        services.guide_copy(source=guide, campaign=other_campaign, by=outsider)
    # Nor may an interviewer of the source copy it into a campaign they lead.
    MembershipFactory(campaign=other_campaign, user=interviewer, role=Role.LEAD)
    with pytest.raises(PermissionDenied):
        services.guide_copy(source=guide, campaign=other_campaign, by=interviewer)


def test_copy_refuses_a_target_the_user_does_not_lead(guide, lead, other_campaign):
    MembershipFactory(campaign=other_campaign, user=lead, role=Role.INTERVIEWER)
    with pytest.raises(PermissionDenied):
        services.guide_copy(source=guide, campaign=other_campaign, by=lead)


# Predictions -------------------------------------------------------------------------------


def test_predictions_can_be_written_and_rewritten_while_planning(campaign, interviewer):
    assert not services.predictions_locked(campaign)
    services.prediction_list_replace(campaign=campaign, author=interviewer, lines=["Buses", "Letters", "Buses"])
    first = {p.text: p.pk for p in Prediction.objects.filter(author=interviewer)}
    assert list(first) == ["Buses", "Letters"]
    services.prediction_list_replace(campaign=campaign, author=interviewer, lines=["Health", "Buses"])
    after = list(Prediction.objects.filter(author=interviewer).order_by("position"))
    assert [p.text for p in after] == ["Health", "Buses"]
    assert after[1].pk == first["Buses"]  # an unchanged line keeps its row


def test_predictions_lock_once_an_interview_starts(campaign, interviewer):
    PredictionFactory(campaign=campaign, author=interviewer, text="Buses")
    interview = InterviewFactory(campaign=campaign, interviewer=interviewer)
    assert not services.predictions_locked(campaign)  # scheduled is not started
    interview.mark_started()
    assert services.predictions_locked(campaign)
    with pytest.raises(ValidationError):
        services.prediction_list_replace(campaign=campaign, author=interviewer, lines=["Something new"])
    assert list(Prediction.objects.values_list("text", flat=True)) == ["Buses"]


def test_predictions_are_for_the_team_only(campaign, viewer, outsider):
    for user in (viewer, outsider):
        with pytest.raises(PermissionDenied):
            services.prediction_list_replace(campaign=campaign, author=user, lines=["x"])


def test_predictions_are_a_short_list(campaign, lead):
    with pytest.raises(ValidationError):
        services.prediction_list_replace(campaign=campaign, author=lead, lines=[f"p{i}" for i in range(11)])


def test_synthesis_marks_a_prediction(campaign, lead):
    prediction = PredictionFactory(campaign=campaign, author=lead)
    prediction.mark(Prediction.Status.CONTRADICTED, "Nobody mentioned buses.")
    prediction.refresh_from_db()
    assert prediction.status == "contradicted"
    assert prediction.status_note == "Nobody mentioned buses."
