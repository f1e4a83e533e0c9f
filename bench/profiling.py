"""cProfile the first load of N synthetic files and a search request; write the top 15 by cumulative time.

    .venv/bin/python bench/profiling.py LABEL [N]      # writes bench/profiles/{load,search}-LABEL.txt

Runs with the benchmark's production settings on a fresh SQLite database in bench/work/ (as `make bench` does).
"""

import cProfile
import io
import os
import pstats
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import change_one_file  # noqa: E402
from bench.run import WORK, django_env  # noqa: E402

SEARCHES = 50
SEARCH_PATH = "/search/?q=therapy+sessions"


def summary(profile, title):
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(15)
    print("Project code and database calls only, by cumulative time:", file=out)
    stats.print_stats(r"faq/|iop_site/|execute|fetch", 15)
    print("By own time:", file=out)
    stats.sort_stats("tottime").print_stats(15)
    lines = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    return f"{title}\n\n" + "\n".join(lines) + "\n"


def main():
    label = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    search_only = "--search-only" in sys.argv  # reuse the database a previous run loaded
    env = django_env(f"profile-{size}")
    content = Path(env["CONTENT_DIR"])
    database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    if not search_only:
        prepare(content, database, env, size)
    os.environ.update(env)
    import django

    django.setup()
    profiles = ROOT / "bench" / "profiles"
    profiles.mkdir(exist_ok=True)
    if not search_only:
        profile_load(profiles, label, size)
    profile_search(profiles, label, size)


def prepare(content, database, env, size):
    from bench.generate import generate

    shutil.rmtree(content, ignore_errors=True)
    database.unlink(missing_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    generate(content, size)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def profile_load(profiles, label, size):
    """The first load, then (after one file changed, as `make bench` changes it) the next one."""
    title = f"First load_content of {size:,} synthetic files (bench/generate.py), SQLite, production settings ({label})"
    (profiles / f"load-{label}.txt").write_text(summary(profiled_load(), title))
    change_one_file(Path(os.environ["CONTENT_DIR"]))
    title = f"load_content with 1 file changed among {size:,}, SQLite, production settings ({label})"
    (profiles / f"load-one-changed-{label}.txt").write_text(summary(profiled_load(), title))


def profiled_load():
    from django.core.management import call_command

    profile = cProfile.Profile()
    out = io.StringIO()
    try:
        profile.runcall(call_command, "load_content", stdout=out, stderr=out)
    except SystemExit:
        raise SystemExit("load_content failed:\n" + out.getvalue()[-3000:]) from None
    return profile


def profile_search(profiles, label, size):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    client.get(SEARCH_PATH, secure=True)  # warm up
    profile = cProfile.Profile()
    for _ in range(SEARCHES):
        profile.runcall(client.get, SEARCH_PATH, secure=True)
    title = f"{SEARCHES} requests for {SEARCH_PATH} over {size:,} FAQs, SQLite, production settings ({label})"
    (profiles / f"search-{label}.txt").write_text(summary(profile, title))
    print((profiles / f"search-{label}.txt").read_text())


if __name__ == "__main__":
    main()
