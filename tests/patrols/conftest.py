import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _in_english():
    """The services' messages as written, whatever the translations say."""
    with translation.override("en"):
        yield


@pytest.fixture
def api(api):
    """API clients that ask for English, as the messages are written."""

    def client_for(name):
        client = api(name)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return client_for
