"""Load the State Council's public holidays and make-up working days into the working calendar.

    manage.py load_calendar

From the installed chinese-calendar package: after upgrading it once next year's notice is
out, this (or beat's morning calendar watch) adds the new year. Days entered in the admin are
kept as they are. Safe to run any number of times.
"""

from django.core.management.base import BaseCommand

from incidents.holidays import last_known_year
from incidents.services import calendar_load_national


class Command(BaseCommand):
    help = "Load the national public holidays and make-up working days (调休) into the working calendar."

    def handle(self, *args, **options):
        loaded = calendar_load_national()
        self.stdout.write(
            f"National calendar to the end of {last_known_year()}: {loaded['added']} days added, "
            f"{loaded['changed']} corrected, {loaded['local_kept']} entered locally kept as they are."
        )
