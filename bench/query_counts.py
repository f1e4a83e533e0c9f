"""Count database queries per page, uncached then cached, and record each page's size in bytes."""

import json
import os

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

client = Client(HTTP_HOST="127.0.0.1")
counts, sizes = {}, {}
for path in json.loads(os.environ["BENCH_PATHS"]):
    per_request = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path, secure=True)
        assert response.status_code == 200, (path, response.status_code)
        per_request.append(len(ctx.captured_queries))
    counts[path] = per_request
    sizes[path] = len(response.content)
print(json.dumps({"counts": counts, "sizes": sizes}))
