"""Fixtures for a test folder whose tests read the services' messages as written (English),
whatever the translations say. A folder's conftest imports them:

    from tests.english import _in_english, api  # noqa: F401
"""

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    """API clients that ask for English."""

    def client_for(name):
        client = api(name)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return client_for
