import pytest

from empathy.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    expected_broker = "eager" if celery_app.conf.task_always_eager else "ok"
    assert body["broker"] == expected_broker
    assert body["status"] == "ok"
    assert set(body) == {"status", "database", "broker"}  # no data beyond liveness


def test_healthz_is_503_when_the_broker_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)
    celery_app.pool.force_close_all() if celery_app._pool else None
    monkeypatch.setattr(celery_app, "_pool", None)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "unreachable"
