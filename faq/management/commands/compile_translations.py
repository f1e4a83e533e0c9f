"""Compile the interface translations (locale/<language>/LC_MESSAGES/django.po) to the .mo files Django reads.

Babel does the work, so no GNU gettext is needed. A translation file that is not complete and correct stops the
command and nothing is written for it: an entry without a translation, one marked fuzzy (a guess from an earlier
version), or one whose placeholders (%(name)s) differ from the English would show readers English or broken text.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def problems(catalog, path):
    """What is wrong with a catalog, as `path:line: message` lines."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        where = f"{path}:{message.lineno}"
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            found.append(f"{where}: marked fuzzy; check the translation and remove the fuzzy flag")
        elif not all(strings):
            found.append(f"{where}: no translation for {_first(message.id)!r}")
        for error in message.check(catalog):
            found.append(f"{where}: {error}")
    return found


def _first(message_id):
    return message_id[0] if isinstance(message_id, (list, tuple)) else message_id


class Command(BaseCommand):
    help = "Compile locale/*/LC_MESSAGES/django.po to .mo; stop at an untranslated, fuzzy or mismatched entry."

    def handle(self, *args, **options):
        sources = sorted(po for folder in settings.LOCALE_PATHS for po in Path(folder).glob("*/LC_MESSAGES/*.po"))
        if not sources:
            raise CommandError(f"No translation files under {', '.join(map(str, settings.LOCALE_PATHS))}.")
        compiled = {}
        for path in sources:
            shown = path.relative_to(settings.BASE_DIR) if path.is_relative_to(settings.BASE_DIR) else path
            try:
                with path.open("rb") as handle:
                    catalog = read_po(handle, abort_invalid=True)
            except (PoFileError, ValueError) as exc:
                raise CommandError(f"{shown}: cannot be read: {exc}") from None
            found = problems(catalog, shown)
            if found:
                raise CommandError("\n".join([*found, f"{shown}: fix these, then run compile_translations again."]))
            compiled[path.with_suffix(".mo")] = catalog
        for target, catalog in compiled.items():
            partial = target.with_name(f".{target.name}.partial")
            with partial.open("wb") as handle:
                write_mo(handle, catalog)
            partial.replace(target)
            self.stdout.write(f"compiled {target.relative_to(settings.BASE_DIR)} ({len(catalog)} messages)")
