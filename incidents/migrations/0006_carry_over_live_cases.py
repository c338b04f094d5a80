"""Cases made before stages were timed. A migration of its own: on PostgreSQL a table cannot be
altered (0005's indexes, 0007's columns) in the transaction that writes rows referring to it."""

from collections import Counter

from django.db import migrations, models


def carry_over(apps, schema_editor):
    """Cases made before stages were timed: their counts and closure types from their history,
    and a stage row for each live case, due when the case is and warned or escalated as it was,
    so the watch keeps timing it without saying again what it has said."""
    Incident = apps.get_model("incidents", "Incident")
    IncidentEvent = apps.get_model("incidents", "IncidentEvent")
    IncidentStage = apps.get_model("incidents", "IncidentStage")
    reworks = Counter(IncidentEvent.objects.filter(action="rework").values_list("incident_id", flat=True))
    for incident_id, count in reworks.items():
        Incident.objects.filter(pk=incident_id).update(rework_count=count)
    Incident.objects.filter(assigned_at__isnull=False, handled_on_spot=False).update(accepted_at=models.F("assigned_at"))
    closed = Incident.objects.filter(status="closed")
    closed.filter(closed_at__gt=models.F("deadline")).update(closure="overdue")
    closed.filter(closure="").update(closure="normal")
    stage_of = {"reported": "accept", "assigned": "handle", "handled": "inspect"}
    for incident in Incident.objects.filter(status__in=stage_of, deadline__isnull=False):
        stage = IncidentStage.objects.create(
            incident=incident, stage=stage_of[incident.status], started_at=incident.reported_at, limit=0,
            unit="urgent_hours", deadline=incident.deadline, warn_at=incident.warn_at or incident.deadline,
            warned_at=incident.warned_at, escalated_at=incident.escalated_at,
        )
        Incident.objects.filter(pk=incident.pk).update(current_stage=stage)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_stages_and_branches"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
    ]
