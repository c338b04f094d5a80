"""The rule: PARTY_CHECKINS_PER_YEAR confirmed check-ins per in-service member per calendar year,
counted by the town's dates."""

from datetime import date

import pytest

from party.selectors import compliance, compliance_by_employer, expected_by, is_behind

from .helpers import checkin


def progress_of(member, year, today):
    return next(row for row in compliance(year=year, today=today) if row.member == member)


def test_31_december_counts_for_that_year_and_1_january_for_the_next(users, party):
    member = party["in_a"]
    checkin(users["worker_a"], member, date(2025, 12, 31))
    checkin(users["worker_a"], member, date(2026, 1, 1))
    assert progress_of(member, 2025, date(2026, 1, 2)).count == 1
    assert progress_of(member, 2026, date(2026, 1, 2)).count == 1
    assert progress_of(member, 2025, date(2026, 1, 2)).missing == 1


def test_only_confirmed_check_ins_count(users, party):
    member = party["in_a"]
    # Recorded by the command centre, it waits for the grid's worker.
    checkin(users["dispatcher"], member, date(2026, 5, 1), confirm=False)
    checkin(users["worker_a"], member, date(2026, 5, 2))
    row = progress_of(member, 2026, date(2026, 6, 1))
    assert (row.count, row.required, row.met) == (1, 2, False)


def test_two_confirmed_check_ins_meet_the_rule(users, party):
    member = party["in_a"]
    checkin(users["worker_a"], member, date(2026, 3, 1))
    checkin(users["worker_a"], member, date(2026, 9, 1))
    assert progress_of(member, 2026, date(2026, 9, 2)).met


@pytest.mark.parametrize("day, expected", [
    (date(2026, 1, 1), 0),
    (date(2026, 3, 31), 0),
    (date(2026, 4, 1), 0),  # 90 days of 365: 2 x 0.247 = 0.49, rounded down
    (date(2026, 4, 3), 1),  # 92 days: 0.504, rounded up
    (date(2026, 5, 4), 1),
    (date(2026, 10, 1), 1),  # 273 days: 1.496
    (date(2026, 10, 2), 2),  # 274 days: 1.501
    (date(2026, 12, 1), 2),
    (date(2026, 12, 31), 2),
    (date(2027, 1, 1), 2),  # the year is over: the whole rule
    (date(2025, 12, 31), 0),  # not yet begun
])
def test_the_pace_is_the_rule_times_the_share_of_the_year_gone_by_rounded_half_up(day, expected):
    assert expected_by(day, 2026) == expected


def test_a_leap_year_s_pace_counts_its_366_days():
    # 2028: 92 days gone by on 2 April, 2 x 92 / 366 = 0.503; on 1 April 0.497.
    assert (expected_by(date(2028, 4, 1), 2028), expected_by(date(2028, 4, 2), 2028)) == (0, 1)


def test_behind_follows_the_pace(users, party):
    """Nobody in the first quarter; those with none from April; those with one from October;
    in December everyone below two."""
    member = party["in_a"]
    assert not progress_of(member, 2026, date(2026, 3, 31)).behind
    assert progress_of(member, 2026, date(2026, 5, 4)).behind
    checkin(users["worker_a"], member, date(2026, 4, 20))
    assert not progress_of(member, 2026, date(2026, 5, 4)).behind
    assert not progress_of(member, 2026, date(2026, 9, 1)).behind
    assert progress_of(member, 2026, date(2026, 11, 2)).behind
    assert progress_of(member, 2026, date(2026, 12, 1)).behind
    checkin(users["worker_a"], member, date(2026, 11, 20))
    assert not progress_of(member, 2026, date(2026, 12, 1)).behind


def test_behind_across_the_year_boundary_and_for_a_past_year_below_the_rule(users, party):
    """Nobody on the year's first day; for the year just ended, whoever has fewer than two; a
    check-in of 31 December counts for that year only."""
    member = party["in_a"]
    checkin(users["worker_a"], member, date(2025, 12, 31))
    assert not progress_of(member, 2026, date(2026, 1, 1)).behind
    assert progress_of(member, 2025, date(2026, 1, 1)).behind
    assert progress_of(member, 2026, date(2026, 12, 1)).behind
    checkin(users["worker_a"], member, date(2026, 1, 1))
    checkin(users["worker_a"], member, date(2026, 6, 1))
    assert not progress_of(member, 2026, date(2026, 12, 31)).behind
    assert not progress_of(member, 2027, date(2026, 12, 31)).behind
    assert not progress_of(member, 2027, date(2027, 1, 1)).behind
    assert [is_behind(count=n, expected=expected_by(date(2026, 1, 1), 2025)) for n in (0, 1, 2, 3)] == [True, True, False, False]


