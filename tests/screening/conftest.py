import pytest

from tests.conftest import IN_GRID_A, IN_GRID_B
from tests.english import _in_english, api  # noqa: F401


@pytest.fixture
def compounds(grid_a, grid_b):
    from grids.models import Compound

    return {
        "a": Compound.objects.create(grid=grid_a, name="幸福小区", **IN_GRID_A),
        "b": Compound.objects.create(grid=grid_b, name="和平小区", **IN_GRID_B),
    }
