"""The beat task runs in a real worker and tacitly approves what is due, recording the system actor."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings

from portal.backoffice import services
from portal.backoffice.tasks import tacit_approvals
from portal.dossiers.models import StateChange
from portal.dossiers.states import ApplicationState as A
from tests.backoffice.conftest import AUTHORITY_A, submitted_application

pytestmark = pytest.mark.worker


def test_beat_schedules_the_tacit_approval_task():
    assert settings.CELERY_BEAT_SCHEDULE["backoffice-tacit-approvals"]["task"] == tacit_approvals.name


def test_the_worker_tacitly_approves_a_due_application(celery_worker, entrepreneur_x):
    due = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.RECEIVED)
    fresh = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.RECEIVED)
    for change in due.state_changes.all():
        StateChange.objects.filter(pk=change.pk).update(at=change.at - datetime.timedelta(days=31))
    services.sync_case(due)

    assert tacit_approvals.delay().get(timeout=60) == [str(due.public_id)]
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert (due.state, fresh.state) == (A.TACITLY_APPROVED, A.RECEIVED)
    assert due.state_changes.get(to_state=A.TACITLY_APPROVED).system_actor == "tacit-approval clock"
    assert tacit_approvals.delay().get(timeout=60) == []
