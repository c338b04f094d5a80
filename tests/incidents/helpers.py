"""Putting a case into any status through the real services."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Notification
from incidents import services
from incidents.models import Incident

from ..conftest import IN_GRID_A

PATH_TO = {
    "reported": [],
    "accepted": ["accept"],
    "assigned": ["assign"],
    "suspended": ["assign", "suspend"],
    "handled": ["assign", "handle"],
    "inspected": ["assign", "handle", "inspect"],
    "closed": ["assign", "handle", "inspect", "close"],
    "rejected": ["reject"],
    "merged": ["merge"],
}


def report(users, categories, *, reporter="worker_a", category="rubbish", position=IN_GRID_A, **extra) -> Incident:
    incident, _ = services.incident_report(
        reporter=users[reporter], category=categories[category], description="路边垃圾堆积", **position, **extra
    )
    return incident


def drive(incident: Incident, users, steps: list[str], *, department=None) -> Incident:
    for step in steps:
        if step == "accept":
            services.incident_accept(incident_id=incident.pk, actor=users["dispatcher"])
        elif step == "suspend":
            services.incident_suspend(
                incident_id=incident.pk, actor=users["dispatcher"], reason="需立项改造", review_on=timezone.localdate() + timedelta(days=30)
            )
        elif step == "assign":
            if department is not None:
                services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], department=department)
            else:
                services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_a"])
        elif step == "handle":
            handler = users["department"] if department is not None else users["worker_a"]
            services.incident_handle(incident_id=incident.pk, actor=handler, note="已处理")
        elif step == "inspect":
            services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=True)
        elif step == "close":
            services.incident_close(incident_id=incident.pk, actor=users["dispatcher"])
        elif step == "reject":
            services.incident_reject(incident_id=incident.pk, actor=users["dispatcher"], reason="不属于受理范围")
        elif step == "merge":
            original = Incident.objects.exclude(pk=incident.pk).filter(status="reported").first()
            services.incident_merge(incident_id=incident.pk, actor=users["dispatcher"], duplicate_of=original)
    incident.refresh_from_db()
    return incident


def case_in(status: str, users, categories, **kwargs) -> Incident:
    if status == "merged":
        report(users, categories)
    return drive(report(users, categories), users, PATH_TO[status], **kwargs)


def told(user, action: str) -> int:
    """How many notifications `user` has had of events of this action."""
    return Notification.objects.filter(recipient=user, event__action=action).count()
