"""The synthesis pages use the same attribution rule as the exports: published findings and the
theme page (where a lead sees how each quote would be attributed)."""

import pytest

pytestmark = pytest.mark.django_db


def test_findings_page_applies_small_group_protection(world, client_for, viewer):
    page = client_for(viewer).get(f"/c/{world.campaign.slug}/findings/").content.decode()
    # Ana is one of three 9th-graders heard: her grade may be named.
    assert "— a 9th-grade student" in page
    # Lan is the only family member heard: her quote is shown, without attribution.
    lan = "I cannot read the letters from school"
    assert lan in page
    assert "Family member" not in page.split(lan, 1)[1].split("</blockquote>", 1)[0]
    assert "a family member" not in page
    # Withdrawn, not quotable: never.
    assert "nobody asks why" not in page


def test_theme_page_tells_the_lead_how_quotes_are_attributed(world, client_for, lead):
    page = client_for(lead).get(f"/c/{world.campaign.slug}/themes/{world.theme.pk}/").content.decode()
    assert "quoted as “a 9th-grade student”" in page
    assert "quoted without attribution" in page  # Lan (small group) and Fay (chose none)
