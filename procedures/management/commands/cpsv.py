import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from procedures.cpsv import export_catalogue


class Command(BaseCommand):
    help = "CPSV-AP 3.2 JSON-LD of the live catalogue: `cpsv export [--lang xx] > catalogue.jsonld`."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["export"])
        parser.add_argument("--lang", choices=[code for code, _name in settings.LANGUAGES])

    def handle(self, *args, **options):
        if options["action"] != "export":
            raise CommandError("Only 'export' exists so far.")
        document = export_catalogue(options.get("lang"))
        self.stdout.write(json.dumps(document, ensure_ascii=False, indent=1))
