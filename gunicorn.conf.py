"""gunicorn settings; every value can be overridden from the environment."""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8)))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Privacy: no client address, user agent or referrer in the access log (see README, "Privacy").
access_log_format = '"%(r)s" %(s)s %(B)s %(M)sms'
control_socket_disable = True
# Privacy: gunicorn's own messages (e.g. "Invalid request from ip=...") keep only the network part of an address,
# on every handler.
logconfig_dict = {
    # Each message once: gunicorn's own loggers do not also pass their lines up to the root logger.
    "loggers": {
        "gunicorn.error": {
            "level": "INFO",
            "handlers": ["error_console"],
            "propagate": False,
            "qualname": "gunicorn.error",
        },
        "gunicorn.access": {
            "level": "INFO",
            "handlers": ["console"],
            "propagate": False,
            "qualname": "gunicorn.access",
        },
    },
    "filters": {"truncate_ips": {"()": "iop_site.log_filters.TruncateIPAddresses"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stdout",
            "filters": ["truncate_ips"],
        },
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": "generic",
            "stream": "ext://sys.stderr",
            "filters": ["truncate_ips"],
        },
    },
}
# LOG_FORMAT=json: gunicorn's lines as JSON objects too, like Django's (iop_site/observability.py).
if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
    logconfig_dict["formatters"] = {"json": {"()": "iop_site.observability.JsonFormatter"}}
    for _handler in logconfig_dict["handlers"].values():
        _handler["formatter"] = "json"
