"""Admins manage every model of ours in the Django admin."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from campaigns.factories import UserFactory

OUR_APPS = {"accounts", "audit", "campaigns", "participants", "consent", "interviews", "synthesis", "exports"}


def our_models():
    return [m for m in apps.get_models() if m._meta.app_label in OUR_APPS and not m._meta.auto_created]


def _inline_models():
    return {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}


def test_every_model_of_ours_is_in_the_admin():
    # Either registered on its own or edited inline within its parent's admin page.
    inlined = _inline_models()
    missing = [m._meta.label for m in our_models() if not admin.site.is_registered(m) and m not in inlined]
    assert not missing, f"Register these in their app's admin.py: {missing}"


@pytest.mark.django_db
def test_every_admin_list_and_search_renders(client_for, campaign, lead):
    client = client_for(UserFactory(is_staff=True, is_superuser=True))
    for model in our_models():
        if not admin.site.is_registered(model):
            continue  # an inline, rendered on its parent's page
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert client.get(url, {"q": "x"}).status_code == 200, url
