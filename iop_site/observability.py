"""Errors reach a person, and logs can be read by machines. Imported by iop_site/settings/production.py.

- ADMINS="Name <person@clinic.org>, ..." mails each logged error (at most one mail per kind of error every
  10 minutes from each process) through the SMTP server in EMAIL_HOST. The mail holds the message and the
  traceback, never the request: no addresses, cookies, form fields or search words.
- SENTRY_DSN sends unhandled errors to Sentry (sentry-sdk) without request bodies, cookies, headers, query
  strings, user data, local variables or breadcrumbs, and with any IP address in a message cut to its network.
- LOG_FORMAT=json writes every log line as one JSON object. The IP-truncating filter stays on every handler.
"""

import copy
import json
import logging
import os
import threading
import time
import traceback
from email.utils import getaddresses

from django.core.exceptions import ImproperlyConfigured
from django.utils.log import AdminEmailHandler

from iop_site.log_filters import TruncateIPAddresses

MAIL_THROTTLE_SECONDS = 600
_IP_FILTER = "iop_site.log_filters.TruncateIPAddresses"


def _bool(environ, name):
    value = environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ImproperlyConfigured(f"{name}={environ[name]!r} is not a yes/no value; use 1 or 0.")


def _int(environ, name, default):
    value = environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name}={value!r} is not a number; write it as digits, e.g. 587.")
    return int(value)


def admins(environ=os.environ):
    """ADMINS from "Name <address>, Name <address>"; a value that is not a list of addresses is refused."""
    raw = environ.get("ADMINS", "").strip()
    if not raw:
        return []
    people = getaddresses([raw])
    if not people or any("@" not in address or " " in address for _, address in people):
        raise ImproperlyConfigured(
            f"ADMINS={raw!r} is not a list of mail addresses; write it as "
            "'Dana Ortiz <dana@clinic.org>, IT desk <it@clinic.org>'."
        )
    return [(name or address, address) for name, address in people]


