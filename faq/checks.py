"""System checks: `manage.py check --deploy` fails while content/site.md (or a translation of it, such as
content/es/site.md) still holds the example identity."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register

from .content import ContentError, parse, read_file
from .kinds import ENGLISH, SITE_FILE, TRANSLATION_FOLDERS
from .quality import example_identity_values


@register("content", deploy=True)
def site_identity_is_real(app_configs, **kwargs):
    root = Path(settings.CONTENT_DIR)
    errors = _identity_errors(root, root / SITE_FILE, f"{root.name}/{SITE_FILE}", required=True)
    for language, folder in TRANSLATION_FOLDERS.items():
        path = root / folder / SITE_FILE
        errors += _identity_errors(root, path, f"{root.name}/{folder}/{SITE_FILE}", language=language)
    return errors


def _identity_errors(root, path, shown, *, required=False, language=ENGLISH):
    if not path.exists() and not required:
        return []
    if not path.exists():
        return [
            Error(
                f"{shown} is missing, so the site has no name, phone or address.",
                hint=f"Create {path} (content/README.md describes it), or set CONTENT_DIR to the content folder.",
                id="faq.E001",
            )
        ]
    try:
        site = parse(read_file(root, path, shown), shown, "site", language)
    except ContentError as exc:
        return [
            Error(f"{shown} cannot be read: {problem}", hint="Fix the file, then run this check again.", id="faq.E002")
            for problem in exc.problems
        ]
    return [
        Error(
            f"{shown}:{line}: {field} {message}. Readers would see a made-up {field}.",
            hint=f"Put the program's real {field} in {shown}, run load_content, then deploy.",
            id="faq.E003",
        )
        for field, line, message in example_identity_values(site)
    ]
