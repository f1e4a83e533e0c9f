"""A logging filter that keeps only the network part of any IP address in a log line."""

import ipaddress
import logging
import re

_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*")


def truncate_ip(address):
    """Return 203.0.113.0/24 for an IPv4 address, 2001:db8:1::/48 for IPv6."""
    ip = ipaddress.ip_address(address)
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _replace(match):
    text = match.group(0)
    core = text.strip(".:")
    try:
        truncated = truncate_ip(core)
    except ValueError:
        return text
    return text.replace(core, truncated, 1)


def truncate_ips(message):
    return _CANDIDATE.sub(_replace, message)


class TruncateIPAddresses(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        cleaned = truncate_ips(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class OneLineBadHost(logging.Filter):
    """A request for a host not in ALLOWED_HOSTS (scanners send many) is one warning line, not Django's error with a
    traceback. What the client sent is quoted with repr(), so it cannot forge a line of its own."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None:
            host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
            record.msg = "Refused %s %r for host %r (not in ALLOWED_HOSTS): 400"
            record.args = (request.method, request.path[:200], host[:200])
        record.exc_info = record.exc_text = None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
