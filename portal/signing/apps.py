from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "portal.signing"
    label = "signing"
    verbose_name = "Signing"

    def ready(self) -> None:
        from portal.signing import pdf_speedups

        pdf_speedups.install()
