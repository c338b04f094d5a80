"""The register as an Excel file for the county: a title row (town, what it holds, the filters,
when it was made), a bold header row in the town's language (frozen), then one row per entry
with its follow-ups summed up. Phone and ID number are as the asker may see them: the caller
passes what `services.arrivals_disclose` gave, which recorded the full ones.
"""

import io
import re
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from grids.models import Town

from .services import Shown

DATE_FORMAT = "yyyy-mm-dd"
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# What a file name may not hold on some system: separators, quotes, wildcards, spaces.
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\s]+')


def _columns() -> list[tuple[str, int]]:
    """(header, width in Excel's character widths; a Chinese character takes two)."""
    return [
        (_("Full name"), 10), (_("ID number"), 21), (_("Phone"), 14), (_("Community"), 12), (_("Grid"), 16), (_("Compound"), 16),
        (_("Arriving from"), 20), (_("Arrival date"), 12), (_("Health status"), 12), (_("Follow-ups done"), 10),
        (_("Next follow-up due"), 14), (_("Last follow-up"), 30), (_("Campaign"), 16), (_("Recorded by"), 10),
        (_("Recorded at"), 17), (_("Notes"), 30),
    ]


def export_filename(day: date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        name = _("screening-register")
    return f"{UNSAFE_IN_NAMES.sub('_', name)}-{day.isoformat()}.xlsx"


def arrivals_workbook(shown: list[Shown], *, described: list[str], now: datetime) -> bytes:
    """The .xlsx of these entries (each with its follow-ups prefetched), in the town's language;
    `described` says which filters chose them."""
    with translation.override(settings.LANGUAGE_CODE):
        book = Workbook(write_only=True)
        page = book.create_sheet(_("Screening register")[:31])
        columns = _columns()
        for number, (_header, width) in enumerate(columns, 1):
            page.column_dimensions[get_column_letter(number)].width = width
        page.freeze_panes = "A3"
        town = Town.objects.first()
        title = [town.name if town else "", _("Screening register"), *described]
        title.append(_("made %(time)s") % {"time": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")})
        page.append([_cell(page, " · ".join(part for part in title if part), font=Font(bold=True, size=13))])
        bold = Font(bold=True)
        page.append([_cell(page, str(header), font=bold) for header, _width in columns])
        for item in shown:
            page.append(_row(page, item))
        out = io.BytesIO()
        book.save(out)
    return out.getvalue()


def _row(page, item: Shown) -> list:
    arrival = item.arrival
    follow_ups = list(arrival.follow_ups.all())
    done = [follow_up for follow_up in follow_ups if follow_up.done]
    waiting = [follow_up for follow_up in follow_ups if not follow_up.done]
    last = max(done, key=lambda follow_up: follow_up.done_at, default=None)
    last_text = ""
    if last is not None:
        last_text = f"{timezone.localtime(last.done_at):%Y-%m-%d} {last.get_health_status_display()}"
        if last.note:
            last_text += f" · {last.note}"
    return [
        arrival.name, item.id_number, item.phone, arrival.grid.community.name, arrival.grid.name,
        arrival.compound.name if arrival.compound else "", arrival.origin,
        _cell(page, arrival.arrived_on, DATE_FORMAT), str(arrival.get_health_status_display()),
        f"{len(done)}/{len(follow_ups)}", _cell(page, waiting[0].due_on, DATE_FORMAT) if waiting else None, last_text,
        arrival.campaign.name if arrival.campaign else "", arrival.recorded_by.display_name,
        _cell(page, timezone.localtime(arrival.recorded_at).replace(tzinfo=None), TIME_FORMAT), arrival.notes,
    ]


def _cell(page, value, number_format: str = "", font: Font | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(page, value=value)
    if number_format:
        cell.number_format = number_format
    if font:
        cell.font = font
    return cell
