import pytest
from django.utils import translation

from tests.conftest import IN_GRID_A, IN_GRID_B


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


@pytest.fixture
def compounds(grid_a, grid_b):
    from grids.models import Compound

    return {
        "a": Compound.objects.create(grid=grid_a, name="幸福小区", **IN_GRID_A),
        "b": Compound.objects.create(grid=grid_b, name="和平小区", **IN_GRID_B),
    }
