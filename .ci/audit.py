"""Summarise pip-audit's JSON report: fail on any known vulnerability, say plainly what could not be checked."""

import json
import sys
from pathlib import Path

report = json.loads(Path(sys.argv[1]).read_text())
found = [(d["name"], d["version"], v["id"]) for d in report["dependencies"] for v in d.get("vulns", [])]
skipped = [d for d in report["dependencies"] if d.get("skip_reason")]
audited = len(report["dependencies"]) - len(skipped)
for name, version, vuln in found:
    print(f"VULNERABLE: {name} {version}: {vuln} (upgrade the pin in requirements.txt)")
print(f"pip-audit: {audited} pinned packages checked, {len(found)} known vulnerabilities.")
if skipped:
    print(f"WARNING: pip-audit could not check {len(skipped)} packages; PyPI's per-release vulnerability data was")
    print("not reachable from here. First: " + skipped[0]["skip_reason"])
sys.exit(1 if found else 0)
