"""The figures the dashboard, its exports, the monthly report and the wall screen show, in one
order, each with its formula (DOMAIN.md; computed in incidents.stats) and the cases behind it."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _

from incidents.workflow import Stage


@dataclass(frozen=True)
class Figure:
    key: str  # in incidents.stats.measures()
    label: str
    formula: str
    unit: str = ""  # "%", "min", "h" or "" for a count
    # The cases behind it (incidents.stats.cases_behind), for the drill-down; "" for none.
    cases: str = ""
    # Whether a rise is good news (green) or bad (red); None for neither.
    higher_is_better: bool | None = True
    # Whether the figure behind the link counts the cases listed; the timely dispatch rate
    # counts dispatches, and a case dispatched twice is listed once.
    counts_cases: bool = True


FIGURES = (
    Figure("completion_rate", _("Completion rate"), _("cases closed ÷ cases due"), "%", "closed"),
    Figure("on_time_rate", _("On-time completion rate"), _("cases closed by their deadline ÷ cases due"), "%", "closed_on_time"),
    Figure("overdue_completion_rate", _("Overdue completion rate"), _("cases closed after their deadline ÷ cases due"), "%", "closed_late", False),
    Figure("rework_rate", _("Rework rate"), _("cases due that failed inspection or were reopened ÷ cases due"), "%", "reworked", False),
    Figure(
        "timely_dispatch_rate", _("Timely dispatch rate"),
        _("dispatches made within the dispatch limit ÷ (dispatches made + cases waiting past it)"), "%", "dispatched_on_time",
        counts_cases=False,
    ),
    Figure("reported", _("Cases reported"), _("every case reported in the period, rejected and merged ones included"), "", "reported", None),
    Figure("due", _("Cases due"), _("cases closed + open cases past their deadline; rejected and merged cases count as neither"), "", "due", None),
    Figure("closed", _("Cases closed"), _("cases closed (销号), however late"), "", "closed"),
    Figure("open", _("Cases open"), _("cases reported in the period and not yet closed, rejected or merged (suspended ones apart)"), "", "open", None),
    Figure("overdue_open", _("Overdue and still open"), _("open cases past their deadline, appeals upheld apart"), "", "overdue_open", False),
    Figure(
        "average_dispatch_minutes", _("Average time to dispatch"),
        _("working minutes from acceptance to dispatch, averaged over dispatches made"), "min", "", False,
    ),
    Figure(
        "average_handle_minutes", _("Average time to handle"),
        _("minutes of the handling limit's kind (working or natural) from dispatch to handled, averaged over handlings done"), "min", "", False,
    ),
    Figure("average_close_hours", _("Average time to close"), _("hours from report to close, averaged over closed cases"), "h", "", False),
)
BY_KEY = {figure.key: figure for figure in FIGURES}


def change(figure: Figure, now, before) -> dict | None:
    """The change against the previous period: {"delta", "good"}; None when either is unknown."""
    if now is None or before is None:
        return None
    delta = round(now - before, 1)
    good = None if figure.higher_is_better is None or delta == 0 else (delta > 0) == figure.higher_is_better
    return {"delta": delta, "good": good}


# What each drill-down lists, in the words of its heading.
MEASURE_TITLES = {
    "reported": BY_KEY["reported"].label,
    "due": BY_KEY["due"].label,
    "closed": BY_KEY["closed"].label,
    "closed_on_time": _("Closed on time"),
    "closed_late": _("Closed late"),
    "overdue_open": BY_KEY["overdue_open"].label,
    "reworked": _("Reworked"),
    "open": BY_KEY["open"].label,
    "suspended": _("Suspended"),
    "rejected": _("Rejected"),
    "merged": _("Merged"),
    "dispatched": _("Dispatched"),
    "dispatched_on_time": _("Dispatched on time"),
}
UNITS = {"min": _("min"), "h": _("h")}


def shown(value, unit: str) -> str:
    """A figure as the cards show it: rates to one decimal with %, counts whole, — for unknown."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if unit in UNITS:
        return f"{value:,.1f} {UNITS[unit]}"
    return f"{int(value):,}"


def _parts(key: str, figures: dict) -> tuple[str, list[tuple[str, int]]]:
    """The counts behind a figure, for its formula: (the operator between them, [(name, count)])."""
    dispatch, handle = figures["stages"][Stage.DISPATCH], figures["stages"][Stage.HANDLE]
    due = (BY_KEY["due"].label, figures["due"])
    parts = {
        "completion_rate": ("÷", [(BY_KEY["closed"].label, figures["closed"]), due]),
        "on_time_rate": ("÷", [(MEASURE_TITLES["closed_on_time"], figures["closed_on_time"]), due]),
        "overdue_completion_rate": ("÷", [(MEASURE_TITLES["closed_late"], figures["closed_late"]), due]),
        "rework_rate": ("÷", [(MEASURE_TITLES["reworked"], figures["reworked"]), due]),
        "timely_dispatch_rate": ("÷", [
            (gettext("Dispatched on time"), dispatch["done_on_time"]), (gettext("Dispatches due"), dispatch["done"] + dispatch["late_open"]),
        ]),
        "due": ("+", [(BY_KEY["closed"].label, figures["closed"]), (BY_KEY["overdue_open"].label, figures["overdue_open"])]),
        "average_dispatch_minutes": ("", [(gettext("Dispatches made"), dispatch["done"])]),
        "average_handle_minutes": ("", [(gettext("Handlings done"), handle["done"])]),
        "average_close_hours": ("", [(BY_KEY["closed"].label, figures["closed"])]),
    }
    return parts.get(key, ("", []))


def _change_shown(figure, delta: dict | None) -> dict | None:
    if delta is None:
        return None
    size = abs(delta["delta"])
    return {
        **delta,
        "arrow": "▲" if delta["delta"] > 0 else "▼" if delta["delta"] < 0 else "＝",
        "size": f"{size:.1f}" if figure.unit else f"{int(size):,}",
        "tone": "neutral" if delta["good"] is None else "good" if delta["good"] else "bad",
    }


def figure_cards(figures: dict, before: dict, query: str) -> list[dict]:
    """One card per figure of FIGURES: its value, the change against the period before, the
    counts behind its formula, and the drill-down to its cases."""
    cards = []
    for figure in FIGURES:
        value = figures[figure.key]
        operator, parts = _parts(figure.key, figures)
        cards.append({
            "figure": figure,
            "value": value,
            "shown": shown(value, figure.unit),
            "change": _change_shown(figure, change(figure, value, before[figure.key])),
            "before": shown(before[figure.key], figure.unit),
            "operator": operator,
            "parts": [(label, f"{int(count):,}") for label, count in parts],
            "cases": int(figures[figure.cases]) if figure.cases else None,
            "cases_shown": shown(figures[figure.cases], "") if figure.cases else "",
            "cases_url": f"{reverse('dashboard:cases')}?{query}{'&' if query else ''}measure={figure.cases}" if figure.cases else "",
        })
    return cards
