"""The "What we heard" page: a lead writes it per language and publishes it; the public link
shows only published themes and released, consent-cleared quotes; it is emailed to those who
agreed to be contacted again."""

import pytest
from django.urls import reverse

from exports import services
from exports.models import CommunitySummary
from synthesis.models import Theme

pytestmark = pytest.mark.django_db


def edit_url(campaign):
    return reverse("exports:summary", args=[campaign.slug])


def publish(client, campaign, action="publish"):
    return client.post(reverse("exports:summary_publish", args=[campaign.slug]), {"action": action}, follow=True)


@pytest.fixture
def published(world, client_for, lead):
    Theme.objects.create(campaign=world.campaign, title="UNPUBLISHED theme", statement="Draft words")
    client = client_for(lead)
    client.post(
        edit_url(world.campaign) + "?lang=en",
        {"lang": "en", "intro": "We listened to 7 families.", "next_steps": "The board votes in March."},
    )
    client.post(
        edit_url(world.campaign),
        {"lang": "vi", "intro": "Chúng tôi đã lắng nghe.", "next_steps": "Hội đồng sẽ bỏ phiếu vào tháng Ba."},
    )
    publish(client, world.campaign)
    return CommunitySummary.objects.get(campaign=world.campaign)


def test_lead_writes_in_each_participant_language(world, client_for, lead):
    page = client_for(lead).get(edit_url(world.campaign)).content.decode()
    # English plus the languages participants prefer (Lan prefers Vietnamese).
    assert "?lang=en" in page and "?lang=vi" in page


def test_only_leads_edit_and_publish(world, client_for, analyst):
    assert client_for(analyst).get(edit_url(world.campaign)).status_code == 403


def test_public_page_shows_only_what_was_published(world, published, client):
    response = client.get(published.get_public_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert "We listened to 7 families." in page and "The board votes in March." in page
    assert "First statement." in page and "Getting there" in page
    assert "UNPUBLISHED" not in page and "Draft words" not in page
    # Released quotes: consent-cleared, scrubbed, attributed only where the group is big enough.
    assert "[name] misses the bus" in page and "a 9th-grade student" in page
    assert "I cannot read the letters from school" in page
    assert "I mark them absent" not in page, "the teacher did not agree to be quoted"
    assert "nobody asks why" not in page, "withdrawn"
    assert "Ana María López" not in page and "Nguyễn" not in page
    assert response["X-Robots-Tag"] == "noindex"


def test_public_page_in_another_language(world, published, client):
    page = client.get(published.get_public_url("vi")).content.decode()
    assert "Chúng tôi đã lắng nghe." in page and 'lang="vi"' in page


def test_spanish_template_strings_are_translated(world, published, client_for, lead):
    services.community_summary_save_text(campaign=world.campaign, language="es", intro="Escuchamos.", next_steps="…")
    page = client_for(lead).get(published.get_public_url("es")).content.decode()
    assert "Escuchamos." in page and "Lo que escuchamos" in page and "Lo que nos contaron" in page
    assert "un estudiante de 9" in page


def test_unpublished_or_unknown_links_are_404(world, published, client, client_for, lead):
    assert client.get(reverse("heard:what_we_heard", args=["x" * 43])).status_code == 404
    publish(client_for(lead), world.campaign, "unpublish")
    assert client.get(published.get_public_url()).status_code == 404


def test_token_is_unguessable(world, published):
    assert len(published.token) >= 40


def test_recipients_are_those_who_may_be_contacted_and_did_not_withdraw(world):
    from consent.factories import ConsentRecordFactory

    ConsentRecordFactory(participant=world.people["ben"], may_recontact=False)  # a newer agreement replaces it
    people = {p.pk for p in services.community_summary_recipients(world.campaign)}
    assert world.people["ana"].pk in people
    assert world.people["wes"].pk not in people
    assert world.people["ben"].pk not in people


def test_emailed_through_the_reminders_pipeline_to_those_who_may_be_contacted(
    world, published, client_for, lead, mailoutbox, django_capture_on_commit_callbacks
):
    from consent.factories import ConsentRecordFactory
    from reminders.models import Email, Kind

    lan = world.people["lan"]
    lan.email = "lan@example.net"
    lan.save()
    ConsentRecordFactory(participant=world.people["ben"], may_recontact=False)
    world.people["ben"].email = "ben@example.net"
    world.people["ben"].save()
    with django_capture_on_commit_callbacks(execute=True):
        response = publish(client_for(lead), world.campaign, "email")
    assert "2 emails queued." in response.content.decode()
    rows = {e.recipient: e for e in Email.objects.filter(kind=Kind.COMMUNITY_SUMMARY)}
    assert set(rows) == {"ana.lopez@example.net", "lan@example.net"}
    assert rows["lan@example.net"].language == "vi"  # she prefers Vietnamese, and the lead wrote it
    sent = {m.to[0]: m for m in mailoutbox}
    assert "?lang=vi" in sent["lan@example.net"].body
    assert published.get_public_url() in sent["ana.lopez@example.net"].body
    # Emailing again does not send twice.
    with django_capture_on_commit_callbacks(execute=True):
        publish(client_for(lead), world.campaign, "email")
    assert Email.objects.filter(kind=Kind.COMMUNITY_SUMMARY).count() == 2
