from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template import engines
from django.template.loader import render_to_string

# nginx answers these itself (deploy/nginx/iop.conf.in): the rate-limit page, and the app's own 503 page when the
# app cannot be reached (502, 504). Both use the collected, hashed stylesheet, so run this after collectstatic.
PAGE_429 = settings.BASE_DIR / "deploy" / "errors" / "429.html"


class Command(BaseCommand):
    help = "Write the pages nginx shows when it limits a client (429) or cannot reach the app (502, 504)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, default=None, help="Folder to write to (default: STATIC_ROOT/errors)."
        )

    def handle(self, *args, output=None, **options):
        output = output or Path(settings.STATIC_ROOT) / "errors"
        output.mkdir(parents=True, exist_ok=True)
        pages = {
            "429.html": engines["django"].from_string(PAGE_429.read_text()).render({}),
            "503.html": render_to_string("503.html"),
        }
        for name, html in pages.items():
            partial = output / f".{name}.partial"
            partial.write_text(html, encoding="utf-8")
            partial.chmod(0o644)
            partial.replace(output / name)  # nginx never reads a half-written page
            self.stdout.write(f"wrote {output / name}")
