"""The settings modes: zero-setup defaults, production from the environment, and CI's services."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "a-production-like-secret-key-with-enough-length-and-variety-0123456789",
    "ALLOWED_HOSTS": "empathy.example.org",
    "DATABASE_URL": "postgres://empathy:pw@db.internal:5432/empathy",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "EMAIL_URL": "smtp+tls://mailer:pw@smtp.example.org:587",
}


def _settings_in_subprocess(env_overrides: dict, clear=("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG")):
    env = {k: v for k, v in os.environ.items() if k not in clear}
    env.update(env_overrides)
    code = (
        "import json, django; from django.conf import settings as s; django.setup();"
        "print(json.dumps({'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'],"
        "'eager': s.CELERY_TASK_ALWAYS_EAGER,"
        "'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'], 'email': s.EMAIL_BACKEND,"
        "'hsts': s.SECURE_HSTS_SECONDS, 'ssl': s.SECURE_SSL_REDIRECT, 'secure_cookie': s.SESSION_COOKIE_SECURE,"
        "'hasher': s.PASSWORD_HASHERS[0]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env | {"DJANGO_SETTINGS_MODULE": "empathy.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


def test_zero_setup_defaults_are_sqlite_eager_celery_and_console_email():
    result = _settings_in_subprocess({})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["db"] == "django.db.backends.sqlite3"
    assert values["eager"] is True
    assert values["cache"].endswith("LocMemCache")
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_reads_everything_from_the_environment():
    result = _settings_in_subprocess(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["db"] == "django.db.backends.postgresql"
    assert values["eager"] is False
    assert values["broker"] == "redis://cache.internal:6379/0"
    assert values["cache"].endswith("RedisCache")
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["hsts"] >= 31536000 and values["ssl"] and values["secure_cookie"]


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION_ENV)
    del env["SECRET_KEY"]
    result = _settings_in_subprocess(env, clear=("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"))
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update({k: PRODUCTION_ENV[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")})
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_content_security_policy_allows_only_our_own_assets(client):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    assert "https://" not in html.split("<body")[0]  # no asset from another host
