"""The branches of the loop, end to end: return, extension, suspension, appeal, supervision
cards, the closure types and reopening (incidents/workflow.py), through the API where a person
acts and through the services where the clock matters.

The clock cases: a rubbish case (0101, 2 working hours) reported on Tuesday 24 November 2026
at 09:00 and assigned to worker_a at 09:10 is due for handling at 11:10 and, as a whole, at
12:00. Working time runs 08:30–12:00 and 13:30–18:00.
"""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from incidents import services
from incidents.models import CalendarDay, Incident, IncidentStage, SupervisionCard
from incidents.stats import incident_summary
from tests.conftest import IN_GRID_A, local

from .helpers import case_in, told

pytestmark = pytest.mark.django_db

REPORTED = local(2026, 11, 24, 9, 0)
ASSIGNED = local(2026, 11, 24, 9, 10)


@pytest.fixture
def timed_case(users, categories) -> Incident:
    incident, _ = services.incident_report(
        reporter=users["worker_a"], category=categories["rubbish"], description="垃圾桶满溢", at=REPORTED, **IN_GRID_A
    )
    return services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], assignee=users["worker_a"], at=ASSIGNED)


def post(api, who, incident, action, **body):
    return api(who).post(f"/api/v1/incidents/{incident.pk}/{action}/", body, format="json")



# Return (退回)


def test_a_department_returns_a_case_that_is_not_theirs(api, users, categories, department, run_sent_tasks):
    incident = case_in("assigned", users, categories, department=department)
    answer = post(api, "department", incident, "return", reason="属燃气公司管养")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert (body["status"], body["assigned_department"], body["return_count"], body["resend_count"]) == ("accepted", None, 1, 1)
    assert body["stage"] == "dispatch" and "assign" in post_actions(api, "dispatcher", incident)
    handling = IncidentStage.objects.get(incident=incident, stage="handle")
    # Not held against the department: ended, but not completed.
    assert (handling.ended_by, handling.completed) == ("return", False)
    run_sent_tasks()
    assert told(users["dispatcher"], "return") == 1


def post_actions(api, who, incident) -> list[str]:
    return api(who).get(f"/api/v1/incidents/{incident.pk}/").json()["actions"]


def test_a_return_needs_a_reason_and_comes_before_handling(api, users, categories, department):
    incident = case_in("assigned", users, categories, department=department)
    refused = post(api, "department", incident, "return", reason="  ")
    assert refused.status_code == 400 and "reason" in refused.json()
    handled = case_in("handled", users, categories, department=department)
    assert post(api, "department", handled, "return", reason="不归我们管").status_code == 409
    assert post(api, "other_department", incident, "return", reason="不归我们管").status_code == 404
    incident.refresh_from_db()
    assert (incident.status, incident.return_count) == ("assigned", 0)


def test_a_returned_case_sent_elsewhere_counts_against_accurate_dispatch(users, categories, department, other_department):
    incident = case_in("assigned", users, categories, department=department)
    services.incident_return(incident_id=incident.pk, actor=users["department"], reason="不属本单位")
    services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], department=other_department)
    straight = case_in("assigned", users, categories, department=department)
    figures = incident_summary(Incident.objects.all(), now=timezone.now())
    assert (figures["dispatched"], figures["accurately_dispatched"], figures["accurate_dispatch_rate"]) == (2, 1, 50.0)
    assert straight.resend_count == 0


# Extension (延期)


def test_an_extension_asked_and_approved_moves_the_handling_and_case_deadlines(api, users, categories, run_sent_tasks):
    incident = case_in("assigned", users, categories)
    before = incident.current_stage.deadline
    until = before + timedelta(days=2)
    asked = post(api, "worker_a", incident, "request-extension", reason="需采购配件", until=until.isoformat())
    assert asked.status_code == 200, asked.json()
    assert asked.json()["actions"] == ["return", "handle"]  # one request at a time
    assert post(api, "worker_a", incident, "request-extension", reason="再申请", until=(until + timedelta(days=1)).isoformat()).status_code == 409
    run_sent_tasks()
    assert told(users["dispatcher"], "request_extension") == 1

    other = until + timedelta(days=1)
    approved = post(api, "dispatcher", incident, "approve-extension", note="同意", until=other.isoformat())
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert (body["extension_count"], body["extension_requested_until"]) == (1, None)
    assert body["stage_deadline"] == timezone.localtime(other).isoformat()
    incident_before, incident.deadline = incident.deadline, None
    incident.refresh_from_db()
    assert incident.deadline - incident_before == other - before
    run_sent_tasks()
    assert told(users["worker_a"], "approve_extension") == 1


