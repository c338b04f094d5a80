"""The monthly reminder: on the first working day of the month only, once, to the members behind
(as the compliance page counts them: the rule's pace by now, in the app or by e-mail) and one
summary to each employer."""

import re
from datetime import date

from accounts.models import Notification
from incidents.models import CalendarDay
from party import services
from party.models import PartyReminder

from ..conftest import commit_callbacks, local, make_user
from .helpers import checkin

# 2026-09-01 is a Tuesday: 243 days of 365 gone by, 2 x 0.67 = 1.33, so the pace asks for one
# check-in by now.
SEPTEMBER_1 = local(2026, 9, 1, 8, 30)


def test_on_the_first_working_day_it_reminds_members_behind_and_their_employers(users, party, employer, mailoutbox):
    account = make_user("liqiang", "worker", email="li@example.org")
    party["in_a"].user = account
    party["in_a"].save()
    checkin(users["worker_b"], party["in_b"], date(2026, 4, 1))
    assert services.party_remind_behind(now=SEPTEMBER_1) == 1
    (notice,) = Notification.objects.filter(recipient=account)
    # In the town's language: the year, 0 made, 2 required, in whatever order it words them.
    assert sorted(re.findall(r"\d+", notice.subject)) == ["0", "2", "2026"]
    commit_callbacks()
    to_employer = [mail for mail in mailoutbox if mail.to == [employer.email]]
    assert len(to_employer) == 1 and "李强" in to_employer[0].body and "张伟" not in to_employer[0].body
    assert PartyReminder.objects.get().members == [party["in_a"].pk]


def test_a_member_without_an_account_is_mailed(users, party, employer, mailoutbox):
    services.party_remind_behind(now=SEPTEMBER_1)
    commit_callbacks()
    assert ["liqiang@example.org"] in [mail.to for mail in mailoutbox]
    # 张伟 has neither an account nor an address: only the employer hears of them.
    assert len(mailoutbox) == 2


def test_in_april_nobody_is_behind_yet(users, party, mailoutbox):
    """April's first working day (90 days gone by: 2 x 0.247 rounds to 0): no check-in yet is on
    the rule's pace, so no reminder."""
    assert services.party_remind_behind(now=local(2026, 4, 1, 8, 30)) == 0
    commit_callbacks()
    assert not mailoutbox


def test_from_may_whoever_has_none_is_reminded(users, party, mailoutbox):
    """May's first working day (after the Labour Day holiday when the calendar has it): the pace
    asks for one; 李强 has it, 张伟 not."""
    checkin(users["worker_a"], party["in_a"], date(2026, 4, 20))
    day = services.first_working_day(date(2026, 5, 1))
    assert services.party_remind_behind(now=local(day.year, day.month, day.day, 8, 30)) == 1
    assert PartyReminder.objects.get().members == [party["in_b"].pk]


def test_in_october_one_check_in_is_still_on_the_pace_and_in_november_no_longer(users, party, mailoutbox):
    """1 October (273 days: 1.496) asks for one; 2 November (305 days: 1.67) for two."""
    checkin(users["worker_a"], party["in_a"], date(2026, 4, 20))
    checkin(users["worker_b"], party["in_b"], date(2026, 4, 20))
    assert services.party_remind_behind(now=local(2026, 10, 1, 8, 30)) == 0
    assert services.party_remind_behind(now=local(2026, 11, 2, 8, 30)) == 2
    assert sorted(PartyReminder.objects.get(month=date(2026, 11, 1)).members) == sorted([party["in_a"].pk, party["in_b"].pk])


def test_in_december_everyone_below_two_is_reminded(users, party, mailoutbox):
    checkin(users["worker_a"], party["in_a"], date(2026, 4, 9))
    checkin(users["worker_a"], party["in_a"], date(2026, 10, 9))
    checkin(users["worker_b"], party["in_b"], date(2026, 10, 9))
    assert services.party_remind_behind(now=local(2026, 12, 1, 8, 30)) == 1
    assert PartyReminder.objects.get().members == [party["in_b"].pk]


def test_january_s_first_working_day_reminds_nobody_for_the_year_just_begun(users, party, mailoutbox):
    """Both members end 2026 below the rule; a check-in of 31 December counts for 2026 only, and
    the new year asks for nothing yet."""
    CalendarDay.objects.update_or_create(date=date(2027, 1, 1), defaults={"is_working_day": False, "name": "元旦"})
    checkin(users["worker_a"], party["in_a"], date(2026, 12, 31))
    assert services.party_remind_behind(now=local(2027, 1, 1, 8, 30)) == 0
    assert services.party_remind_behind(now=local(2027, 1, 4, 8, 30)) == 0
    commit_callbacks()
    assert not mailoutbox and not Notification.objects.exists()


def test_it_sends_nothing_on_other_days(users, party, mailoutbox):
    assert services.party_remind_behind(now=local(2026, 9, 2, 8, 30)) == 0
    assert services.party_remind_behind(now=local(2026, 9, 15, 8, 30)) == 0
    commit_callbacks()
    assert not mailoutbox and not PartyReminder.objects.exists()


def test_it_reminds_once_a_month_however_often_it_runs(users, party, mailoutbox):
    assert services.party_remind_behind(now=SEPTEMBER_1) == 2
    assert services.party_remind_behind(now=SEPTEMBER_1.replace(hour=9)) == 0
    commit_callbacks()
    assert len(mailoutbox) == 2 and PartyReminder.objects.count() == 1


def test_a_holiday_on_the_first_moves_it_to_the_next_working_day(users, party):
    CalendarDay.objects.update_or_create(date=date(2026, 9, 1), defaults={"is_working_day": False, "name": "test holiday"})
    assert services.party_remind_behind(now=SEPTEMBER_1) == 0
    assert services.party_remind_behind(now=local(2026, 9, 2, 8, 30)) == 2


def test_a_make_up_working_saturday_on_the_first_is_the_day(users, party):
    CalendarDay.objects.update_or_create(date=date(2026, 8, 1), defaults={"is_working_day": True, "name": "make-up day"})
    assert services.party_remind_behind(now=local(2026, 8, 1, 8, 30)) == 2
    assert services.party_remind_behind(now=local(2026, 8, 3, 8, 30)) == 0


def test_beat_runs_it_every_morning(settings):
    entry = next(entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == "party.tasks.remind_behind")
    assert entry["schedule"].hour == {8}
