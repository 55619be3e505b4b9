import pytest

from campaigns.models import Campaign
from empathy.db_routers import ReplicaRouter, reading_from_replica


def test_reads_go_to_the_replica_only_inside_the_context(monkeypatch):
    from django.conf import settings

    monkeypatch.setitem(settings.DATABASES, "replica", settings.DATABASES["default"])
    router = ReplicaRouter()
    assert router.db_for_read(Campaign) is None
    with reading_from_replica():
        assert router.db_for_read(Campaign) == "replica"
        assert router.db_for_write(Campaign) == "default"
    assert router.db_for_read(Campaign) is None


def test_without_a_replica_everything_stays_on_the_primary():
    with reading_from_replica():
        assert ReplicaRouter().db_for_read(Campaign) is None


@pytest.mark.django_db
def test_migrations_only_run_on_the_primary():
    assert ReplicaRouter().allow_migrate("default", "campaigns")
    assert not ReplicaRouter().allow_migrate("replica", "campaigns")
