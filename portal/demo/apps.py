from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "portal.demo"
    label = "demo"
    verbose_name = "Demo"

    def ready(self) -> None:
        from portal.demo import seal, signers  # noqa: F401  (registers the test QTSP's signer and e-seal)