def test_a_refusal_needs_a_note_and_leaves_the_deadline(api, users, categories):
    incident = case_in("assigned", users, categories)
    deadline = incident.current_stage.deadline
    post(api, "worker_a", incident, "request-extension", reason="人手不足", until=(deadline + timedelta(days=1)).isoformat())
    assert post(api, "dispatcher", incident, "refuse-extension", note="").status_code == 400
    refused = post(api, "dispatcher", incident, "refuse-extension", note="不予延期")
    assert refused.status_code == 200
    assert (refused.json()["extension_count"], refused.json()["extension_requested_until"]) == (0, None)
    incident.refresh_from_db()
    assert incident.current_stage.deadline == deadline
    assert post(api, "dispatcher", incident, "approve-extension", note="").status_code == 409


def test_an_extension_must_ask_for_a_later_deadline(api, users, categories):
    incident = case_in("assigned", users, categories)
    earlier = incident.current_stage.deadline - timedelta(minutes=5)
    refused = post(api, "worker_a", incident, "request-extension", reason="需延期", until=earlier.isoformat())
    assert refused.status_code == 400 and "until" in refused.json()
    assert post(api, "worker_a", incident, "request-extension", reason="需延期", until="明天").status_code == 400
    incident.refresh_from_db()
    assert incident.extension_requested_until is None


def test_the_history_of_an_extension_gives_its_times_in_the_town_s_time(timed_case, users):
    # Asked for in UTC, and approved as asked: the time asked is read back from the database, in UTC.
    until = local(2026, 11, 25, 11, 10).astimezone(ZoneInfo("UTC"))
    services.incident_request_extension(incident_id=timed_case.pk, actor=users["worker_a"], reason="需采购配件", until=until, at=local(2026, 11, 24, 10, 0))
    services.incident_decide_extension(incident_id=timed_case.pk, actor=users["dispatcher"], approve=True, at=local(2026, 11, 24, 10, 30))
    asked, approved = (timed_case.events.get(action=action).data for action in ("request_extension", "approve_extension"))
    assert asked == {"until": "2026-11-25T11:10:00+08:00"}
    assert approved == {"until": "2026-11-25T11:10:00+08:00", "requested": "2026-11-25T11:10:00+08:00"}


# Suspension (挂账)


def test_suspension_stops_the_clocks_and_resuming_restarts_them_with_the_time_left(timed_case, users):
    CalendarDay.objects.create(date=date(2026, 11, 30), is_working_day=False, name="临时假日")
    services.incident_suspend(
        incident_id=timed_case.pk, actor=users["dispatcher"], reason="需立项", review_on=date(2026, 12, 20), at=local(2026, 11, 24, 10, 0)
    )
    suspended = Incident.objects.get(pk=timed_case.pk)
    assert (suspended.warning_light(local(2026, 11, 26, 9, 0)), suspended.stage_light(local(2026, 11, 26, 9, 0))) == (None, None)
    figures = incident_summary(Incident.objects.all(), now=local(2026, 11, 27, 9, 0))
    assert (figures["suspended"], figures["due"], figures["overdue_open"]) == (1, 0, 0)
    assert services.incident_mark_deadlines(now=local(2026, 11, 27, 9, 0)) == {"warned": 0, "escalated": 0, "cards": 0}

    # Suspended at 10:00 with 70 working minutes of handling left and two hours of the case's.
    # Resumed on Friday at 17:00: one hour on Friday, the Monday is a holiday, the rest on Tuesday.
    resumed = services.incident_resume(incident_id=timed_case.pk, actor=users["dispatcher"], at=local(2026, 11, 27, 17, 0))
    stage = IncidentStage.objects.get(pk=resumed.current_stage_id)
    assert stage.deadline == local(2026, 12, 1, 8, 40)
    assert resumed.deadline == local(2026, 12, 1, 9, 30)
    assert (resumed.status, resumed.suspended_at, resumed.review_on) == ("assigned", None, None)
    handled = services.incident_handle(incident_id=timed_case.pk, actor=users["worker_a"], at=local(2026, 12, 1, 8, 35))
    stage.refresh_from_db()
    # Taken: 50 minutes before the suspension, 60 on Friday after it, 5 on Tuesday.
    assert (stage.completed, stage.on_time, stage.elapsed_seconds) == (True, True, 115 * 60)
    assert handled.status == "handled"


