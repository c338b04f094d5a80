"""What each part of the demo town costs to build: seconds and SQL statements of the incident
history and of each app's demo, in one `seed_demo` run on the embedded SQLite database.

    .venv/bin/python bench/seed.py

The parts are timed where the command calls them (each builder wrapped, nothing else changed),
so their shares of the whole are comparable within the run; the machine is shared, so compare
shares, not seconds across runs. Uses a throwaway data directory.
"""

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["GOVGRID_DATA_DIR"] = tempfile.mkdtemp(prefix="govgrid-bench-")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govgrid.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from incidents.management.commands import seed_demo  # noqa: E402

PARTS = {
    "incident history": (seed_demo.History, "load"),
    "patrols": (seed_demo.patrols_demo, "build"),
    "party": (seed_demo.party_demo, "build"),
    "volunteers": (seed_demo.volunteers_demo, "build"),
    "emergency duty": (seed_demo.emergency_demo, "build"),
    "screening": (seed_demo.screening_demo, "build"),
}
measured = {}


def timed(name, function):
    def run(*args, **kwargs):
        statements = 0

        def count(execute, sql, params, many, context):
            nonlocal statements
            statements += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = function(*args, **kwargs)
            measured[name] = (time.perf_counter() - started, statements)
        return result

    return run


for name, (owner, attribute) in PARTS.items():
    setattr(owner, attribute, timed(name, getattr(owner, attribute)))

call_command("migrate", verbosity=0)
started = time.perf_counter()
call_command("seed_demo", stdout=io.StringIO(), verbosity=0)
total = time.perf_counter() - started
print(f"seed_demo: {total:.1f} s in all")
for name, (seconds, statements) in measured.items():
    print(f"  {name:<17} {seconds:6.1f} s  {seconds / total:6.1%}  {statements:>7,} statements")
