from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "portal.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"

    def ready(self) -> None:
        from portal.accounts.services import register_deletion_blocker
        from portal.dossiers.services import dossiers_in_progress

        register_deletion_blocker(dossiers_in_progress)

        from portal.dossiers.submission import connect_signals

        connect_signals()