def test_suspended_cases_are_brought_back_to_the_command_centre_on_their_review_date(users, categories, run_sent_tasks):
    incident = case_in("suspended", users, categories)
    review_on = Incident.objects.get(pk=incident.pk).review_on
    the_day_before = timezone.now() + (review_on - timezone.localdate()) - timedelta(days=1)
    assert services.incident_remind_suspended(now=the_day_before) == 0
    on_the_day = the_day_before + timedelta(days=1)
    assert services.incident_remind_suspended(now=on_the_day) == 1
    assert services.incident_remind_suspended(now=on_the_day + timedelta(days=1)) == 0
    run_sent_tasks()
    assert told(users["dispatcher"], "review_due") == 1


def test_a_suspension_needs_a_reason_and_a_future_review_date(api, users, categories):
    incident = case_in("assigned", users, categories)
    in_a_month = str(timezone.localdate() + timedelta(days=30))
    assert post(api, "dispatcher", incident, "suspend", reason="需立项", review_on=str(timezone.localdate())).status_code == 400
    assert post(api, "dispatcher", incident, "suspend", reason="需立项", review_on="9999-12-31").status_code == 400
    assert post(api, "dispatcher", incident, "suspend", reason="", review_on=in_a_month).status_code == 400
    assert post(api, "worker_a", incident, "suspend", reason="需立项", review_on=in_a_month).status_code == 403
    answer = post(api, "dispatcher", incident, "suspend", reason="需立项", review_on=in_a_month)
    assert answer.status_code == 200 and answer.json()["status"] == "suspended"
    assert post(api, "dispatcher", incident, "resume").json()["status"] == "assigned"


# Appeal (申诉)


def late_closed_case(users, categories) -> Incident:
    incident = case_in("inspected", users, categories)
    Incident.objects.filter(pk=incident.pk).update(deadline=timezone.now() - timedelta(hours=1))
    return services.incident_close(incident_id=incident.pk, actor=users["dispatcher"])


def test_an_upheld_appeal_takes_a_late_case_out_of_the_time_measures(api, users, categories, run_sent_tasks):
    incident = late_closed_case(users, categories)
    assert incident.closure == "overdue"
    assert incident_summary(Incident.objects.all(), now=timezone.now())["closed_late"] == 1
    assert post(api, "worker_a", incident, "appeal", reason="超期系因停电").status_code == 200
    run_sent_tasks()
    assert told(users["official"], "appeal") == 1
    assert post(api, "dispatcher", incident, "uphold-appeal", note="属实").status_code == 403
    upheld = post(api, "official", incident, "uphold-appeal", note="经核实，予以免责")
    assert upheld.status_code == 200
    assert (upheld.json()["appeal"], upheld.json()["time_exempt"]) == ("upheld", True)
    figures = incident_summary(Incident.objects.all(), now=timezone.now())
    assert (figures["closed"], figures["closed_late"], figures["on_time_rate"], figures["appeals_upheld"]) == (1, 0, 100.0, 1)


def test_a_dismissed_appeal_changes_no_measure_and_cannot_be_made_again(api, users, categories):
    incident = late_closed_case(users, categories)
    post(api, "worker_a", incident, "appeal", reason="超期系因停电")
    assert post(api, "official", incident, "dismiss-appeal", note="").status_code == 400
    assert post(api, "official", incident, "dismiss-appeal", note="理由不充分").json()["appeal"] == "dismissed"
    assert incident_summary(Incident.objects.all(), now=timezone.now())["closed_late"] == 1
    assert post(api, "worker_a", incident, "appeal", reason="再次申诉").status_code == 409