def test_members_who_joined_after_the_year_are_not_counted(users, party):
    members = [row.member for row in compliance(year=2025, today=date(2026, 1, 5))]
    assert party["in_a"] in members and party["in_b"] not in members and party["secretary"] not in members


def test_each_employer_is_summed_with_its_members_below_the_rule_and_behind(users, party, employer):
    checkin(users["worker_a"], party["in_a"], date(2026, 4, 1))
    checkin(users["worker_b"], party["in_b"], date(2026, 4, 1))
    (summary,) = compliance_by_employer(compliance(year=2026, today=date(2026, 9, 1)))
    assert summary.employer == employer and summary.members == 2
    assert [row.member for row in summary.short] == [party["in_b"], party["in_a"]] and summary.behind == []
    checkin(users["worker_a"], party["in_a"], date(2026, 10, 1))
    (summary,) = compliance_by_employer(compliance(year=2026, today=date(2026, 11, 2)))
    assert [row.member for row in summary.short] == [row.member for row in summary.behind] == [party["in_b"]]


def on_page(client, year=None):
    """The members listed (below the rule) and those marked behind, and the response."""
    response = client.get("/console/party/compliance/" + (f"?year={year}" if year else ""))
    summaries = response.context["short_employers"]
    listed = [row.member for summary in summaries for row in summary.short]
    behind = [row.member for summary in summaries for row in summary.short if row.behind]
    return listed, behind, response


def test_the_page_lists_everyone_below_the_rule_and_marks_those_behind_the_pace(browse, api, users, party, town_today):
    """September: 李强 has one (on the pace), 张伟 none (behind); both are listed."""
    checkin(users["worker_a"], party["in_a"], date(2026, 4, 9))
    town_today(date(2026, 9, 1))
    listed, behind, page = on_page(browse("official"))
    assert listed == [party["in_b"], party["in_a"]] and behind == [party["in_b"]]
    assert (page.context["met"], page.context["members"], page.context["behind_count"]) == (0, 2, 1)
    text = page.content.decode()
    assert "members have met the rule" in text and "behind the pace" in text and "Still to make this year" in text
    assert text.count('<span class="tag behind">behind</span>') == 1
    answer = api("official").get("/api/v1/party/compliance/").json()
    assert [row["member"] for row in answer["behind"]] == [party["in_b"].pk] and answer["on_track"] == 1


def test_the_page_and_the_api_mark_the_same_members_behind_in_december(browse, api, users, party, town_today):
    checkin(users["worker_a"], party["in_a"], date(2026, 10, 9))
    town_today(date(2026, 12, 1))
    listed, behind, page = on_page(browse("official"))
    assert listed == behind == [party["in_b"], party["in_a"]]
    answer = api("official").get("/api/v1/party/compliance/").json()
    assert sorted(row["member"] for row in answer["behind"]) == sorted([party["in_a"].pk, party["in_b"].pk]) and answer["on_track"] == 0


def test_in_the_first_quarter_the_page_lists_those_below_the_rule_and_nobody_behind(browse, users, party, town_today):
    town_today(date(2026, 3, 15))
    listed, behind, page = on_page(browse("official"))
    assert listed == [party["in_b"], party["in_a"]] and behind == []
    assert "Nobody is behind the pace yet" in page.content.decode()


def test_a_closed_year_is_worded_as_closed(browse, users, party, town_today):
    checkin(users["worker_a"], party["in_a"], date(2025, 12, 31))
    town_today(date(2026, 1, 5))
    assert on_page(browse("official"))[1] == []
    listed, behind, page = on_page(browse("official"), year=2025)
    assert listed == behind == [party["in_a"]]
    text = page.content.decode()
    assert "2025 is closed: the members listed did not meet the rule." in text and "did not meet the rule" in text
    assert "Short by" in text and "Still to make this year" not in text and "behind the pace" not in text
    assert (page.context["met"], page.context["members"], page.context["short_count"]) == (0, 1, 1)


def test_a_member_who_met_the_rule_is_not_listed(browse, users, party, town_today):
    checkin(users["worker_a"], party["in_a"], date(2026, 2, 1))
    checkin(users["worker_a"], party["in_a"], date(2026, 3, 1))
    town_today(date(2026, 12, 1))
    listed, behind, page = on_page(browse("official"))
    assert listed == behind == [party["in_b"]] and page.context["met"] == 1
