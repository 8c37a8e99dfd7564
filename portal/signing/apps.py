from django.apps import AppConfig
from django.core import checks


class SigningConfig(AppConfig):
    name = "portal.signing"
    label = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from portal.signing import name_speedups, pdf_speedups
        from portal.signing.checks import check_signers

        # each replaces one function of a library, only over the exact release it was checked against
        pdf_speedups.install()
        name_speedups.install()
        checks.register(check_signers)
