"""Shared fixtures: the standard cast for access tests, and per-worker isolation of Redis.

The cast: in `campaign`, a lead, an interviewer, an analyst and a viewer; `outsider` leads
`other_campaign` and belongs to nothing else.
"""

import os

import pytest
from django.test import Client

from campaigns.factories import CampaignFactory, MembershipFactory, UserFactory
from campaigns.models import Role


def pytest_configure(config):
    from django.conf import settings

    # CI must exercise the real services; a missing one is a failure, never a silent skip.
    if os.environ.get("CI") and not (settings.REDIS_URL and settings.IS_POSTGRES):
        raise pytest.UsageError("CI runs need DATABASE_URL (PostgreSQL) and REDIS_URL set; see .ci/run.")


def _worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # Argon2 is the production hasher (tested in test_settings); tests use a fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each xdist worker gets its own Redis database so cache-backed rate limits do not mix.
    if settings.REDIS_URL:
        location = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{10 + _worker_number()}"
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _campaign_generation_at_once(request):
    """PostgreSQL moves a campaign's generation when its transaction commits (a deferred
    trigger, synthesis migration 0006); a test's transaction never commits, so there the trigger
    runs at the end of each statement instead. Tests that commit (transactional) need nothing."""
    marker = request.node.get_closest_marker("django_db")
    uses_db = "db" in request.fixturenames or marker is not None
    transactional = "transactional_db" in request.fixturenames or (marker and marker.kwargs.get("transaction"))
    if not uses_db or transactional:
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS synthesis_generation_commit IMMEDIATE")


@pytest.fixture(autouse=True)
def _celery_eager_by_default(monkeypatch):
    """Views' tasks run in-process in ordinary tests; tests of the real worker turn this off."""
    from empathy.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    monkeypatch.setitem(app.conf, "task_eager_propagates", True)


@pytest.fixture
def campaign(db):
    return CampaignFactory(title="Attendance interviews", slug="attendance")


@pytest.fixture
def other_campaign(db):
    return CampaignFactory(title="Other campaign", slug="other")


def _member(campaign, role, email):
    return MembershipFactory(campaign=campaign, role=role, user=UserFactory(email=email)).user


@pytest.fixture
def lead(campaign):
    return _member(campaign, Role.LEAD, "lead@test.org")


@pytest.fixture
def interviewer(campaign):
    return _member(campaign, Role.INTERVIEWER, "interviewer@test.org")


@pytest.fixture
def analyst(campaign):
    return _member(campaign, Role.ANALYST, "analyst@test.org")


@pytest.fixture
def viewer(campaign):
    return _member(campaign, Role.VIEWER, "viewer@test.org")


@pytest.fixture
def outsider(other_campaign):
    return _member(other_campaign, Role.LEAD, "outsider@test.org")


@pytest.fixture
def cast(lead, interviewer, analyst, viewer, outsider):
    return {"lead": lead, "interviewer": interviewer, "analyst": analyst, "viewer": viewer, "outsider": outsider}


@pytest.fixture
def client_for(db):
    """A test client signed in as the given user."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make
