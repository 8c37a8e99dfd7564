from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "portal.submissions"
    label = "submissions"
    verbose_name = "Submissions"

    def ready(self) -> None:
        from portal.delivery import signals as delivery_signals
        from portal.dossiers.signals import application_state_changed
        from portal.submissions import services
        from portal.submissions.inbound import register_inbound_handlers
        from portal.submissions.notifications import on_application_state_changed

        delivery_signals.delivered.connect(services.on_delivered, dispatch_uid="submissions.delivered")
        delivery_signals.delivery_failed.connect(
            services.on_delivery_failed, dispatch_uid="submissions.delivery_failed"
        )
        delivery_signals.resent.connect(services.on_resent, dispatch_uid="submissions.resent")
        application_state_changed.connect(
            on_application_state_changed, dispatch_uid="submissions.notify_applicant_of_delivery"
        )
        register_inbound_handlers()