def test_only_a_judgement_can_be_appealed(api, users, categories):
    incident = case_in("closed", users, categories)
    refused = post(api, "worker_a", incident, "appeal", reason="申诉")
    assert refused.status_code == 409 and "返工" in refused.json()["detail"]


def test_an_upheld_appeal_against_rework_stops_it_counting_as_reworked(users, categories):
    incident = case_in("handled", users, categories)
    services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=False, note="未清理")
    for step in ("handle", "inspect", "close"):
        {"handle": lambda: services.incident_handle(incident_id=incident.pk, actor=users["worker_a"]),
         "inspect": lambda: services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=True),
         "close": lambda: services.incident_close(incident_id=incident.pk, actor=users["dispatcher"])}[step]()
    assert incident_summary(Incident.objects.all(), now=timezone.now())["reworked"] == 1
    services.incident_appeal(incident_id=incident.pk, actor=users["worker_a"], reason="核查标准不一")
    services.incident_decide_appeal(incident_id=incident.pk, actor=users["official"], uphold=True, note="属实")
    assert incident_summary(Incident.objects.all(), now=timezone.now())["reworked"] == 0


# Supervision cards (督办)


def test_the_watch_issues_each_card_once_by_rule(timed_case, users, run_sent_tasks):
    users["worker_a"].department = None
    # Handling due at 11:10; overdue by half its limit at 13:40 (lunch 12:00–13:30); twice it at 14:40.
    assert services.incident_mark_deadlines(now=local(2026, 11, 24, 11, 15))["cards"] == 1
    assert services.incident_mark_deadlines(now=local(2026, 11, 24, 13, 45))["cards"] == 1
    assert services.incident_mark_deadlines(now=local(2026, 11, 24, 14, 45))["cards"] == 1
    assert services.incident_mark_deadlines(now=local(2026, 11, 26, 9, 0))["cards"] == 0
    cards = list(SupervisionCard.objects.filter(incident=timed_case).values_list("level", "rule"))
    assert cards == [("ordinary", "overdue"), ("yellow", "far_overdue"), ("red", "twice_limit")]
    run_sent_tasks()
    assert told(users["worker_a"], "card") == 3
    assert told(users["official"], "card") == 1  # the red one


def test_a_card_on_a_department_case_reaches_its_head(users, categories, department, run_sent_tasks):
    head = users["department"]
    head.is_department_head = True
    head.save()
    incident = case_in("assigned", users, categories, department=department)
    services.incident_card(incident_id=incident.pk, actor=users["dispatcher"], level="yellow", note="请加快处置")
    run_sent_tasks()
    assert told(head, "card") == 1
    assert told(users["other_department"], "card") == 0
    assert told(users["official"], "card") == 0


def test_a_second_failed_inspection_brings_a_red_card(users, categories):
    incident = case_in("handled", users, categories)
    for _ in range(2):
        services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=False, note="不合格")
        assert services.incident_mark_deadlines(now=timezone.now())["cards"] == (0 if _ == 0 else 1)
        services.incident_handle(incident_id=incident.pk, actor=users["worker_a"])
    assert list(incident.cards.values_list("level", "rule")) == [("red", "second_rework")]
    assert services.incident_mark_deadlines(now=timezone.now())["cards"] == 0


def test_cards_by_hand_need_a_note_and_the_right_role(api, users, categories):
    incident = case_in("assigned", users, categories)
    assert post(api, "dispatcher", incident, "card", level="red", note="").status_code == 400
    assert post(api, "dispatcher", incident, "card", level="purple", note="督办").status_code == 400
    assert post(api, "worker_a", incident, "card", level="red", note="督办").status_code == 403
    assert post(api, "official", incident, "card", level="red", note="领导督办").status_code == 200
    assert post(api, "dispatcher", incident, "card", level="red", note="再次督办").status_code == 200
    assert list(incident.cards.values_list("level", "issued_by__username")) == [("red", "official"), ("red", "dispatcher")]
    detail = api("official").get(f"/api/v1/incidents/{incident.pk}/").json()
    assert [card["note"] for card in detail["cards"]] == ["领导督办", "再次督办"]
    assert incident_summary(Incident.objects.all(), now=timezone.now())["cards"] == {"ordinary": 0, "yellow": 0, "red": 2}


