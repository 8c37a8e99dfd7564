import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from procedures.demo import ensure_home_pages
from procedures.demo_catalogue import ensure_catalogue

DEMO_ADMIN_EMAIL = "admin@psc.example.eu"


class Command(BaseCommand):
    help = "Load the demo content of the embedded set-up (idempotent)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo content is never loaded with DJANGO_ENV=production.")
        pages = ensure_home_pages()
        self.stdout.write(f"Home pages: {', '.join(sorted(pages))}")
        catalogue = ensure_catalogue()
        created = ", ".join(f"{count} {kind}" for kind, count in catalogue.created.items()) or "nothing new"
        self.stdout.write(f"Procedure catalogue: {created}")
        password = self._ensure_demo_admin()
        self.stdout.write(f"Demo administrator: {DEMO_ADMIN_EMAIL} / {password}")

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
