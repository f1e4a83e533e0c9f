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