def test_no_card_for_a_suspended_or_exempt_case(timed_case, users):
    services.incident_suspend(
        incident_id=timed_case.pk, actor=users["dispatcher"], reason="需立项", review_on=date(2026, 12, 20), at=local(2026, 11, 24, 10, 0)
    )
    assert services.incident_mark_deadlines(now=local(2026, 11, 27, 9, 0))["cards"] == 0


# Closure types and reopening


def test_each_closure_type_is_recorded_and_filterable(api, users, categories):
    normal = case_in("closed", users, categories)
    late = late_closed_case(users, categories)
    erroneous = case_in("assigned", users, categories)
    assert post(api, "dispatcher", erroneous, "close-erroneous", reason="").status_code == 400
    assert post(api, "dispatcher", erroneous, "close-erroneous", reason="现场无此问题").json()["closure"] == "erroneous"
    special = case_in("suspended", users, categories)
    assert post(api, "dispatcher", special, "close-special", reason="领导决定").status_code == 403
    assert post(api, "official", special, "close-special", reason="纳入县级项目").json()["closure"] == "special"
    for closure, incident in (("normal", normal), ("overdue", late), ("erroneous", erroneous), ("special", special)):
        listed = api("dispatcher").get("/api/v1/incidents/", {"closure": closure}).json()["results"]
        assert [row["id"] for row in listed] == [incident.pk], closure
    assert api("dispatcher").get("/api/v1/incidents/", {"closure": "lost"}).status_code == 400
    figures = incident_summary(Incident.objects.all(), now=timezone.now())
    assert figures["closures"] == {"normal": 1, "overdue": 1, "erroneous": 1, "special": 1}


def test_a_case_reopened_within_seven_days_is_dispatched_again_and_counts_as_reworked(api, users, categories):
    incident = case_in("closed", users, categories)
    assert post(api, "dispatcher", incident, "reopen", reason="").status_code == 400
    reopened = post(api, "dispatcher", incident, "reopen", reason="居民反映问题复发")
    assert reopened.status_code == 200
    body = reopened.json()
    assert (body["status"], body["closure"], body["closed_at"], body["rework_count"], body["stage"]) == ("accepted", "", None, 1, "dispatch")
    assert [event["action"] for event in body["events"]][-2:] == ["close", "reopen"]


def test_a_case_closed_more_than_seven_days_ago_cannot_be_reopened(users, categories):
    incident = case_in("closed", users, categories)
    Incident.objects.filter(pk=incident.pk).update(closed_at=timezone.now() - timedelta(days=8))
    with pytest.raises(services.NotPossible):
        services.incident_reopen(incident_id=incident.pk, actor=users["dispatcher"], reason="复发")


# The new measures against a hand-made day


