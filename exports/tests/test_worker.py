"""The export task on a real Celery worker: a worker process consuming the `exports` queue from a
Redis of the test's own, building the file into the shared storage while this process watches
the job's progress. Needs PostgreSQL (the worker shares the test database) and redis-server;
under CI their absence fails, elsewhere the test skips (reminders.tests.realworld)."""

import csv
import io
import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from exports.models import ExportJob
from reminders.tests.realworld import (
    ROOT,
    RedisServer,
    _database_url,
    point_celery_at,
    require_real_services,
    wait_until,
)

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis():
    require_real_services()
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_app(redis):
    from empathy.celery import app

    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    yield point_celery_at(redis.url)
    for key, value in saved.items():
        app.conf[key] = value
    point_celery_at(saved["broker_url"]).conf.task_always_eager = saved["task_always_eager"]


@pytest.fixture
def exports_worker(redis):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "CI")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "empathy.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": redis.url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "EMAIL_URL": "dummymail://",
            "PYTHONUNBUFFERED": "1",
        }
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "empathy",
            "worker",
            "-Q",
            "exports",
            "--pool=solo",
            "-n",
            f"exports-{os.getpid()}@localhost",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def test_a_real_worker_builds_the_export(world, lead, celery_app, exports_worker):
    from exports.services import export_request

    job = export_request(campaign=world.campaign, user=lead, kind="notes", format="csv")
    # The page's poll reads the job: it must reach "done" with the rows counted and a file.
    wait_until(
        lambda: ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.DONE,
        timeout=60,
        what="the worker to finish the export",
    )
    job.refresh_from_db()
    assert job.progress == 100 and job.row_count == 11
    rows = list(csv.DictReader(io.StringIO(job.file.open("rb").read().decode("utf-8-sig"), newline="")))
    assert {r["participant"] for r in rows} >= {world.people["ana"].code}
    assert "WITHDRAWN-WORDS" not in str(rows)
