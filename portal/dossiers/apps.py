from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "portal.dossiers"
    label = "dossiers"
    verbose_name = "Dossiers"

    def ready(self) -> None:
        from portal.accounts.services import register_deletion_blocker
        from portal.dossiers.services import dossiers_in_progress

        register_deletion_blocker(dossiers_in_progress)

        from portal.dossiers.signature import on_signing_finished, owner_may_view_report
        from portal.signing.selectors import register_report_access_rule
        from portal.signing.signals import signing_finished

        signing_finished.connect(on_signing_finished, dispatch_uid="dossiers-signing-finished")
        register_report_access_rule(owner_may_view_report)
