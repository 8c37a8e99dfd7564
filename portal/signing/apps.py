from django.apps import AppConfig
from django.core import checks


class SigningConfig(AppConfig):
    name = "portal.signing"
    label = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from portal.signing import pdf_speedups
        from portal.signing.checks import check_signers

        pdf_speedups.install()
        checks.register(check_signers)
