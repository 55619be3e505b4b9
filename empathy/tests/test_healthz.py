import pytest

from empathy.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_without_login(client, monkeypatch, settings):
    # With a broker configured (CI: the real Redis), healthz must reach it; without one the
    # zero-setup path runs Celery eagerly and says so.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", not settings.CELERY_BROKER_URL)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == ("ok" if settings.CELERY_BROKER_URL else "eager")
    assert body["status"] == "ok"
    assert set(body) == {"status", "database", "broker"}  # no data beyond liveness


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
