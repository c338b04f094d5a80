"""The dashboard's figures as files, for the same filters and the same scope as its pages:
/dashboard/export/<measures|rankings|cases>.<xlsx|csv>.

An .xlsx opens with a title row naming the town, what it holds, the filters and the time it
was made, then a bold header row (frozen), then the rows, numbers as numbers. A CSV holds the
header row and the rows only (UTF-8 with a BOM, so Excel reads the Chinese); the filters go in
its file name."""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, Case, Value, When
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _, pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from grids.models import Town
from incidents import stats
from incidents.models import Source
from incidents.selectors import incidents_visible_to
from incidents.workflow import Status

from .access import dashboard_view, read_filters
from .rankings import level_of, ranking
from .figures import FIGURES, MEASURE_TITLES, UNITS, change

KINDS = ("xlsx", "csv")
# A case list longer than this is cut (and says so): a spreadsheet, not a database dump.
CASE_LIMIT = 100_000
TIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Column:
    label: str
    width: int  # in Excel's character widths (a Chinese character takes two)
    kind: str = "text"  # "text", "number" (a whole number, or one decimal) or "time"


@dataclass
class Sheet:
    title: str  # what it holds, for the title row
    name: str  # for the file name
    columns: list[Column]
    rows: object  # an iterable of lists, one value per column
    note: str = ""  # said after the title, as when a long list is cut