def mail_settings(environ=os.environ):
    """Django's mail settings from the environment; with ADMINS set, EMAIL_HOST and SERVER_EMAIL are required."""
    people = admins(environ)
    server_email = environ.get("SERVER_EMAIL", "")
    if people and not (environ.get("EMAIL_HOST") and server_email):
        raise ImproperlyConfigured(
            "ADMINS is set, so error mail needs EMAIL_HOST (your SMTP server) and SERVER_EMAIL (the From address)."
        )
    use_ssl = _bool(environ, "EMAIL_USE_SSL")
    return {
        "ADMINS": people,
        "SERVER_EMAIL": server_email or "root@localhost",
        "DEFAULT_FROM_EMAIL": server_email or "webmaster@localhost",
        "EMAIL_HOST": environ.get("EMAIL_HOST", "localhost"),
        "EMAIL_PORT": _int(environ, "EMAIL_PORT", 465 if use_ssl else 587),
        "EMAIL_HOST_USER": environ.get("EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": environ.get("EMAIL_HOST_PASSWORD", ""),
        # STARTTLS unless the server wants TLS from the start (EMAIL_USE_SSL=1, port 465).
        "EMAIL_USE_TLS": not use_ssl and (_bool(environ, "EMAIL_USE_TLS") if environ.get("EMAIL_USE_TLS") else True),
        "EMAIL_USE_SSL": use_ssl,
        "EMAIL_TIMEOUT": 10,
        "EMAIL_SUBJECT_PREFIX": "[IOP site] ",
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, and the traceback when there is one."""

    converter = time.gmtime

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:  # the filters clean the message only; an exception's text may hold an address too
            entry["exception"] = _truncate_ips(self.formatException(record.exc_info))
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        return json.dumps(entry, ensure_ascii=False)


class PrivateAdminEmailHandler(AdminEmailHandler):
    """Mail an error to ADMINS without the request it came from, and not again for 10 minutes.

    Django's own handler attaches the request (client address, GET and POST values) and the settings; this
    site's readers ask about their mental health, so the mail carries only the message and the traceback, with
    any IP address cut to its network. The pause stops a database outage from sending one mail per request.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._last_sent = {}
        self._lock = threading.Lock()

    def emit(self, record):
        key = (record.name, str(record.msg))
        now = time.monotonic()
        with self._lock:
            last = self._last_sent.get(key)
            if last is not None and now - last < MAIL_THROTTLE_SECONDS:
                return
            self._last_sent[key] = now
        subject = self.format_subject(f"{record.levelname}: {record.getMessage()}")
        body = record.getMessage()
        if record.exc_info:
            body += "\n\n" + "".join(traceback.format_exception(*record.exc_info))
        self.send_mail(subject, _truncate_ips(body), fail_silently=True)


def logging_settings(logging_config, environ=os.environ):
    """LOGGING with mail to ADMINS on errors and, with LOG_FORMAT=json, JSON lines on every handler."""
    log_format = environ.get("LOG_FORMAT", "text").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise ImproperlyConfigured(f"LOG_FORMAT={log_format!r}: use text (the default) or json.")
    config = copy.deepcopy(logging_config)
    filters = config.setdefault("filters", {})
    ip_filters = [name for name, spec in filters.items() if spec.get("()") in (TruncateIPAddresses, _IP_FILTER)]
    if not ip_filters:
        filters["truncate_ips"] = {"()": _IP_FILTER}
        ip_filters = ["truncate_ips"]
    handlers = config.setdefault("handlers", {})
    if log_format == "json":
        config.setdefault("formatters", {})["json"] = {"()": "iop_site.observability.JsonFormatter"}
        for handler in handlers.values():
            handler["formatter"] = "json"
    if admins(environ):
        filters["require_debug_false"] = {"()": "django.utils.log.RequireDebugFalse"}
        handlers["mail_admins"] = {
            "level": "ERROR",
            "class": "iop_site.observability.PrivateAdminEmailHandler",
            "filters": ["require_debug_false"],
        }
        for logger in [config.setdefault("root", {}), *config.get("loggers", {}).values()]:
            if "mail_admins" not in logger.setdefault("handlers", []):
                logger["handlers"].append("mail_admins")
    for handler in handlers.values():  # whatever was added, by whom: addresses are cut before anything is written
        handler["filters"] = [*ip_filters, *[name for name in handler.get("filters", []) if name not in ip_filters]]
    return config


def _truncate_ips(text):
    record = logging.LogRecord("sentry", logging.ERROR, "", 0, text, (), None)
    TruncateIPAddresses().filter(record)
    return record.getMessage()


_KEEP_REQUEST = ("method", "url")


def scrub_event(event, hint=None):
    """Keep what locates an error (type, message, stack, method and path); drop everything about the person."""
    request = event.get("request")
    if request:
        event["request"] = {key: request[key] for key in _KEEP_REQUEST if key in request}
        if "url" in event["request"]:
            event["request"]["url"] = event["request"]["url"].split("?", 1)[0]
    for key in ("user", "breadcrumbs"):
        event.pop(key, None)
    logentry = event.get("logentry") or {}
    for key in ("message", "formatted"):
        if isinstance(logentry.get(key), str):
            logentry[key] = _truncate_ips(logentry[key])
    logentry.pop("params", None)
    for exception in (event.get("exception") or {}).get("values", []):
        if isinstance(exception.get("value"), str):
            exception["value"] = _truncate_ips(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames", []):
            frame.pop("vars", None)
    return event


def init_sentry(environ=os.environ):
    """Start sentry-sdk when SENTRY_DSN is set; return whether it was started."""
    dsn = environ.get("SENTRY_DSN", "").strip()
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import LoggingIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environ.get("SENTRY_ENVIRONMENT", "production"),
        integrations=[DjangoIntegration(), LoggingIntegration(level=None, event_level=logging.ERROR)],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        max_breadcrumbs=0,
        traces_sample_rate=0,
        before_send=scrub_event,
    )
    return True
