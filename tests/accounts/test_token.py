"""POST /api/v1/auth/token/ and the login page (the limit on failures: test_login_limits.py)."""

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
    response = token("dispatcher", "wrong")
    assert response.status_code == 400 and response.json()["detail"]
    assert "token" not in response.json()


@pytest.mark.parametrize("body", [0, [], "x", None, {"username": [], "password": "x"}, {"username": {}, "password": "x"}])
def test_a_body_that_is_not_a_user_name_and_password_is_400_with_a_message(body, users):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()


def test_a_number_for_a_user_name_is_a_wrong_login_not_a_server_error(users):
    response = APIClient().post("/api/v1/auth/token/", {"username": 5, "password": "x"}, format="json")
    assert response.status_code == 400 and response.json()["detail"]


def test_an_inactive_user_gets_no_token(users):
    users["official"].is_active = False
    users["official"].save()
    assert token("official", "pw-official").status_code == 400


def test_the_login_page_has_a_csrf_token_and_logs_in(users, client):
    page = client.get("/accounts/login/")
    assert b"csrfmiddlewaretoken" in page.content
    response = client.post("/accounts/login/", {"username": "official", "password": "pw-official"})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(users["official"].pk)
