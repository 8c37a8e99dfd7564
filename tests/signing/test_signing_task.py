"""The signing Celery tasks: their queue, and a consent return that belongs to no batch. The worker
signing a batch after one consent: test_signing_batch.py."""

from __future__ import annotations

import pytest

from portal.signing.services import UnknownConsent, batch_consent_returned
from portal.signing.tasks import sign_batch_task, sign_pdf_task


def test_task_is_routed_to_the_signing_queue(settings):
    route = settings.CELERY_TASK_ROUTES["signing.*"]
    assert sign_pdf_task.name == "signing.sign_pdf" and route == {"queue": "signing"}
    assert sign_batch_task.name == "signing.sign_batch"


@pytest.mark.django_db
def test_a_return_for_no_batch_is_refused():
    with pytest.raises(UnknownConsent):
        batch_consent_returned("made-up-state", code="x")
    with pytest.raises(UnknownConsent):
        batch_consent_returned("", code="x")
