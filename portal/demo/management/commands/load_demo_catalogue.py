from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo.catalogue import ensure_catalogue


class Command(BaseCommand):
    help = (
        "Load the demo procedure catalogue of the fictional Republic of Aurelia in en, fr, de (idempotent)."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo content is never loaded with DJANGO_ENV=production.")
        report = ensure_catalogue()
        created = ", ".join(f"{count} {kind}" for kind, count in report.created.items()) or "nothing new"
        self.stdout.write(f"Procedure catalogue: {created}")
