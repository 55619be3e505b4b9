import pytest
from django.urls import reverse

from audit.models import AuditEvent
from campaigns.factories import CampaignFactory
from interviews.factories import PromptPatternFactory
from interviews.models import PromptPattern

pytestmark = pytest.mark.django_db


def url(name, campaign, *args):
    return reverse(f"interviews:{name}", args=[campaign.slug, *args])


def test_the_library_has_the_methods_patterns(client_for, campaign, analyst, builtin_patterns):
    body = client_for(analyst).get(url("library", campaign)).content.decode()
    for pattern in (
        "Tell me about the last time that you …",
        "What is most important to you about …?",
        "What advice would you give someone else about …?",
        "What feelings came up when … last occurred?",
    ):
        assert pattern in body
    assert "Add a pattern" not in body  # readers read; leads add


def test_a_lead_adds_a_pattern_with_an_ellipsis_for_the_topic(client_for, campaign, lead):
    client = client_for(lead)
    response = client.post(
        url("pattern_add", campaign), {"text": "What do you wish your teachers knew about …?", "kind": "core"}
    )
    assert response.status_code == 302
    pattern = PromptPattern.objects.get(campaign=campaign)
    assert pattern.text == "What do you wish your teachers knew about {topic}?"
    assert pattern.fill("  mornings at home. ") == "What do you wish your teachers knew about mornings at home?"
    assert "What do you wish your teachers knew about …?" in client.get(url("library", campaign)).content.decode()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("What do you wish your teachers knew?", "Mark exactly one place"),
        ("Tell me about … and …", "Mark exactly one place"),
        ("Tell me about the last time that you ….", "already has this pattern"),
    ],
)
def test_pattern_needs_one_gap_and_must_be_new(client_for, campaign, lead, text, error, builtin_patterns):
    response = client_for(lead).post(url("pattern_add", campaign), {"text": text, "kind": "core"})
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not PromptPattern.objects.filter(campaign=campaign).exists()


def test_patterns_of_one_campaign_stay_in_it(client_for, campaign, lead):
    elsewhere = PromptPatternFactory(campaign=CampaignFactory(), text="Secret pattern about {topic}?")
    assert "Secret pattern" not in client_for(lead).get(url("library", campaign)).content.decode()
    assert client_for(lead).get(url("pattern_delete", campaign, elsewhere.pk)).status_code == 404


def test_removing_a_pattern_asks_first_and_is_audited(client_for, campaign, lead):
    pattern = PromptPatternFactory(campaign=campaign)
    client = client_for(lead)
    assert "Remove this pattern?" in client.get(url("pattern_delete", campaign, pattern.pk)).content.decode()
    client.post(url("pattern_delete", campaign, pattern.pk))
    assert not PromptPattern.objects.filter(pk=pattern.pk).exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DELETE, target_type="interviews.PromptPattern").exists()


def test_built_in_patterns_cannot_be_removed_by_leads(client_for, campaign, lead, builtin_patterns):
    builtin = PromptPattern.objects.filter(campaign=None).first()
    assert client_for(lead).post(url("pattern_delete", campaign, builtin.pk)).status_code == 404
    assert PromptPattern.objects.filter(pk=builtin.pk).exists()
