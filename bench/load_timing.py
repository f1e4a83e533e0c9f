"""Time load_content inside one Django process (start-up excluded): a first load, then a second, unchanged one."""

import io
import json
import time

import django

django.setup()

from django.core.management import call_command  # noqa: E402


def timed():
    start = time.perf_counter()
    call_command("load_content", stdout=io.StringIO(), stderr=io.StringIO())
    return time.perf_counter() - start


first = timed()
second = timed()
print(json.dumps({"first_seconds": first, "second_seconds": second}))
