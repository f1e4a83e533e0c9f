from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from faq.content import ContentError, read_tree
from faq.quality import ERROR, check, grade_summary, grades

EXIT_ERRORS = 1


def write_findings(command, findings):
    """Print warnings to stdout and errors to stderr, one `path:line: level: message` each; return the errors."""
    errors = [f for f in findings if f.level == ERROR]
    for finding in findings:
        if finding.level == ERROR:
            command.stderr.write(str(finding))
        else:
            command.stdout.write(command.style.WARNING(str(finding)))
    return errors


class Command(BaseCommand):
    help = (
        "Check content/ for readers: reading level (grade 8 or below), sources, review dates, related FAQs, "
        "links between pages, long sentences and paragraphs. Exits 1 if there is any error."
    )

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="The content folder (default: CONTENT_DIR).")
        parser.add_argument(
            "--grades",
            action="store_true",
            dest="show_grades",
            help="Also print each answer's reading grade, then min, median, max and a histogram.",
        )

    def handle(self, *args, path=None, show_grades=False, **options):
        root = path or settings.CONTENT_DIR
        try:
            content = read_tree(root)
        except ContentError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            self.stderr.write(self.style.ERROR(f"{len(exc.problems)} file problem(s); fix them and run again."))
            raise SystemExit(EXIT_ERRORS) from None

        findings = check(content, today=timezone.localdate())
        errors = write_findings(self, findings)
        if show_grades:
            by_file = grades(content)
            for shown, grade in sorted(by_file.items(), key=lambda item: (item[1], item[0])):
                self.stdout.write(f"{grade:5.1f}  {shown}")
            self.stdout.write(grade_summary(by_file.values()))
        summary = f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s) in {len(content.faqs)} FAQs."
        if errors:
            self.stderr.write(self.style.ERROR(summary))
            raise SystemExit(EXIT_ERRORS)
        self.stdout.write(self.style.SUCCESS(summary))
