from celery import shared_task


@shared_task(name="backoffice.tacit_approvals")
def tacit_approvals() -> list[str]:
    """Beat: tacitly approve the applications whose tacit-approval time has passed."""
    from portal.backoffice.services import apply_tacit_approvals

    return apply_tacit_approvals()
