from celery import shared_task


@shared_task(name="delivery.send")
def send_message(outbox_id: int) -> str:
    """One attempt for an outbox entry (a no-op if it is not due or already being sent)."""
    from portal.delivery.models import OutboxMessage
    from portal.delivery.services import attempt

    try:
        return attempt(outbox_id).state
    except OutboxMessage.DoesNotExist:
        return "missing"  # deleted since it was queued


@shared_task(name="delivery.poll_status")
def poll_status(outbox_id: int) -> str:
    """Ask the access point a message was handed over to (Domibus) for its status."""
    from portal.delivery.models import OutboxMessage
    from portal.delivery.services import poll

    try:
        return poll(outbox_id).state
    except OutboxMessage.DoesNotExist:
        return "missing"


@shared_task(name="delivery.sweep")
def sweep() -> int:
    """Beat: queue due retries and status polls, recover attempts interrupted by a dying worker,
    and fetch what Domibus received for us."""
    from portal.delivery.services import fetch_from_domibus
    from portal.delivery.services import sweep as sweep_due

    return len(sweep_due()) + len(fetch_from_domibus())
