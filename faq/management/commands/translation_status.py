"""Which translations are behind their English entry, what is not translated, and what still waits for a medical
translator's check; or, with --stamp, record in translation files that they match the English as it is now."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from faq.content import ContentError, read_tree, source_fingerprint, with_front_matter_line
from faq.kinds import ENGLISH, KINDS, LANGUAGE_NAMES, SPANISH
from faq.management.reporting import write_problems
from faq.translations import states, untranslated

EXIT_BEHIND = 1  # a translation has been behind for longer than the grace period
NAMES = {"faq": "answers", "fact": "facts", "topic": "topics", "site": "site information"}


class Command(BaseCommand):
    help = (
        "Report translations that are behind their English entry (exit 1 when one has been behind for longer than "
        "--grace-days), entries not translated, and translations no medical translator has checked. With --stamp "
        "FILE..., record in those translation files that they match the English files as they are now."
    )

    def add_arguments(self, parser):
        parser.add_argument("--language", default=SPANISH, choices=[c for c in LANGUAGE_NAMES if c != ENGLISH])
        parser.add_argument(
            "--grace-days",
            type=int,
            default=settings.TRANSLATION_GRACE_DAYS,
            help="Days a translation may be behind before the command fails (default: TRANSLATION_GRACE_DAYS, "
            f"{settings.TRANSLATION_GRACE_DAYS}).",
        )
        parser.add_argument(
            "--stamp",
            nargs="+",
            type=Path,
            metavar="FILE",
            help="Translation files you brought up to date with the English: write the English version's "
            "fingerprint into their translated_from line. Load the content afterwards.",
        )
        parser.add_argument("--path", type=Path, default=None, help="The content folder (default: CONTENT_DIR).")

    def handle(self, *args, language, grace_days, stamp=None, path=None, **options):
        if grace_days < 0:
            raise CommandError("--grace-days must be 0 or more.")
        if stamp:
            self.stamp(Path(path or settings.CONTENT_DIR), stamp)
            return
        self.report(language, grace_days)

    # --- the report --------------------------------------------------------------------------------------------

    def report(self, language, grace_days):
        found = states(language=language)
        missing = untranslated(language)
        self.stdout.write(f"Translations into {LANGUAGE_NAMES[language]}:")
        for kind_name, label in NAMES.items():
            done = sum(1 for state in found if state.kind == kind_name)
            self.stdout.write(f"  {label}: {done} translated, {len(missing[kind_name])} not translated")
        behind = sorted((s for s in found if s.behind), key=lambda s: (s.since or timezone.now(), s.kind))
        self.report_behind(behind)
        self.report_unchecked(found)
        self.report_missing(missing)
        late = [state for state in behind if state.days_behind > grace_days]
        if late:
            self.stderr.write(
                self.style.ERROR(
                    f"{len(late)} translation(s) behind the English for more than {grace_days} days: update them, "
                    "then run translation_status --stamp FILE and load the content."
                )
            )
            raise SystemExit(EXIT_BEHIND)

    def report_behind(self, behind):
        self.stdout.write(f"Behind the English: {len(behind)}")
        for state in behind:
            since = timezone.localtime(state.since).date() if state.since else "unknown"
            self.stdout.write(
                f"  {state.kind}  {_where(state.row)}  translates {_where(state.original)}  "
                f"behind since {since} ({state.days_behind} days)"
            )

    def report_missing(self, missing):
        for kind_name, rows in missing.items():
            for row in rows:
                self.stdout.write(f"  not translated: {kind_name} {_where(row)}")

    def report_unchecked(self, found):
        unchecked = [s.row for s in found if s.kind == "faq" and not s.row.translator]
        self.stdout.write(f"Answers no medical translator has checked yet: {len(unchecked)}")
        for row in sorted(unchecked, key=lambda row: row.slug):
            self.stdout.write(f"  {_where(row)}")

    # --- --stamp -----------------------------------------------------------------------------------------------

    def stamp(self, root, files):
        """Write each translation's English fingerprint into its file; nothing is written if any file fails."""
        root = root.absolute()
        try:
            content = read_tree(root)
        except ContentError as exc:
            write_problems(self, exc.problems, "no file was stamped; fix the content first")
            raise SystemExit(2) from None
        # Entries name their files from the content folder's own name (content/es/faqs/...).
        by_path = {(root.parent / entry.path).resolve(): entry for entry in content.entries()}
        writes = []
        for file in files:
            entry = by_path.get(file.resolve())
            if entry is None or entry.language == ENGLISH:
                raise CommandError(f"{file}: not a translation file under {root}; no file was stamped.")
            original = _original(content, entry)
            if original is None:
                raise CommandError(f"{file}: the English {KINDS[entry.kind].label} it translates is missing.")
            target = root.parent / entry.path
            with target.open(encoding="utf-8", newline="") as handle:
                source = handle.read()
            stamped = with_front_matter_line(source, entry.path, "translated_from", source_fingerprint(original))
            writes.append((target, source, stamped, original))
        for target, source, stamped, original in writes:
            if stamped == source:
                self.stdout.write(f"{target}: already matches {original.path}")
                continue
            partial = target.with_name(f".{target.name}.partial")
            with partial.open("w", encoding="utf-8", newline="") as handle:
                handle.write(stamped)
            partial.replace(target)
            self.stdout.write(f"{target}: stamped as translating {original.path} as it is now")


def _original(content, entry):
    english = content.of(entry.kind, ENGLISH)
    if entry.kind == "site":
        return english[0] if english else None
    if entry.kind == "fact":
        return next((e for e in english if e.data["key"] == entry.data["key"]), None)
    return next((e for e in english if e.data["slug"] == entry.data["translation_of"]), None)


def _where(row):
    if row is None:
        return "(no English entry)"
    name = getattr(row, "slug", None) or getattr(row, "key", None) or "site"
    return row.source_path or name
