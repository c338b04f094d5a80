"""The exports (/dashboard/export/<measures|rankings|cases>.<xlsx|csv>): the figures, the
rankings and the case list for the page's filters and scope, as a spreadsheet with a title row
or as CSV that Excel opens in Chinese."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dashboard.figures import FIGURES
from grids.models import Community, Grid
from incidents import stats
from incidents.models import Incident
from tests.conftest import square
from tests.dashboard.conftest import case, filters_of, period

pytestmark = pytest.mark.django_db


def url(what: str, kind: str) -> str:
    return reverse("dashboard:export", kwargs={"what": what, "kind": kind})


@pytest.fixture
def other_grid(town):
    other = Community.objects.create(town=town, code="320724100002", name="城东社区")
    return Grid.objects.create(community=other, code="320724100002001", name="城东一网格", boundary=square(119.36, 34.08, 0.01))


@pytest.fixture
def exported_cases(categories, grid_a, grid_b, other_grid, department):
    rubbish = categories["rubbish"]
    made = {
        "a_closed": case(rubbish, "closed", days_ago=4, grid=grid_a, deadline_in=-2, closed_after=1, department=department),
        "a_late": case(rubbish, "closed", days_ago=6, grid=grid_a, deadline_in=-5, closed_after=3),
        "a_overdue": case(rubbish, "assigned", days_ago=3, grid=grid_a, deadline_in=-1),
        "b_open": case(rubbish, "assigned", days_ago=2, grid=grid_b, deadline_in=2, source="phone"),
        "east": case(rubbish, "closed", days_ago=5, grid=other_grid, deadline_in=-2, closed_after=1),
    }
    Incident.objects.filter(pk=made["b_open"].pk).update(contact_phone="13700001234", contact_name="王先生")
    return made


def workbook(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.content)).active


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_measures_workbook_has_a_title_row_a_frozen_bold_header_and_one_row_per_figure(browse, exported_cases, town):
    query = period()
    response = browse("official").get(url("measures", "xlsx"), query)
    assert response.status_code == 200
    # Named for what it holds, as the CSV is: two communities' files do not collide.
    assert f'filename="dashboard-measures-{query["start"]}-{query["end"]}.xlsx"' in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment")
    sheet = workbook(response)
    title = sheet["A1"].value
    assert title.startswith("新安镇 · Measures · Period: custom range")
    assert f"made {timezone.localtime():%Y-%m-%d}" in title
    assert [cell.value for cell in sheet[2]] == ["Figure", "Value", "Unit", "Previous period", "Change", "Formula"]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [str(figure.label) for figure in FIGURES]
    figures = stats.summary(filters_of(query), now=timezone.now())
    cells = {figure.key: sheet.cell(row=n, column=2) for n, figure in enumerate(FIGURES, 3)}
    # Numbers, not text: rates shown with one decimal, counts whole.
    assert cells["completion_rate"].value == figures["completion_rate"] and cells["completion_rate"].number_format == "0.0"
    assert cells["due"].value == figures["due"] and cells["due"].number_format == "0"
    assert cells["due"].data_type == "n"


def test_the_measures_csv_starts_with_a_byte_order_mark_and_its_header(browse, exported_cases):
    query = period()
    response = browse("official").get(url("measures", "csv"), query)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"dashboard-measures-{query['start']}-{query['end']}" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["Figure", "Value", "Unit", "Previous period", "Change", "Formula"]
    figures = stats.summary(filters_of(query), now=timezone.now())
    by_label = {row[0]: row for row in rows[1:]}
    assert by_label["Completion rate"][1] == f"{figures['completion_rate']:.1f}"
    assert by_label["Cases due"][1] == str(figures["due"])


def test_the_rankings_export_lists_the_level_asked_for(browse, exported_cases, grid_a, grid_b, other_grid):
    query = period()
    response = browse("official").get(url("rankings", "xlsx"), {**query, "level": "grid"})
    sheet = workbook(response)
    assert "Rankings · Grids" in sheet["A1"].value
    header = [cell.value for cell in sheet[2]]
    assert header[:3] == ["Rank", "Grids", "Grid code"] and header[-2:] == ["Score", "Grade"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    expected = stats.unit_ranking(filters_of(query), "grid", now=timezone.now())
    assert [row[2] for row in rows] == [Grid.objects.get(pk=row["key"]).code for row in expected]
    communities = csv_rows(browse("official").get(url("rankings", "csv"), {**query, "level": "community"}))
    assert communities[0][:2] == ["Rank", "Communities"]
    assert {row[1] for row in communities[1:]} == {"新东社区", "城东社区"}


def test_a_community_filter_exports_only_that_communitys_cases(browse, exported_cases):
    response = browse("official").get(url("cases", "xlsx"), {**period(), "community": "320724100002"})
    sheet = workbook(response)
    assert "Community: 城东社区" in sheet["A1"].value
    assert "Cases · Cases reported" in sheet["A1"].value
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [exported_cases["east"].code]
    assert rows[0][4] == "城东社区"
    assert sheet.cell(row=3, column=2).is_date


def test_the_case_list_follows_the_measure_and_says_which_are_late(browse, exported_cases):
    rows = csv_rows(browse("official").get(url("cases", "csv"), {**period(), "measure": "due"}))
    header, *rows = rows
    assert header == [
        "Code", "Reported at", "Major category", "Minor category", "Community", "Grid", "Source", "Status",
        "Deadline", "Closed at", "Late", "Times reworked",
    ]
    late = {row[0]: row[10] for row in rows}
    assert late == {
        exported_cases["a_closed"].code: "no", exported_cases["a_late"].code: "yes",
        exported_cases["a_overdue"].code: "yes", exported_cases["east"].code: "no",
    }
    first = next(row for row in rows if row[0] == exported_cases["a_late"].code)
    assert first[2:4] == ["市容环境", "暴露垃圾"]
    assert first[1] == timezone.localtime(exported_cases["a_late"].reported_at).strftime("%Y-%m-%d %H:%M")


def test_no_phone_number_or_caller_leaves_in_the_case_list(browse, exported_cases):
    for kind in ("csv", "xlsx"):
        response = browse("official").get(url("cases", kind), period())
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"13700001234" not in body
    text = b"".join(browse("official").get(url("cases", "csv"), period()).streaming_content).decode()
    assert "王先生" not in text and exported_cases["b_open"].code in text


def test_a_grid_worker_cannot_export_another_grids_cases(browse, exported_cases, grid_b):
    refused = browse("worker_a").get(url("cases", "csv"), {**period(), "grid": grid_b.code})
    assert refused.status_code == 400 and "Grid" in refused.content.decode()
    own = csv_rows(browse("worker_a").get(url("cases", "csv"), period()))
    assert {row[0] for row in own[1:]} == {exported_cases[name].code for name in ("a_closed", "a_late", "a_overdue")}
    ranked = csv_rows(browse("worker_a").get(url("rankings", "csv"), {**period(), "level": "grid"}))
    assert [row[1] for row in ranked[1:]] == ["新东一网格"]


def test_a_department_member_exports_their_departments_cases_only(browse, exported_cases):
    rows = csv_rows(browse("department").get(url("cases", "csv"), period()))
    assert [row[0] for row in rows[1:]] == [exported_cases["a_closed"].code]


@pytest.mark.parametrize("what, kind", [("people", "csv"), ("cases", "pdf"), ("measures", "xls")])
def test_an_unknown_export_is_not_found(browse, users, what, kind):
    assert browse("official").get(url(what, kind)).status_code == 404


def test_bad_filters_are_refused_with_their_messages(browse, users):
    response = browse("official").get(url("cases", "xlsx"), {"period": "custom", "start": "2026-11-20", "end": "2026-11-01"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "The end of the period is before its start." in response.content.decode()


def test_an_unknown_measure_is_refused(browse, users):
    response = browse("official").get(url("cases", "csv"), {"measure": "everything"})
    assert response.status_code == 400


def test_an_anonymous_visitor_is_sent_to_log_in(browse, users):
    response = browse(None).get(url("cases", "csv"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_case_list_takes_as_many_queries_for_many_cases_as_for_few(browse, exported_cases, categories, grid_a, kind):
    client = browse("official")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("cases", kind), period())
            b"".join(response.streaming_content) if response.streaming else response.content
        return len(captured)

    few = queries()
    for _ in range(20):
        case(categories["street_light"], "closed", days_ago=2, grid=grid_a, deadline_in=-1, closed_after=1)
    assert queries() == few


def test_a_case_list_longer_than_the_limit_is_cut_and_says_so(browse, exported_cases, monkeypatch):
    monkeypatch.setattr("dashboard.exports.CASE_LIMIT", 2)
    sheet = workbook(browse("official").get(url("cases", "xlsx"), period()))
    assert sheet["A1"].value.endswith("the first 2 of 5 cases")
    assert len(list(sheet.iter_rows(min_row=3))) == 2
    response = browse("official").get(url("cases", "csv"), period())
    assert "the_first_2_of_5_cases" in response["Content-Disposition"]
    assert len(csv_rows(response)) == 3
