import os
import secrets
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.models import AuthorityMembership, AuthorityRole
from portal.demo.access_point import DEMO_AUTHORITY_PARTY, demo_channel, ensure_demo
from portal.demo.catalogue import connect_as4_authorities, ensure_catalogue
from procedures.models import CompetentAuthority
from procedures.services import ensure_home_pages

DEMO_ADMIN_EMAIL = "admin@psc.example.eu"
DEMO_STAFF_PASSWORDS_FILE = "demo-staff-passwords.txt"
# the one back-office authority that also gets a supervisor (the others have a clerk only)
DEMO_SUPERVISED_AUTHORITY = "trade-office"


def demo_staff_email(identifier: str, role: str) -> str:
    return f"{role}.{identifier}@psc.example.eu"


def write_private_file(path: Path, text: str) -> None:
    """Written owner-only from the start (never briefly world-readable), replacing what was there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    os.replace(partial, path)


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
        for email, (authority, role, staff_password) in self._ensure_demo_staff().items():
            self.stdout.write(f"Demo back-office {role} of {authority}: {email} / {staff_password}")

    def _demo_delivery(self, port: int) -> dict:
        """The demo authority access point's keys and the portal's P-Modes (made once), and the
        catalogue's AS4 authorities pointed at it with its real certificate, so a submitted
        dossier is delivered and receipted on this machine."""
        folder = settings.STORAGE_ROOT / "delivery" / "demo"
        ensure_demo(
            folder, DEMO_AUTHORITY_PARTY, port, Path(settings.DELIVERY_PMODES_FILE), settings.PORTAL_BASE_URL
        )
        channel = demo_channel(folder, DEMO_AUTHORITY_PARTY, port)
        connect_as4_authorities(channel)
        return channel

    def _ensure_demo_staff(self) -> dict[str, tuple[str, str, str]]:
        """One clerk per authority whose channel is the portal back-office, and a supervisor for one of
        them: {e-mail: (authority identifier, role, password)}. Passwords are random per installation,
        kept owner-only beside the admin's; the accounts set up an authenticator app on first sign-in
        (members must use MFA), and they are not Django staff."""
        identifiers = sorted(
            set(
                CompetentAuthority.objects.filter(delivery_transport="backoffice").values_list(
                    "identifier", flat=True
                )
            )
        )
        wanted = [(identifier, AuthorityRole.CLERK) for identifier in identifiers]
        if DEMO_SUPERVISED_AUTHORITY in identifiers:
            wanted.append((DEMO_SUPERVISED_AUTHORITY, AuthorityRole.SUPERVISOR))
        password_file = settings.STORAGE_ROOT / DEMO_STAFF_PASSWORDS_FILE
        known: dict[str, str] = {}
        if password_file.exists():
            for line in password_file.read_text().splitlines():
                email, _, password = line.strip().partition(" ")
                if email and password and not email.startswith("#"):
                    known[email] = password.strip()
        user_model = get_user_model()
        accounts: dict[str, tuple[str, str, str]] = {}
        for identifier, role in wanted:
            email = demo_staff_email(identifier, role)
            password = known.get(email) or secrets.token_urlsafe(12)
            user = user_model.objects.filter(email=email).first()
            if user is None:
                user = user_model.objects.create_user(
                    email, password, first_name="Demo", last_name=f"{role.label} ({identifier})"
                )
            elif not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            AuthorityMembership.objects.update_or_create(
                user=user, authority_identifier=identifier, defaults={"role": role}
            )
            accounts[email] = (identifier, str(role), password)
        if accounts and {email: entry[2] for email, entry in accounts.items()} != known:
            lines = [f"{email} {password}" for email, (_, _, password) in accounts.items()]
            write_private_file(
                password_file,
                "# demo back-office staff: e-mail password (load_demo; set up MFA on first sign-in)\n"
                + "\n".join(lines)
                + "\n",
            )
        return accounts

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
        EmailAddress.objects.update_or_create(
            user=admin, email=DEMO_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
        )
        return password
