import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from procedures.cpsv import export_catalogue
from procedures.cpsv_import import CpsvImportError
from procedures.services import import_cpsv


class Command(BaseCommand):
    help = (
        "CPSV-AP 3.2 JSON-LD of the catalogue: `cpsv export [--lang xx] > catalogue.jsonld`, "
        "`cpsv import catalogue.jsonld` (validates the whole file first; imports all of it or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export", "import"])
        parser.add_argument("file", nargs="?", help="import: the JSON-LD file to read ('-' for stdin)")
        parser.add_argument("--lang", choices=[code for code, _name in settings.LANGUAGES])

    def handle(self, *args, **options):
        if options["action"] == "export":
            if options.get("file"):
                raise CommandError("export writes to stdout: `cpsv export > file.jsonld`.")
            document = export_catalogue(options.get("lang"))
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=1))
            return
        if options.get("lang"):
            raise CommandError("--lang is for export; an import takes every language in the file.")
        if not options.get("file"):
            raise CommandError("Give the file to import: `cpsv import catalogue.jsonld`.")
        try:
            report = import_cpsv(self._read(options["file"]))
        except CpsvImportError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Imported: {report}")

    def _read(self, name: str) -> bytes:
        if name == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(name).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}.") from None
