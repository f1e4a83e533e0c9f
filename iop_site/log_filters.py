"""Logging filters: keep only the network part of any IP address in a log line (message, traceback and stack
alike), and write a request for an unknown host as one line."""

import ipaddress
import logging
import re

# A dotted IPv4 address that is not part of a longer dotted number (a version such as 1.2.3.4.5), and an IPv6
# candidate: two or more colon-ended hex groups, then a group or a dotted IPv4 part. Candidates are checked with
# ipaddress, so times (12:30:45) and MAC addresses stay as they are. An address already cut to a network (/24) is
# left alone: a record may pass through several handlers.
_IPV4 = r"(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9]|\.[0-9]|/[0-9])"
_IPV6 = rf"(?<![0-9A-Fa-f:.])(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}(?:{_IPV4}|[0-9A-Fa-f]{{0,4}})(?![0-9A-Fa-f:]|/[0-9])"
_CANDIDATE = re.compile(rf"{_IPV6}|{_IPV4}")
_IPV4_ONLY = re.compile(_IPV4)
_FORMATTER = logging.Formatter()


def truncate_ip(address):
    """Return 203.0.113.0/24 for an IPv4 address (also inside ::ffff:a.b.c.d), 2001:db8:1::/48 for IPv6."""
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _truncated_or_none(text):
    try:
        if ipaddress.ip_address(text).is_unspecified:
            return text  # "::", e.g. in a PostgreSQL cast ('x'::text): no one's address
        return truncate_ip(text)
    except ValueError:
        return None


def _replace(match):
    text = match.group(0)
    truncated = _truncated_or_none(text)
    if truncated is not None:
        return truncated
    # Not an address as a whole (a time, a MAC address): an IPv4 address inside it may still be one.
    return _IPV4_ONLY.sub(lambda inner: _truncated_or_none(inner.group(0)) or inner.group(0), text)


def truncate_ips(message):
    return _CANDIDATE.sub(_replace, message)


class TruncateIPAddresses(logging.Filter):
    """On every handler: the message, the exception text (traceback) and the stack keep only addresses' networks.
    The traceback is formatted here once (record.exc_text), which logging.Formatter then prints as it is."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: keep what can be shown without them
            message, record.args = str(record.msg), ()
        cleaned = truncate_ips(message)
        if cleaned != message or not record.args:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = truncate_ips(record.exc_text)
        if record.stack_info:
            record.stack_info = truncate_ips(record.stack_info)
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