def test_the_stage_measures_of_a_hand_made_day(users, categories, department, other_department):
    """Three cases on Tuesday 24 November, all rubbish (accept 15, dispatch 15 working minutes):

    | case | accepted | dispatched | after |
    | A | 09:05 (5 min) | 09:20 (15 min, on time) | handled 10:20 (60 min) |
    | B | 09:40 with the dispatch (40 min, late) | at once | returned 10:00, re-sent 10:30 (30 min, late) |
    | C | 09:10 with the dispatch (10 min) | at once | extended; suspended |

    Dispatches: A on time, B's first at once (on time), B's second late, C at once: 3 of 4 timely.
    Dispatched cases 3, of which A and C were never re-sent: accurate 2 of 3. C extended: 1 of 3.
    """
    d, rubbish = users["dispatcher"], categories["rubbish"]

    def reported(at):
        return services.incident_report(reporter=users["worker_a"], category=rubbish, description="垃圾", at=at, **IN_GRID_A)[0].pk

    a, b, c = reported(REPORTED), reported(REPORTED), reported(REPORTED)
    services.incident_accept(incident_id=a, actor=d, at=local(2026, 11, 24, 9, 5))
    services.incident_assign(incident_id=a, actor=d, department=department, at=local(2026, 11, 24, 9, 20))
    services.incident_handle(incident_id=a, actor=users["department"], at=local(2026, 11, 24, 10, 20))
    services.incident_assign(incident_id=b, actor=d, department=department, at=local(2026, 11, 24, 9, 40))
    services.incident_return(incident_id=b, actor=users["department"], reason="不属本单位", at=local(2026, 11, 24, 10, 0))
    services.incident_assign(incident_id=b, actor=d, department=other_department, at=local(2026, 11, 24, 10, 30))
    services.incident_assign(incident_id=c, actor=d, assignee=users["worker_a"], at=ASSIGNED)
    services.incident_request_extension(
        incident_id=c, actor=users["worker_a"], reason="需配件", until=local(2026, 11, 25, 18, 0), at=local(2026, 11, 24, 9, 30)
    )
    services.incident_decide_extension(incident_id=c, actor=d, approve=True, at=local(2026, 11, 24, 9, 40))
    services.incident_suspend(incident_id=c, actor=d, reason="需立项", review_on=date(2026, 12, 24), at=local(2026, 11, 24, 9, 50))

    figures = incident_summary(Incident.objects.all(), now=local(2026, 11, 24, 12, 0))
    dispatch, accept, handle = figures["stages"]["dispatch"], figures["stages"]["accept"], figures["stages"]["handle"]
    assert (dispatch["done"], dispatch["done_on_time"], dispatch["late_open"], dispatch["timely_rate"]) == (4, 3, 0, 75.0)
    assert figures["timely_dispatch_rate"] == 75.0
    assert dispatch["average_minutes"] == round((15 + 0 + 30 + 0) / 4, 1)
    assert (accept["done"], accept["done_on_time"], accept["average_minutes"]) == (3, 2, round((5 + 40 + 10) / 3, 1))
    # Handling: A's took an hour; B's first was returned, not held against the department;
    # B's second is open and not yet due; C's is suspended.
    assert (handle["done"], handle["done_on_time"], handle["late_open"], handle["average_minutes"]) == (1, 1, 0, 60.0)
    assert (figures["dispatched"], figures["accurately_dispatched"], figures["accurate_dispatch_rate"]) == (3, 2, 66.7)
    assert (figures["extended"], figures["extension_rate"], figures["suspended"], figures["returned"]) == (1, 33.3, 1, 1)


def test_the_summary_api_carries_the_new_measures(api, users, categories):
    case_in("closed", users, categories)
    body = api("official").get("/api/v1/stats/summary/").json()
    for key in ("timely_dispatch_rate", "accurate_dispatch_rate", "extension_rate", "suspended", "appeals_upheld"):
        assert key in body
    assert body["cards"] == {"ordinary": 0, "yellow": 0, "red": 0}
    assert body["closures"]["normal"] == 1
    assert body["stages"]["inspect"]["done"] == 1


def test_the_watch_gives_no_card_of_a_colour_already_given_by_hand(timed_case, users):
    services.incident_card(incident_id=timed_case.pk, actor=users["dispatcher"], level="ordinary", note="已超期", at=local(2026, 11, 24, 11, 12))
    assert services.incident_mark_deadlines(now=local(2026, 11, 24, 13, 45))["cards"] == 1
    assert list(timed_case.cards.values_list("level", "rule")) == [("ordinary", ""), ("yellow", "far_overdue")]


# Found by trying the API as its users would


def test_a_case_handled_and_sent_back_for_rework_can_no_longer_be_returned(api, users, categories):
    incident = case_in("handled", users, categories)
    services.incident_inspect(incident_id=incident.pk, actor=users["inspector"], passed=False, note="未清理")
    assert "return" not in post_actions(api, "worker_a", incident)
    refused = post(api, "worker_a", incident, "return", reason="不归我管")
    assert refused.status_code == 409
    incident.refresh_from_db()
    assert (incident.status, incident.return_count) == ("assigned", 0)


