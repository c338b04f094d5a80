"""The national working calendar: public holidays and make-up working days (调休), as the State
Council announces them each year, from the chinese-calendar package (its notices since 2004).

A data migration loads it into every database and the daily calendar watch loads what a newer
package knows, so an upgraded package is all it takes. Days entered in the admin are local
(`CalendarDay.Source.LOCAL`) and are never overwritten.
"""

from datetime import date

from chinese_calendar.constants import Holiday, holidays, workdays

# CalendarDay.source: where a day comes from. Plain strings, as a migration's models have no
# choices classes.
NATIONAL, LOCAL = "national", "local"

CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in Holiday}
# "清明" and "端午" are how the package names them; these are the names on the notices.
CHINESE_NAMES.update({Holiday.tomb_sweeping_day.value: "清明节", Holiday.dragon_boat_festival.value: "端午节", Holiday.mid_autumn_festival.value: "中秋节"})


def national_days() -> list[tuple[date, bool, str]]:
    """(date, is a working day, name) of every exception to the Monday-to-Friday week."""
    days = [(day, False, CHINESE_NAMES.get(name, name)) for day, name in holidays.items()]
    days += [(day, True, f"{CHINESE_NAMES.get(name, name)}调休上班") for day, name in workdays.items()]
    return sorted(days)


def last_known_year() -> int:
    return max(day.year for day, _working, _name in national_days())


def load_national_days(calendar_day_model) -> dict[str, int]:
    """Add the national days a database lacks and correct the national ones that changed; a
    local day is kept as it is. Takes the model so that a migration can pass its own."""
    existing = {row.date: row for row in calendar_day_model.objects.all()}
    new, changed, kept = [], [], 0
    for day, working, name in national_days():
        row = existing.get(day)
        if row is None:
            new.append(calendar_day_model(date=day, is_working_day=working, name=name, source=NATIONAL))
        elif row.source == LOCAL:
            kept += 1
        elif (row.is_working_day, row.name) != (working, name):
            row.is_working_day, row.name = working, name
            changed.append(row)
    calendar_day_model.objects.bulk_create(new)
    calendar_day_model.objects.bulk_update(changed, ["is_working_day", "name"])
    return {"added": len(new), "changed": len(changed), "local_kept": kept}
