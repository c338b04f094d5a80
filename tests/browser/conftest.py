"""Headless Chromium against the live server, cut off from everything but the live server.

Playwright's sync API runs an event loop in the test's thread, and Django refuses ORM calls
beside a running loop; the browser tests allow them, as the ORM here runs synchronously anyway.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import User

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path("/tmp/shots")
LOCAL_HOSTS = {"localhost", "127.0.0.1"}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    """A 1280×800 page in Chinese whose requests beyond the live server are refused and listed in
    `page.blocked`, so a test never calls out (map tiles are refused, as they are offline)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.blocked = []
    page.errors = []

    def only_local(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            page.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


@pytest.fixture
def admin_page(page, live_server):
    """The page, logged in as a superuser through a session cookie."""
    client = Client()
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw-root"))
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
    )
    return page


@pytest.fixture
def screenshot():
    """screenshot(page, "grid-change") saves /tmp/shots/admin-grid-change.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS / f"admin-{name}.png"
        page.screenshot(path=str(path))
        return path

    return take


TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


@pytest.fixture
def offline_tiles(settings):
    """Map tiles from a host the pages cannot reach, as here, offline."""
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": [("Tiles", TILES, {"attribution": "Tiles"})]}


def desktop(browser, live_server, blocked: list):
    """A 1920×1080 page in Chinese that reaches only the live server."""
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))

    def only_local(route):
        if re.match(r"https?://([^/:]+)", route.request.url).group(1) in LOCAL_HOSTS:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return page


def logged_in_by_cookie(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    return page


def log_in(page, username: str) -> None:
    """Through the app's own login page, with the test users' password (tests/conftest.py)."""
    page.goto(reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    with page.expect_navigation():
        page.click("form.login button[type=submit]")