@dashboard_view
def export(request, what, kind):
    if what not in SHEETS or kind not in KINDS:
        raise Http404
    now = timezone.now()
    form, filters = read_filters(request, now)
    if filters is None:
        return _refused(_problems(form))
    if what == "cases" and (request.GET.get("measure") or "reported") not in stats.DRILLABLE:
        return _refused(_("There is no such figure to list the cases of."))
    sheet = SHEETS[what](request, form, filters, now)
    values = form.cleaned_data
    name = ["dashboard", sheet.name, values["start"].isoformat(), values["end"].isoformat(), *(v for _label, v in form.described()[1:]), sheet.note]
    filename = f"{_safe('-'.join(part for part in name if part))}.{kind}"
    if kind == "csv":
        response = StreamingHttpResponse(_csv_lines(sheet), content_type="text/csv; charset=utf-8")
    else:
        made = timezone.localtime(now)
        town = Town.objects.first()
        title = [town.name if town else "", sheet.title, *(f"{label}: {value}" for label, value in form.described())]
        title += [_("made %(time)s") % {"time": made.strftime("%Y-%m-%d %H:%M")}, sheet.note]
        response = HttpResponse(
            _xlsx(sheet, " · ".join(part for part in title if part)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _refused(text: str) -> HttpResponse:
    return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")


def _problems(form) -> str:
    """The form's messages as lines of text, each after its field's label."""
    lines = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines += [f"{label}: {error}" if label else error for error in errors]
    return "\n".join(lines)


def _safe(name: str) -> str:
    """A file name every system accepts: no separators, quotes or wildcards."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name).strip("_")


# The sheets


def measures_sheet(request, form, filters: stats.Filters, now: datetime) -> Sheet:
    """One row per figure: its value, the previous period's, the change and the formula."""
    figures, before = stats.summary(filters, now=now), stats.summary(form.previous(filters), now=now)
    rows = []
    for figure in FIGURES:
        value, earlier = figures[figure.key], before[figure.key]
        delta = change(figure, value, earlier)
        rows.append([
            str(figure.label), _number(value, figure.unit), str(UNITS.get(figure.unit, figure.unit)), _number(earlier, figure.unit),
            _number(delta["delta"], figure.unit) if delta else None, str(figure.formula),
        ])
    kind = "number"
    return Sheet(_("Measures"), "measures", [
        Column(_("Figure"), 24), Column(_("Value"), 12, kind), Column(_("Unit"), 8), Column(_("Previous period"), 14, kind),
        Column(pgettext("against the period before", "Change"), 10, kind), Column(_("Formula"), 70),
    ], rows)


def _number(value, unit: str):
    """A count as a whole number, a rate or a time as it is; None as None."""
    if value is None:
        return None
    return value if unit else int(value)


def rankings_sheet(request, form, filters: stats.Filters, now: datetime) -> Sheet:
    table = ranking(filters, level_of(request.GET.get("level")), user=request.user, now=now)
    columns = [Column(_("Rank"), 6, "number"), Column(str(table.label), 24)]
    columns += [Column(str(column.label), 12, "number") for column in table.columns]
    columns += [Column(_("Score"), 8, "number"), Column(_("Grade"), 6)]
    detail = table.level in ("grid", "worker")
    if detail:
        columns.insert(2, Column(_("Grid code") if table.level == "grid" else _("Grids"), 20))
    rows = []
    for row in table.rows:
        values = [value if value is None or column.unit else int(value) for column, value in row.cells]
        rows.append([row.rank, row.name, *([row.detail] if detail else []), *values, row.score, row.grade])
    return Sheet(f"{_('Rankings')} · {table.label}", f"rankings-{table.level}", columns, rows)


def cases_sheet(request, form, filters: stats.Filters, now: datetime) -> Sheet:
    """The cases behind a figure (?measure=, "reported" by default), oldest first; no phone
    numbers or people, only what a meeting needs to follow the cases up."""
    measure = request.GET.get("measure") or "reported"
    late = stats.cases_behind("closed_late", now=now) | stats.cases_behind("overdue_open", now=now)
    found = (
        stats.filter_cases(incidents_visible_to(request.user), filters)
        .filter(stats.cases_behind(measure, now=now))
        .annotate(late=Case(When(late, then=Value(True)), default=Value(False), output_field=BooleanField()))
        .order_by("reported_at", "pk")
    )
    total = found.count()
    fields = (
        "code", "reported_at", "category__parent__name", "category__name", "grid__community__name", "grid__name",
        "source", "status", "deadline", "closed_at", "late", "rework_count",
    )
    statuses, sources, yes, no = dict(Status.CHOICES), dict(Source.choices), _("yes"), _("no")

    def rows():
        for code, reported, major, minor, community, grid, source, status, deadline, closed, is_late, reworks in (
            found.values_list(*fields)[:CASE_LIMIT].iterator(chunk_size=2000)
        ):
            yield [
                code, _local(reported), major or minor, minor if major else "", community or "", grid or "",
                str(sources.get(source, source)), str(statuses.get(status, status)), _local(deadline), _local(closed),
                yes if is_late else no, reworks,
            ]

    note = _("the first %(shown)s of %(total)s cases") % {"shown": f"{CASE_LIMIT:,}", "total": f"{total:,}"} if total > CASE_LIMIT else ""
    return Sheet(f"{_('Cases')} · {MEASURE_TITLES[measure]}", f"cases-{measure}", [
        Column(_("Code"), 20), Column(_("Reported at"), 17, "time"), Column(_("Major category"), 12), Column(_("Minor category"), 14),
        Column(_("Community"), 14), Column(_("Grid"), 16), Column(_("Source"), 10), Column(_("Status"), 12),
        Column(_("Deadline"), 17, "time"), Column(_("Closed at"), 17, "time"), Column(_("Late"), 6), Column(_("Times reworked"), 8, "number"),
    ], rows(), note)


def _local(moment: datetime | None) -> datetime | None:
    """In town time, without a zone: Excel knows none."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


SHEETS = {"measures": measures_sheet, "rankings": rankings_sheet, "cases": cases_sheet}


# The files


def _xlsx(sheet: Sheet, title: str) -> bytes:
    book = Workbook(write_only=True)
    page = book.create_sheet(re.sub(r"[\\/?*\[\]:]", " ", str(sheet.title))[:31])
    for number, column in enumerate(sheet.columns, 1):
        page.column_dimensions[get_column_letter(number)].width = column.width
    page.freeze_panes = "A3"
    page.append([_cell(page, title, font=Font(bold=True, size=13))])
    bold = Font(bold=True)
    page.append([_cell(page, str(column.label), font=bold) for column in sheet.columns])
    kinds = [column.kind for column in sheet.columns]
    for row in sheet.rows:
        page.append([_cell(page, value, kind) if kind != "text" and value is not None else value for value, kind in zip(row, kinds)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(page, value, kind: str = "text", font: Font | None = None) -> WriteOnlyCell:
    """A cell with its format: a whole number as one, other numbers to one decimal."""
    cell = WriteOnlyCell(page, value=value)
    if font:
        cell.font = font
    if kind == "time":
        cell.number_format = TIME_FORMAT
    elif kind == "number":
        cell.number_format = "0" if isinstance(value, int) else "0.0"
    return cell


class _Line:
    """A file-like that hands back what csv.writer wrote, one line at a time."""

    def write(self, text: str) -> str:
        return text


def _csv_lines(sheet: Sheet):
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow([str(column.label) for column in sheet.columns])
    kinds = [column.kind for column in sheet.columns]
    for row in sheet.rows:
        yield writer.writerow([_csv_value(value, kind) for value, kind in zip(row, kinds)])


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "time":
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
