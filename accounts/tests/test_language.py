"""Staff read the interface in their own language; visitors get their browser's; dates follow."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from campaigns.factories import UserFactory
from campaigns.models import IssueStatement
from reminders.models import Kind
from reminders.services import email_enqueue

pytestmark = pytest.mark.django_db


def test_a_staff_member_who_picks_spanish_sees_the_overview_in_spanish(campaign, lead, client_for):
    client = client_for(lead)
    response = client.post(reverse("account_language"), {"preferred_language": "es"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    lead.refresh_from_db()
    assert lead.preferred_language == "es"

    page = client.get(reverse("campaigns:overview", args=[campaign.slug])).content.decode()
    assert '<html lang="es">' in page
    for spanish in ("Declaración del problema", "Lista de planificación", "Metas", "Mis campañas", "Cerrar sesión"):
        assert spanish in page
    assert "Planning checklist" not in page


def test_the_choice_follows_the_user_to_a_new_browser(campaign, lead, client_for):
    lead.preferred_language = "es"
    lead.save(update_fields=["preferred_language"])
    client = client_for(lead)  # no language cookie yet, and a browser asking for English
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Mis campañas" in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_the_footer_switch_remembers_the_choice_on_the_account(lead, client_for):
    client = client_for(lead)
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    lead.refresh_from_db()
    assert lead.preferred_language == "es"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    lead.refresh_from_db()
    assert lead.preferred_language == "en"
    assert "My campaigns" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()


def test_same_as_my_browser_leaves_it_to_the_browser(lead, client_for):
    client = client_for(lead)
    client.post(reverse("account_language"), {"preferred_language": ""})
    lead.refresh_from_db()
    assert lead.preferred_language == ""
    assert "Mis campañas" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "My campaigns" in client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_an_anonymous_visitor_asking_for_spanish_gets_the_sign_in_page_in_spanish(client):
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in page
    assert "Iniciar sesión" in page
    assert "El personal se une mediante una invitación" in page
    assert "New to the team?" not in page


def test_dates_on_the_issue_history_are_localized(campaign, lead, client_for):
    when = timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 30), timezone.get_default_timezone())
    IssueStatement.objects.filter(campaign=campaign).update(created_at=when)
    client = client_for(lead)
    url = reverse("campaigns:issue", args=[campaign.slug])

    spanish = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "5 de marzo de 2026" in spanish
    assert "Historial" in spanish

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "March 5, 2026" in english


def test_an_email_to_a_staff_member_is_written_in_their_language(campaign):
    user = UserFactory(email="ana@example.org", preferred_language="es")
    other = UserFactory(email="bo@example.org")
    assert email_enqueue(kind=Kind.EXPORT_READY, to=user.email, campaign=campaign, user=user).language == "es"
    assert email_enqueue(kind=Kind.EXPORT_READY, to=other.email, campaign=campaign, user=other).language == "en"
