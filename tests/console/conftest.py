import pytest
from django.conf import settings
from django.test import Client


@pytest.fixture
def browse(users):
    """browse("dispatcher") is a test browser, in English, logged in as that user; browse(None)
    is anonymous."""

    def client_for(name: str | None) -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # chosen in the language menu
        if name:
            client.force_login(users[name])
        return client

    return client_for


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []
