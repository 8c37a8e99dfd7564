from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "portal.signing"
    label = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from portal.signing import name_speedups, pdf_speedups

        # each replaces one function of a library, only over the exact release it was checked against
        pdf_speedups.install()
        name_speedups.install()
