"""The rule: PARTY_CHECKINS_PER_YEAR confirmed check-ins per in-service member per calendar year,
counted by the town's dates."""

from datetime import date

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
    checkin(users["worker_a"], member, date(2026, 5, 1), confirm=False)
    checkin(users["worker_a"], member, date(2026, 5, 2))
    row = progress_of(member, 2026, date(2026, 6, 1))
    assert (row.count, row.required, row.met) == (1, 2, False)


def test_two_confirmed_check_ins_meet_the_rule(users, party):
    member = party["in_a"]
    checkin(users["worker_a"], member, date(2026, 3, 1))
    checkin(users["worker_a"], member, date(2026, 9, 1))
    assert progress_of(member, 2026, date(2026, 9, 2)).met


def test_on_track_follows_the_share_of_the_year_gone_by(users, party):
    assert expected_by(date(2026, 3, 1), 2026) == 0
    assert expected_by(date(2026, 8, 1), 2026) == 1
    assert expected_by(date(2027, 1, 1), 2026) == 2
    member = party["in_a"]
    assert progress_of(member, 2026, date(2026, 3, 1)).on_track
    assert progress_of(member, 2026, date(2026, 8, 1)).behind


def test_behind_is_the_rule_s_pace_by_today_and_for_a_past_year_below_the_rule(users, party):
    """Nobody on the year's first day; in December whoever has no check-in; for the year just
    ended, whoever has fewer than two."""
    member = party["in_a"]
    checkin(users["worker_a"], member, date(2025, 12, 31))
    assert not progress_of(member, 2026, date(2026, 1, 1)).behind
    assert progress_of(member, 2025, date(2026, 1, 1)).behind
    assert progress_of(member, 2026, date(2026, 12, 1)).behind
    checkin(users["worker_a"], member, date(2026, 1, 1))
    assert not progress_of(member, 2026, date(2026, 12, 31)).behind
    assert not progress_of(member, 2027, date(2026, 12, 31)).behind
    assert [is_behind(count=n, expected=expected_by(date(2026, 1, 1), 2025)) for n in (0, 1, 2, 3)] == [True, True, False, False]


def test_members_who_joined_after_the_year_are_not_counted(users, party):
    members = [row.member for row in compliance(year=2025, today=date(2026, 1, 5))]
    assert party["in_a"] in members and party["in_b"] not in members and party["secretary"] not in members


def test_each_employer_is_summed_with_its_members_behind(users, party, employer):
    checkin(users["worker_a"], party["in_a"], date(2026, 4, 1))
    checkin(users["worker_a"], party["in_a"], date(2026, 10, 1))
    (summary,) = compliance_by_employer(compliance(year=2026, today=date(2026, 11, 1)))
    assert summary.employer == employer and summary.members == 2
    assert [row.member for row in summary.behind] == [party["in_b"]]


def behind_on_page(client, year=None):
    response = client.get("/console/party/compliance/" + (f"?year={year}" if year else ""))
    return [row.member for summary in response.context["employers"] for row in summary.behind], response


def test_the_page_and_the_api_list_the_same_members_behind(browse, api, users, party, town_today):
    checkin(users["worker_a"], party["in_a"], date(2026, 10, 9))
    town_today(date(2026, 12, 1))
    listed, page = behind_on_page(browse("official"))
    assert listed == [party["in_b"]] and (page.context["on_track"], page.context["members"]) == (1, 2)
    answer = api("official").get("/api/v1/party/compliance/").json()
    assert [row["member"] for row in answer["behind"]] == [party["in_b"].pk] and answer["on_track"] == 1


def test_in_the_first_half_of_the_year_the_page_lists_nobody_behind(browse, users, party, town_today):
    town_today(date(2026, 6, 15))
    listed, page = behind_on_page(browse("official"))
    assert listed == [] and "Nobody is behind yet" in page.content.decode()


def test_for_the_year_just_ended_the_page_lists_those_below_the_rule(browse, users, party, town_today):
    checkin(users["worker_a"], party["in_a"], date(2025, 12, 31))
    town_today(date(2026, 1, 5))
    assert behind_on_page(browse("official"))[0] == []
    listed, page = behind_on_page(browse("official"), year=2025)
    assert listed == [party["in_a"]] and "For a past year, behind means below the rule." in page.content.decode()
