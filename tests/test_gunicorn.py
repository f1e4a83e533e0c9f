"""The real server: a graceful reload (kill -HUP) under load drops no request."""

import signal
import threading
import time
import urllib.request

import pytest

from tests.servers import gunicorn, prepared_env, worker_pids


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    return prepared_env(tmp_path_factory.mktemp("gunicorn"))


def test_hup_reload_under_load_loses_no_request(server_env):
    with gunicorn(server_env) as (process, base):
        before = worker_pids(process.pid)
        results, stop = [], threading.Event()

        def client():
            while not stop.is_set():
                try:
                    with urllib.request.urlopen(base + "/faq/", timeout=30) as response:  # noqa: S310 (loopback)
                        results.append(response.status)
                except OSError as exc:
                    results.append(repr(exc))

        threads = [threading.Thread(target=client) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and (worker_pids(process.pid) & before or len(worker_pids(process.pid)) < 2):
            time.sleep(0.2)
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join()

        assert not worker_pids(process.pid) & before, "the workers were not replaced by the reload"
        failures = [r for r in results if r != 200]
        assert failures == [], failures[:5]
        assert len(results) > 20