def test_a_reopened_case_sent_to_a_new_handler_can_be_returned_by_them(api, users, categories, department):
    incident = case_in("closed", users, categories)
    services.incident_reopen(incident_id=incident.pk, actor=users["dispatcher"], reason="复发")
    services.incident_assign(incident_id=incident.pk, actor=users["dispatcher"], department=department)
    assert post(api, "department", incident, "return", reason="不属本单位").status_code == 200


def test_asking_more_time_on_an_overdue_stage_says_the_new_deadline_must_be_after_now(users, categories):
    incident = case_in("assigned", users, categories)
    stage = incident.current_stage
    IncidentStage.objects.filter(pk=stage.pk).update(deadline=timezone.now() - timedelta(hours=2))
    with pytest.raises(services.InvalidInput) as refused:
        services.incident_request_extension(
            incident_id=incident.pk, actor=users["worker_a"], reason="需配件", until=timezone.now() - timedelta(hours=1)
        )
    assert "已过" in refused.value.message and "until" in refused.value.fields


def test_an_upheld_appeal_takes_an_open_case_off_the_overdue_list_and_counts(api, users, categories):
    incident = case_in("assigned", users, categories)
    Incident.objects.filter(pk=incident.pk).update(deadline=timezone.now() - timedelta(hours=1))
    overdue = lambda: [row["id"] for row in api("dispatcher").get("/api/v1/incidents/", {"overdue": "true"}).json()["results"]]  # noqa: E731
    assert overdue() == [incident.pk]
    services.incident_appeal(incident_id=incident.pk, actor=users["worker_a"], reason="停电")
    services.incident_decide_appeal(incident_id=incident.pk, actor=users["official"], uphold=True, note="属实")
    assert overdue() == []
    body = api("dispatcher").get(f"/api/v1/incidents/{incident.pk}/").json()
    assert (body["overdue"], body["time_exempt"], body["warning_light"]) == (False, True, "red")
    figures = incident_summary(Incident.objects.all(), now=timezone.now())
    assert (figures["overdue_open"], figures["due"]) == (0, 0)


def test_an_appeal_upheld_after_closing_makes_the_closure_normal(users, categories):
    incident = late_closed_case(users, categories)
    services.incident_appeal(incident_id=incident.pk, actor=users["worker_a"], reason="停电")
    upheld = services.incident_decide_appeal(incident_id=incident.pk, actor=users["official"], uphold=True, note="属实")
    assert upheld.closure == "normal"
    figures = incident_summary(Incident.objects.all(), now=timezone.now())
    assert figures["closures"]["overdue"] == figures["closed_late"] == 0


def test_reopening_starts_a_round_no_earlier_appeal_excuses(users, categories):
    incident = late_closed_case(users, categories)
    services.incident_appeal(incident_id=incident.pk, actor=users["worker_a"], reason="停电")
    services.incident_decide_appeal(incident_id=incident.pk, actor=users["official"], uphold=True, note="属实")
    reopened = services.incident_reopen(incident_id=incident.pk, actor=users["dispatcher"], reason="复发")
    assert (reopened.appeal, reopened.time_exempt, reopened.rework_count) == ("", False, 1)


def test_who_may_act_and_whether_now_are_answered_before_the_body(api, users, categories):
    assigned = case_in("assigned", users, categories)
    # Not the dispatcher's to handle: 403, however long the note.
    assert post(api, "dispatcher", assigned, "handle", note="长" * 2001).status_code == 403
    # Not possible now: 409, whatever the review date.
    reported = case_in("reported", users, categories)
    assert post(api, "dispatcher", reported, "suspend", reason="需立项", review_on="2000-01-01").status_code == 409
    # A grid worker may not merge at all: 403, not a complaint about a case they cannot see.
    elsewhere = case_in("reported", users, categories)
    assert post(api, "worker_b", assigned, "merge", duplicate_of=elsewhere.pk).status_code == 404
    assert post(api, "worker_a", assigned, "merge", duplicate_of=elsewhere.pk).status_code == 403
