"""`make mutation`: mutmut over the sanitiser, the content parser and the sync decisions, each against its own tests.

    .venv/bin/python tools/mutation.py run [MODULE ...]      mutate and test (all modules, or those named)
    .venv/bin/python tools/mutation.py report [MODULE ...]   per module: total, killed, survived, timeout, killed %
    .venv/bin/python tools/mutation.py mutmut MODULE ARGS    mutmut's own commands there: results, show NAME, browse

The modules, their files, their tests and (for the sync decisions) which functions count are in pyproject.toml
under [tool.iop-mutation]; [tool.mutmut] holds what they share. mutmut reads one configuration per folder, so each
module runs in its own folder, mutants/MODULE/, which links to the project's files: its results stay apart.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "mutants"
# Every top-level entry mutmut's copy of the project needs; the results stay in each folder's own mutants/.
LINKED = (
    "faq",
    "iop_site",
    "templates",
    "locale",
    "static",
    "public",
    "content",
    "tests",
    "manage.py",
    "pyproject.toml",
)


def settings():
    """{module: its table} from pyproject.toml, each with only_mutate, tests and mutants (name patterns)."""
    tables = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["iop-mutation"]
    return {name: {"mutants": ["*"], **table} for name, table in tables.items()}


def folder_for(module):
    """mutants/MODULE/, linking to the project, as the folder mutmut runs in."""
    folder = WORK / module
    folder.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = folder / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    return folder


def configure(module, table):
    """mutmut's configuration for one module: the shared [tool.mutmut] with this module's files and tests."""
    from mutmut import configuration

    base = configuration._load_config()  # reads ./pyproject.toml, the link to the project's
    configuration._config = dataclasses.replace(
        base,
        only_mutate=table["only_mutate"],
        pytest_add_cli_args=base.pytest_add_cli_args + table.get("pytest_args", []),
        pytest_add_cli_args_test_selection=table["tests"],
    )


def run_one(module, extra=()):
    """In this process: mutmut's command line for one module (`run` limited to the module's mutants)."""
    table = settings()[module]
    os.chdir(folder_for(module))
    # Parallel workers each make a test database: SQLite in memory never collides; a shared PostgreSQL would.
    os.environ.pop("DATABASE_URL", None)
    configure(module, table)
    from mutmut.__main__ import cli

    arguments = list(extra) or ["run", *([] if table["mutants"] == ["*"] else table["mutants"])]
    cli.main(arguments, prog_name="mutmut", standalone_mode=True)


def counts(module, table):
    """{status: number} for the module's mutants, from mutmut's result files."""
    from mutmut.stats import status_by_exit_code

    found = {}
    for path in table["only_mutate"]:
        meta = WORK / module / "mutants" / (path + ".meta")
        if not meta.exists():
            continue
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in table["mutants"]):
                status = status_by_exit_code[code]
                found[status] = found.get(status, 0) + 1
    return found


def report(modules):
    columns = ("total", "killed", "survived", "timeout", "no tests", "other", "killed %")
    print(f"{'module':<10}" + "".join(f"{c:>10}" for c in columns))
    tables = settings()
    for module in modules:
        found = counts(module, tables[module])
        total = sum(found.values())
        known = ("killed", "survived", "timeout", "no tests")
        other = total - sum(found.get(status, 0) for status in known)
        share = f"{100 * found.get('killed', 0) / total:.1f}" if total else "-"
        row = [total, *(found.get(status, 0) for status in known), other, share]
        print(f"{module:<10}" + "".join(f"{value:>10}" for value in row))


def main(argv):
    command, *rest = argv or ["run"]
    tables = settings()
    if command == "mutmut":
        run_one(rest[0], rest[1:])
        return 0
    modules = rest or list(tables)
    unknown = [m for m in modules if m not in tables]
    if unknown:
        print(f"unknown module {', '.join(unknown)}; the modules are: {', '.join(tables)}", file=sys.stderr)
        return 2
    if command == "run":
        for module in modules:
            print(
                f"== {module}: {', '.join(tables[module]['only_mutate'])} against {', '.join(tables[module]['tests'])}"
            )
            # One process per module: mutmut keeps its configuration and state in module globals.
            subprocess.run([sys.executable, __file__, "mutmut", module], check=True)
    elif command != "report":
        print(__doc__, file=sys.stderr)
        return 2
    report(modules)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
