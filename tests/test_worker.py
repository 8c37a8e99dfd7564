"""Tasks round-trip through a real worker process and the configured broker."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from portal.celery import app
from portal.core.models import WorkerHeartbeat
from portal.core.tasks import heartbeat, ping

pytestmark = pytest.mark.worker


def test_task_round_trips_through_a_real_worker(celery_worker):
    result = ping.delay("psc")
    assert result.get(timeout=30) == "pong:psc"


def test_worker_writes_to_the_test_database(celery_worker):
    # The worker reports itself on start; a second heartbeat proves a task can write too.
    hostname = heartbeat.delay().get(timeout=30)
    assert hostname == celery_worker.hostname
    deadline = time.monotonic() + 10
    while not WorkerHeartbeat.objects.filter(hostname=celery_worker.hostname).exists():
        assert time.monotonic() < deadline, celery_worker.log()
        time.sleep(0.1)


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("signing.sign_pdf", "signing"),
        ("delivery.send", "delivery"),
        ("mail.send", "mail"),
        ("core.ping", "default"),
    ],
)
def test_each_building_block_has_its_own_queue(task_name, queue):
    route = app.amqp.router.route({}, task_name)
    assert route["queue"].name == queue
    assert queue in settings.CELERY_QUEUES_BY_BLOCK
