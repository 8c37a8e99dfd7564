from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from portal.core.models import WorkerHeartbeat


@shared_task(name="core.ping")
def ping(value: str) -> str:
    return f"pong:{value}"


@shared_task(name="core.heartbeat", bind=True)
def heartbeat(self) -> str:
    hostname = self.request.hostname or "unknown"
    WorkerHeartbeat.objects.update_or_create(hostname=hostname, defaults={"seen_at": timezone.now()})
    return hostname


@worker_ready.connect
def _report_on_start(sender, **kwargs) -> None:
    """A worker that just started says so at once, so /healthz need not wait for beat."""
    heartbeat.apply_async(queue="default")


@shared_task(
    name="mail.send",
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=10,
)
def send_email(self, outgoing_id: str) -> str:
    from portal.core.mail import deliver, mark_failed

    try:
        return deliver(outgoing_id).state
    except Exception as error:
        if self.request.retries >= self.max_retries:
            mark_failed(outgoing_id, f"gave up after {self.request.retries + 1} attempts: {error}")
        raise
