"""Every log handler keeps only the network part of an address: in the message, in tracebacks and in stacks."""

import ast
import io
import logging
import logging.config
import sys
from pathlib import Path

import pytest
from django.conf import settings

from iop_site.log_filters import TruncateIPAddresses, truncate_ips
from tests.conftest import REPO

ADDRESS, NETWORK = "203.0.113.77", "203.0.113.0/24"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Invalid HTTP_HOST header: '203.0.113.77:8000'.", "Invalid HTTP_HOST header: '203.0.113.0/24:8000'."),
        ("GET http://[2001:db8:abcd:12::7]:443/x", "GET http://[2001:db8:abcd::/48]:443/x"),
        ("peer ::ffff:203.0.113.77 closed", "peer 203.0.113.0/24 closed"),
        ("X-Forwarded-For: 203.0.113.77, 198.51.100.9", "X-Forwarded-For: 203.0.113.0/24, 198.51.100.0/24"),
        ("client:203.0.113.77 refused", "client:203.0.113.0/24 refused"),
        ("fe80::1%eth0 up", "fe80::/48%eth0 up"),
        ("at 2026-11-30 02:04:27 +0000, release 1.2.3.4.5", "at 2026-11-30 02:04:27 +0000, release 1.2.3.4.5"),
        ("mac aa:bb:cc:dd:ee:ff, cast 'x'::text", "mac aa:bb:cc:dd:ee:ff, cast 'x'::text"),
    ],
)
def test_addresses_in_any_form_are_cut_to_their_network(text, expected):
    assert truncate_ips(text) == expected


def formatted(record, handler=None):
    handler = handler or logging.StreamHandler(io.StringIO())
    handler.addFilter(TruncateIPAddresses())
    handler.handle(record)
    return handler.stream.getvalue()


def record_with_exception(message="request failed", exc=None, **extra):
    try:
        raise exc or ConnectionError(f"connection to {ADDRESS} port 5432 refused")
    except Exception:
        logger = logging.getLogger("tests.log_privacy")
        return logger.makeRecord(logger.name, logging.ERROR, __file__, 1, message, (), sys.exc_info(), **extra)


def test_a_traceback_keeps_no_full_address():
    out = formatted(record_with_exception())
    assert "Traceback" in out and ADDRESS not in out
    assert out.rstrip().endswith(f"ConnectionError: connection to {NETWORK} port 5432 refused")


def test_a_chained_exception_keeps_no_full_address():
    try:
        try:
            raise OSError(f"peer {ADDRESS} reset the connection")
        except OSError as cause:
            raise RuntimeError("page failed") from cause
    except RuntimeError:
        record = logging.getLogger("t").makeRecord("t", logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    out = formatted(record)
    assert "The above exception was the direct cause" in out and ADDRESS not in out and NETWORK in out


def test_a_stack_keeps_no_full_address():
    record = logging.getLogger("t").makeRecord(
        "t", logging.WARNING, __file__, 1, "x", (), None, sinfo=f"  at {ADDRESS}"
    )
    assert ADDRESS not in formatted(record)


def test_an_address_already_cut_is_not_cut_again():
    assert truncate_ips(truncate_ips(f"from {ADDRESS} and 2001:db8:abcd:12::7")) == (
        f"from {NETWORK} and 2001:db8:abcd::/48"
    )


def test_the_message_keeps_its_wording_around_the_address():
    record = logging.getLogger("t").makeRecord(
        "t", logging.WARNING, __file__, 1, "login from %s locked", (ADDRESS,), None
    )
    assert formatted(record).strip() == f"login from {NETWORK} locked"


def test_a_message_whose_arguments_do_not_fit_is_still_cut():
    record = logging.getLogger("t").makeRecord(
        "t", logging.WARNING, __file__, 1, f"from {ADDRESS} %s %s", ("one",), None
    )
    out = formatted(record)
    assert ADDRESS not in out and NETWORK in out


def test_every_handler_in_the_django_logging_settings_truncates_addresses():
    handlers = settings.LOGGING["handlers"]
    assert handlers and all("truncate_ips" in handler.get("filters", []) for handler in handlers.values())


def test_every_handler_in_the_gunicorn_log_settings_truncates_addresses():
    tree = ast.parse(Path(REPO / "gunicorn.conf.py").read_text())
    namespace = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == [
            "logconfig_dict"
        ]:
            namespace["logconfig_dict"] = ast.literal_eval(node.value)
    handlers = namespace["logconfig_dict"]["handlers"]
    assert handlers and all("truncate_ips" in handler.get("filters", []) for handler in handlers.values())


def test_every_handler_attached_to_a_logger_truncates_addresses_in_tracebacks():
    """The handlers as configured in this process, whatever added them: each writes no full address."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    handlers = {
        handler
        for logger in loggers
        for handler in logger.handlers
        if hasattr(handler, "setStream") and not type(handler).__module__.startswith("_pytest")  # pytest's own
    }
    assert handlers
    for handler in handlers:
        buffer = io.StringIO()
        previous = handler.setStream(buffer)
        try:
            handler.handle(record_with_exception(f"failed for {ADDRESS}"))
        finally:
            handler.setStream(previous)
        assert buffer.getvalue() and ADDRESS not in buffer.getvalue(), handler


def test_a_bad_host_line_gives_no_advice_about_a_truncated_address(client, db):
    handler = logging.getLogger("django").handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        client.get("/", HTTP_HOST=ADDRESS)
    finally:
        handler.setStream(previous)
    assert buffer.getvalue() == f"Refused GET '/' for host '{NETWORK}' (not in ALLOWED_HOSTS): 400\n"
