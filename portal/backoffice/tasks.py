from celery import shared_task


@shared_task(name="backoffice.tacit_approvals")
def tacit_approvals() -> list[str]:
    """Beat: tacitly approve the applications whose tacit-approval time has passed."""
    from portal.backoffice.services import apply_tacit_approvals

    return apply_tacit_approvals()


@shared_task(name="backoffice.tacit_approval_warnings")
def tacit_approval_warnings() -> int:
    """Beat: warn the staff before applications are tacitly approved."""
    from portal.backoffice.services import warn_of_tacit_approvals

    return warn_of_tacit_approvals()
