import pytest

from tests.english import _in_english, api  # noqa: F401


@pytest.fixture
def compounds(grid_a, grid_b):
    """Two compounds in grid A (one old) and an old one in grid B."""
    from grids.models import Compound

    return {
        "old_a": Compound.objects.create(grid=grid_a, name="粮食局宿舍", latitude=34.085, longitude=119.345, is_old=True),
        "new_a": Compound.objects.create(grid=grid_a, name="碧桂园", latitude=34.086, longitude=119.346),
        "old_b": Compound.objects.create(grid=grid_b, name="供销社家属院", latitude=34.085, longitude=119.355, is_old=True),
    }


@pytest.fixture
def team(users):
    from volunteers import services
    from volunteers.models import Team

    return services.team_create(actor=users["dispatcher"], name="新安镇宣讲团", kind=Team.Kind.OUTREACH)


@pytest.fixture
def people(users, team):
    """Three volunteers of the team; the first with a phone, the second worker_a's account."""
    from volunteers import services
    from volunteers.models import Volunteer

    return services.volunteers_register(actor=users["dispatcher"], team=team, people=[
        {"name": "王芳", "profession": Volunteer.Profession.TEACHER, "skills": "政策宣讲", "phone": "13812340001"},
        {"name": "李强", "profession": Volunteer.Profession.GRID_WORKER, "phone": "13812340002", "user": users["worker_a"]},
        {"name": "张敏", "profession": Volunteer.Profession.LAWYER},
    ])
