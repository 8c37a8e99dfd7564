import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.core.management.commands.rundemo import DEMO_AUTHORITY_PARTY
from procedures.demo import ensure_home_pages
from procedures.demo_catalogue import ensure_catalogue

DEMO_ADMIN_EMAIL = "admin@psc.example.eu"


class Command(BaseCommand):
    help = "Load the demo content of the embedded set-up (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--authority-port",
            type=int,
            default=None,
            help="port of the demo authority access point the AS4 authorities deliver to "
            "(default: DEMO_AUTHORITY_PORT, else 8701; rundemo passes its own)",
        )

    def handle(self, *args, authority_port: int | None = None, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo content is never loaded with DJANGO_ENV=production.")
        pages = ensure_home_pages()
        self.stdout.write(f"Home pages: {', '.join(sorted(pages))}")
        catalogue = ensure_catalogue()
        created = ", ".join(f"{count} {kind}" for kind, count in catalogue.created.items()) or "nothing new"
        self.stdout.write(f"Procedure catalogue: {created}")
        port = authority_port or int(os.environ.get("DEMO_AUTHORITY_PORT") or 8701)
        channel = self._demo_delivery(port)
        self.stdout.write(f"AS4 authorities deliver to the demo access point at {channel['endpoint_url']}")
        password = self._ensure_demo_admin()
        self.stdout.write(f"Demo administrator: {DEMO_ADMIN_EMAIL} / {password}")

    def _demo_delivery(self, port: int) -> dict:
        """The demo authority access point's keys and the portal's P-Modes (made once), and the
        catalogue's AS4 authorities pointed at it with its real certificate, so a submitted
        dossier is delivered and receipted on this machine."""
        from portal.delivery.demo import demo_channel, ensure_demo
        from procedures.demo_catalogue import connect_as4_authorities

        folder = settings.STORAGE_ROOT / "delivery" / "demo"
        ensure_demo(
            folder, DEMO_AUTHORITY_PARTY, port, Path(settings.DELIVERY_PMODES_FILE), settings.PORTAL_BASE_URL
        )
        channel = demo_channel(folder, DEMO_AUTHORITY_PARTY, port)
        connect_as4_authorities(channel)
        return channel

    def _ensure_demo_admin(self) -> str:
        """The password is random per installation and kept beside the database, never in the repo."""
        password_file = settings.STORAGE_ROOT / "demo-admin-password.txt"
        password_file.parent.mkdir(parents=True, exist_ok=True)
        if password_file.exists():
            password = password_file.read_text().strip()
        else:
            password = secrets.token_urlsafe(12)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        user_model = get_user_model()
        admin = user_model.objects.filter(email=DEMO_ADMIN_EMAIL).first()
        if admin is None:
            admin = user_model.objects.create_superuser(
                DEMO_ADMIN_EMAIL, password, first_name="Demo", last_name="Admin"
            )
        elif not admin.check_password(password):
            admin.set_password(password)
            admin.save(update_fields=["password"])
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=admin, email=DEMO_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
        )
        return password
