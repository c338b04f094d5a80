"""Sum the dashboard's daily counts (incidents.models.DailyCount) again, from the cases.

    manage.py rebuild_daily_counts                        # the days not summed yet, and changed ones
    manage.py rebuild_daily_counts --from 2026-01-01 --to 2026-06-30   # every day of a range, again

Beat does the first every few minutes (incidents.tasks.sum_days); a range is summed again
after a repair made outside the services, or to check the counts. Safe to run at any time and
beside the worker: each day is summed under its own lock. Today is never summed: the
dashboard reads it from the cases.
"""

from argparse import ArgumentTypeError
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from incidents.services import rollups_sum_days


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


class Command(BaseCommand):
    help = "Sum the dashboard's daily counts from the cases: the missing and changed days, or every day of a range."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=_day, help="first day to sum again (YYYY-MM-DD)")
        parser.add_argument("--to", dest="last", type=_day, help="last day to sum again (YYYY-MM-DD; at most yesterday)")

    def handle(self, *args, first=None, last=None, verbosity=1, **options):
        if first and last and first > last:
            raise CommandError("--to is before --from.")
        ranged = first is not None or last is not None
        if ranged and first is None:
            raise CommandError("Give --from with --to.")

        def progress(days):
            return tqdm(days, desc="Daily counts", unit="day", disable=verbosity < 1, file=self.stderr)

        summed = rollups_sum_days(first=first, last=last, force=ranged, progress=progress)
        self.stdout.write(f"{summed} days summed.")
