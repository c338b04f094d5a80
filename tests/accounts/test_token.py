"""POST /api/v1/auth/token/, and the limit on failed logins that guards every login."""

import pytest
from rest_framework.test import APIClient


def token(username, password):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_it_gives_a_token_that_authenticates(users):
    response = token("dispatcher", "pw-dispatcher")
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/v1/incidents/").status_code == 200


@pytest.mark.parametrize("body", [{}, {"username": "dispatcher"}, {"password": "x"}])
def test_missing_fields_are_named(body, users):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) & {"username", "password"}


def test_a_wrong_password_is_refused(users):
    assert token("dispatcher", "wrong").status_code == 400


def test_it_locks_out_after_repeated_failures_even_with_the_right_password(users, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        assert token("dispatcher", "wrong").status_code == 400
    locked = token("dispatcher", "pw-dispatcher")
    assert locked.status_code == 429 and locked.json()["detail"]


def test_the_lockout_covers_the_login_page_too(users, settings, client):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post("/accounts/login/", {"username": "official", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "official", "password": "pw-official"})
    assert response.status_code == 200  # the form again, not a redirect into the site
    assert "_auth_user_id" not in client.session
    assert "登录失败次数过多" in response.content.decode() or "Too many failed logins" in response.content.decode()


def test_the_lockout_covers_the_admin_login(users, settings, client):
    settings.LOGIN_FAILURE_LIMIT = 1
    client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": "pw-admin"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_login_page_has_a_csrf_token_and_logs_in(users, client):
    page = client.get("/accounts/login/")
    assert b"csrfmiddlewaretoken" in page.content
    response = client.post("/accounts/login/", {"username": "official", "password": "pw-official"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(users["official"].pk)
