"""Cases made before the stages were timed, as a database upgraded in place finds them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("incidents", "0004_national_calendar"), ("accounts", "0005_notification_mail_claim")]
AFTER = [("incidents", "0007_drop_case_warning_stamps"), ("accounts", "0006_user_is_department_head")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _back_to_the_latest():
    """Later tests find the database at the newest migrations, whatever this one left."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())


def test_live_cases_keep_their_clock_and_history_counts_across_the_upgrade():
    old = migrate(BEFORE)
    Category, Incident, IncidentEvent = (old.get_model("incidents", name) for name in ("Category", "Incident", "IncidentEvent"))
    major = Category.objects.create(code="01", name="市容环境")
    rubbish = Category.objects.create(code="0101", name="暴露垃圾", parent=major, time_limit=2, time_unit="working_hours")
    now = timezone.now()
    position = {"latitude": 34.085, "longitude": 119.345, "description": "旧案件", "category": rubbish}
    warned = Incident.objects.create(
        status="assigned", reported_at=now - timedelta(days=2), assigned_at=now - timedelta(days=2),
        warn_at=now - timedelta(days=1, hours=1), deadline=now - timedelta(days=1),
        warned_at=now - timedelta(days=1, hours=1), escalated_at=now - timedelta(days=1), **position,
    )
    late = Incident.objects.create(
        status="closed", reported_at=now - timedelta(days=5), assigned_at=now - timedelta(days=5),
        deadline=now - timedelta(days=4), closed_at=now - timedelta(days=3), **position,
    )
    for _ in range(2):
        IncidentEvent.objects.create(incident=late, action="rework", from_status="handled", to_status="assigned")

    new = migrate(AFTER)
    Incident, IncidentStage = new.get_model("incidents", "Incident"), new.get_model("incidents", "IncidentStage")
    carried = Incident.objects.get(pk=warned.pk)
    stage = IncidentStage.objects.get(pk=carried.current_stage_id)
    assert (stage.stage, stage.deadline, stage.warned_at, stage.escalated_at) == ("handle", warned.deadline, warned.warned_at, warned.escalated_at)
    assert carried.accepted_at == warned.assigned_at
    closed = Incident.objects.get(pk=late.pk)
    assert (closed.closure, closed.rework_count, closed.current_stage_id) == ("overdue", 2, None)
