from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "portal.backoffice"
    label = "backoffice"
    verbose_name = "Back-office"

    def ready(self) -> None:
        from portal.backoffice import receivers  # noqa: F401  (connects the receivers)
        from portal.backoffice.selectors import staff_may_view_report
        from portal.signing.selectors import register_report_access_rule

        register_report_access_rule(staff_may_view_report)
