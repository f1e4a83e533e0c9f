from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from faq.content import ContentError, read_tree
from faq.kinds import LANGUAGE_NAMES
from faq.management.reporting import write_findings, write_problems
from faq.quality import MEASURES, check, grade_summary, grades

EXIT_ERRORS = 1


class Command(BaseCommand):
    help = (
        "Check content/ for readers: reading level (grade 8 or below by Flesch-Kincaid and Dale-Chall), sources, "
        "reviewer and review dates (an overdue review is an error), related FAQs, links between pages, long "
        "sentences and paragraphs. Exits 1 if there is any error."
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
            write_problems(self, exc.problems, "fix them and run again.")
            raise SystemExit(EXIT_ERRORS) from None

        findings = check(content, today=timezone.localdate())
        errors = write_findings(self, findings)
        if show_grades:
            self.write_grades(content)
        summary = f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s) in {len(content.faqs)} FAQs."
        if errors:
            self.stderr.write(self.style.ERROR(summary))
            raise SystemExit(EXIT_ERRORS)
        self.stdout.write(self.style.SUCCESS(summary))

    def write_grades(self, content):
        """Each answer's reading measure, easiest last, then the spread: per language, each by its own measure."""
        for language in content.languages():
            measure, width = MEASURES[language]
            by_file = grades(content, language)
            self.stdout.write(f"{LANGUAGE_NAMES[language].capitalize()} answers, {measure}:")
            for shown, value in sorted(by_file.items(), key=lambda item: (item[1], item[0])):
                self.stdout.write(f"{value:5.1f}  {shown}")
            self.stdout.write(grade_summary(by_file.values(), width))
