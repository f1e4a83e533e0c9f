"""Time load_content inside one Django process (start-up excluded): a first load, a second, unchanged one, and a
third with one file changed among them all (its summary and review date, so the change is taken)."""

import io
import json
import os
import time
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402

from bench.generate import change_one_file  # noqa: E402


def timed():
    start = time.perf_counter()
    call_command("load_content", stdout=io.StringIO(), stderr=io.StringIO())
    return time.perf_counter() - start


# BENCH_LOADS leaves out the third (as long as a first load, today) where a run must be short.
wanted = os.environ.get("BENCH_LOADS", "first,second,one_changed").split(",")
times = {"first_seconds": timed(), "second_seconds": timed()}
if "one_changed" in wanted:
    change_one_file(Path(os.environ["CONTENT_DIR"]))
    times["one_changed_seconds"] = timed()
print(json.dumps(times))
