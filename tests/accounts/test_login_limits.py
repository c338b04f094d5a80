"""The limit on failed logins (django-axes, accounts/throttle.py), on every way in: the login
page, the admin's login and the API token.

A user name is locked only from the address that failed; an address is locked, for every user
name, only past its own higher limit; the right password keeps working from elsewhere."""

import time

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User

HOME = "10.0.0.5"
ELSEWHERE = "203.0.113.9"


def token(username, password, address=HOME, **headers):
    client = APIClient(REMOTE_ADDR=address, **headers)
    return client.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def page_login(username, password, address=HOME):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return response, client


@pytest.fixture
def limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    return settings


def test_failures_lock_the_user_name_from_that_address(users, limits):
    # The failure that reaches the limit already says so.
    assert [token("dispatcher", "wrong", ELSEWHERE).status_code for _ in range(3)] == [400, 400, 429]
    locked = token("dispatcher", "pw-dispatcher", ELSEWHERE)
    assert locked.status_code == 429 and locked.json()["detail"]


def test_the_right_password_from_the_usual_place_works_while_someone_elsewhere_guesses(users, limits):
    for _ in range(10):
        token("dispatcher", "wrong", ELSEWHERE)
    response = token("dispatcher", "pw-dispatcher", HOME)
    assert response.status_code == 200 and response.json()["token"]
    response, client = page_login("dispatcher", "pw-dispatcher", HOME)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(users["dispatcher"].pk)


def test_an_address_guessing_many_user_names_is_locked_for_all_of_them_and_only_it(users, limits):
    names = ["inspector", "official", "worker_a", "worker_b", "nobody", "admin"]
    assert [token(name, "wrong", ELSEWHERE).status_code for name in names] == [400] * 5 + [429]
    assert token("department", "pw-department", ELSEWHERE).status_code == 429
    assert token("department", "pw-department", HOME).status_code == 200


def test_a_success_forgets_that_user_names_earlier_failures_from_there(users, limits):
    for _ in range(2):
        token("official", "wrong")
    assert token("official", "pw-official").status_code == 200
    for _ in range(2):
        token("official", "wrong")
    assert token("official", "pw-official").status_code == 200


def test_attempts_while_locked_are_not_checked_and_do_not_prolong_the_lock(users, limits, django_assert_max_num_queries):
    for _ in range(3):
        token("official", "wrong", ELSEWHERE)
    from axes.models import AccessAttempt

    before = list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time"))
    assert token("official", "wrong", ELSEWHERE).status_code == 429
    assert list(AccessAttempt.objects.values_list("failures_since_start", "attempt_time")) == before


def test_the_login_page_says_the_login_is_locked(users, limits):
    for _ in range(3):
        page_login("official", "wrong", ELSEWHERE)
    response, client = page_login("official", "pw-official", ELSEWHERE)
    assert response.status_code == 200  # the form again, not a redirect into the site
    assert "_auth_user_id" not in client.session
    assert "登录失败次数过多" in response.content.decode()


def test_the_admin_login_is_limited_too(users, limits):
    client = Client(REMOTE_ADDR=ELSEWHERE)
    for _ in range(3):
        client.post("/admin/login/", {"username": "admin", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "admin", "password": "pw-admin"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_a_forwarded_address_is_ignored_unless_a_trusted_proxy_is_configured(users, limits):
    # Without a trusted proxy, a client cannot escape its lock by claiming another address.
    for _ in range(3):
        token("official", "wrong", ELSEWHERE)
    assert token("official", "pw-official", ELSEWHERE, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429


def test_behind_a_trusted_proxy_the_address_it_appended_is_the_clients(users, limits):
    limits.TRUSTED_PROXY = True
    proxy = "10.0.0.1"
    # Everyone arrives from the proxy; the guesser also forges an entry on the left.
    for _ in range(6):
        token("official", "wrong", proxy, HTTP_X_FORWARDED_FOR=f"{HOME}, {ELSEWHERE}")
    assert token("official", "pw-official", proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE).status_code == 429
    assert token("official", "pw-official", proxy, HTTP_X_FORWARDED_FOR=HOME).status_code == 200
    assert token("inspector", "pw-inspector", proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200


def test_logins_work_with_the_cache_unreachable(users, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    assert token("official", "wrong").status_code == 400
    assert token("official", "pw-official").status_code == 200
    response, client = page_login("official", "pw-official")
    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_parallel_guesses_gets_no_more_than_the_limit_checked(users, limits, monkeypatch):
    from tests.integration.test_concurrency import at_once

    checked = []
    check_password = User.check_password

    def slow_check(self, raw_password):
        checked.append(raw_password)
        time.sleep(0.05)  # as long as a real password hash, so the guesses overlap
        return check_password(self, raw_password)

    monkeypatch.setattr(User, "check_password", slow_check)

    responses = at_once(*[lambda: token("dispatcher", "wrong", ELSEWHERE) for _ in range(12)])

    assert len(checked) == 3
    assert sorted(response.status_code for response in responses) == [400, 400] + [429] * 10
