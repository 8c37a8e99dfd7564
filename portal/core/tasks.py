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
