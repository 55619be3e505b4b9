"""Staff sign-in through allauth: email login, verification, reset without enumeration,
rate limits on the real cache, TOTP, idle expiry, no public sign-up."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from campaigns.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _login(client, email, password=PASSWORD):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_staff_sign_in_with_email_and_password(client):
    user = UserFactory(email="staff@example.org")
    response = _login(client, "staff@example.org")
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    UserFactory(email="staff@example.org")
    known = _login(client, "staff@example.org", "wrong-password")
    unknown = _login(client, "nobody@example.org", "wrong-password")
    assert known.status_code == unknown.status_code == 200
    assert b"The email address and/or password you specified are not correct." in known.content
    assert b"The email address and/or password you specified are not correct." in unknown.content


def test_an_unverified_email_cannot_sign_in(client):
    UserFactory(email="new@example.org", verified=False)
    response = _login(client, "new@example.org")
    assert response.url == reverse("account_email_verification_sent")
    assert client.get(reverse("home")).status_code == 302  # still signed out


def test_failed_logins_are_rate_limited_per_account(client):
    UserFactory(email="target@example.org")
    for _ in range(5):
        _login(client, "target@example.org", "guess")
    response = _login(client, "target@example.org")  # even the right password is held back now
    assert b"Too many failed login attempts" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(client):
    UserFactory(email="known@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "known@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "unknown@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    assert len(mail.outbox) == 2  # the unknown address is told it has no account, privately
    assert "reset" in mail.outbox[0].body.lower()


def test_public_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert b"Sign Up Closed" in response.content
    client.post(
        reverse("account_signup"), {"email": "x@example.org", "password1": "a-long-pass", "password2": "a-long-pass"}
    )
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(email="x@example.org").exists()


def test_totp_two_factor_is_asked_after_the_password(client):
    user = UserFactory(email="mfa@example.org")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = _login(client, "mfa@example.org")
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not in yet
    counter = int(timezone.now().timestamp()) // 30
    code = format_hotp_value(hotp_value(secret, counter))
    done = client.post(reverse("mfa_authenticate"), {"code": code})
    assert done.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_two_factor_can_be_set_up_from_the_account_menu(client):
    _login(client, UserFactory().email)
    # Setting up 2FA asks for the password again before showing the secret.
    first = client.get(reverse("mfa_activate_totp"))
    if first.status_code == 302:
        assert first.url.startswith(reverse("account_reauthenticate"))
        client.post(first.url, {"password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    assert b"Authenticator" in response.content


def test_sessions_expire_after_thirty_idle_minutes(client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    UserFactory(email="idle@example.org")
    _login(client, "idle@example.org")
    session = Session.objects.get()
    remaining = (session.expire_date - timezone.now()).total_seconds()
    assert 29 * 60 < remaining <= 30 * 60
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_admin_uses_the_same_sign_in(client):
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    _login(client, admin.email)
    assert client.get("/admin/").status_code == 200


def test_the_admin_refuses_non_staff(client_for):
    assert client_for(UserFactory()).get("/admin/", follow=True).status_code == 403


def test_login_limits_count_the_client_behind_our_load_balancer(client, settings):
    """Behind one trusted proxy, two people get separate login budgets."""

    settings.TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    UserFactory(email="a@example.org")
    for _ in range(10):
        client.post(
            reverse("account_login"),
            {"login": "nobody@example.org", "password": "x"},
            HTTP_X_FORWARDED_FOR="203.0.113.7",
            REMOTE_ADDR="10.0.0.1",
        )
    other = client.post(
        reverse("account_login"),
        {"login": "a@example.org", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9",
        REMOTE_ADDR="10.0.0.1",
    )
    assert other.status_code == 302  # a different person behind the same balancer gets in
