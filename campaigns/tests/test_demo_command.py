import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from campaigns.models import Campaign, Membership

pytestmark = pytest.mark.django_db


def test_demo_creates_a_district_two_campaigns_and_one_user_per_role(capsys):
    call_command("demo")
    out = capsys.readouterr().out
    for email in ("lead", "interviewer", "analyst", "viewer", "outsider"):
        assert f"{email}@example.org" in out
        assert get_user_model().objects.get(email=f"{email}@example.org").check_password("demo-password")
    campaigns = Campaign.objects.all()
    assert campaigns.count() == 2
    assert {c.district.name for c in campaigns} == {"Riverside Unified"}
    roles = set(Membership.objects.filter(campaign__slug="attendance-policy").values_list("user__email", "role"))
    assert roles == {
        ("lead@example.org", "lead"),
        ("interviewer@example.org", "interviewer"),
        ("analyst@example.org", "analyst"),
        ("viewer@example.org", "viewer"),
    }
    assert not Membership.objects.filter(user__email="outsider@example.org").exists()


def test_demo_is_idempotent():
    call_command("demo")
    counts = {model: model.objects.count() for model in (Campaign, Membership, get_user_model())}
    call_command("demo")
    assert counts == {model: model.objects.count() for model in counts}
