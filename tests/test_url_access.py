"""The access rule, checked on every URL pattern the project has, so new pages are covered
the day they are added.

- Signed out: every page but the public ones redirects to sign-in.
- Under /c/<slug>/: every view is wrapped in @campaign_view; a non-member gets 404 (GET and
  POST); a member whose role is not allowed gets 403; an allowed role is let through.

A new URL keyword needs a sample value, or this test fails and says so. Each app supplies its
own in `<app>/tests/url_samples.py`: `def url_samples(campaign, cast) -> dict` returning
{keyword: value} for objects it creates in `campaign` (the cast is lead, interviewer, analyst,
viewer, outsider).
"""

import importlib
import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from campaigns.models import Invitation, Role
from empathy.access import ALL_ROLES

# Patterns anyone may open without signing in (names as reversed by Django).
PUBLIC = {
    "healthz",
    "invitation_accept",
    "set_language",
    # consent: a participant's own signed link (no account)
    "participant_link",
    "participant_consent",
    "participant_data",
    "participant_withdraw",
    # exports: the published "What we heard" page (an unguessable link)
    "what_we_heard",
}
# Third-party URL trees that enforce their own rules and are tested separately.
SKIPPED_PREFIXES = ("accounts/", "admin/", "i18n/")


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None, p


def all_patterns():
    return [
        (route, name, p)
        for route, name, p in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    ]


def campaign_patterns():
    return [(route, name, p) for route, name, p in all_patterns() if route.startswith("c/<slug:slug>/")]


@pytest.fixture
def sample_kwargs(campaign, cast):
    from django.utils import timezone

    invitation = Invitation.objects.create(
        campaign=campaign,
        email="someone@test.org",
        role=Role.ANALYST,
        token_hash="x" * 64,
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    samples = {
        "slug": campaign.slug,
        "membership_id": campaign.memberships.get(user=cast["interviewer"]).pk,
        "invitation_id": invitation.pk,
        "token": "not-a-real-token",
    }
    for app_config in apps.get_app_configs():
        module_name = f"{app_config.name}.tests.url_samples"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name not in (module_name, f"{app_config.name}.tests"):
                raise
            continue
        samples.update(module.url_samples(campaign, cast))
    return samples


def _url(route, name, kwargs):
    needed = re.findall(r"<(?:\w+:)?(\w+)>", route)
    missing = set(needed) - kwargs.keys()
    assert not missing, f"Add sample values for {missing} to sample_kwargs in {__file__} (URL {route})"
    return reverse(name, kwargs={k: kwargs[k] for k in needed})


def test_every_url_is_named():
    unnamed = [route for route, name, _p in all_patterns() if not name]
    assert not unnamed, f"Name these URL patterns so the access test can reach them: {unnamed}"


@pytest.mark.django_db
def test_signed_out_users_are_sent_to_sign_in(client, sample_kwargs):
    checked = 0
    for route, name, _pattern in all_patterns():
        url = _url(route, name, sample_kwargs)
        response = client.get(url)
        if name.split(":")[-1] in PUBLIC:
            assert response.status_code != 302 or "/accounts/login/" not in response.url, route
            continue
        assert response.status_code == 302, f"{route} answered {response.status_code} to a signed-out user"
        assert response.url.startswith(reverse("account_login")), route
        checked += 1
    assert checked >= 10


@pytest.mark.django_db
def test_every_campaign_view_is_guarded_by_campaign_view():
    unguarded = [route for route, _name, p in campaign_patterns() if not hasattr(p.callback, "campaign_roles")]
    assert not unguarded, f"Wrap these views in @campaign_view(...): {unguarded}"


@pytest.mark.django_db
def test_non_members_get_404_everywhere_in_a_campaign(client_for, cast, sample_kwargs):
    client = client_for(cast["outsider"])
    for route, name, _pattern in campaign_patterns():
        url = _url(route, name, sample_kwargs)
        assert client.get(url).status_code == 404, f"GET {route}"
        assert client.post(url).status_code == 404, f"POST {route}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r.value for r in Role])
def test_roles_get_exactly_what_their_view_allows(client_for, cast, sample_kwargs, role):
    client = client_for(cast[role])
    for route, name, pattern in campaign_patterns():
        url = _url(route, name, sample_kwargs)
        allowed = pattern.callback.campaign_roles
        assert allowed <= ALL_ROLES
        status = client.get(url).status_code
        if role in allowed:
            assert status not in (403, 404), f"{role} should reach GET {route}, got {status}"
        else:
            assert status == 403, f"{role} should be refused GET {route}, got {status}"
            assert client.post(url).status_code == 403, f"{role} should be refused POST {route}"


@pytest.mark.django_db
def test_a_campaign_that_does_not_exist_is_a_styled_404(client_for, cast):
    response = client_for(cast["lead"]).get("/c/no-such-campaign/")
    assert response.status_code == 404
    assert b"We could not find that page" in response.content


@pytest.mark.django_db
def test_admin_sign_in_goes_through_allauth(client):
    response = client.get("/admin/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
