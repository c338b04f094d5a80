"""The case-level warning and escalation stamps, carried over to the stages by 0006."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_carry_over_live_cases"),
    ]

    operations = [
        migrations.RemoveField(model_name="incident", name="escalated_at"),
        migrations.RemoveField(model_name="incident", name="warned_at"),
    ]
