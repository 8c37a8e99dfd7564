"""Read-only checks of the portal's moving parts, for the health endpoint and operators."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

from portal.core.models import WorkerHeartbeat

HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        return Check("database", False, f"{type(error).__name__}: {error}")
    return Check("database", True, connection.vendor)


def check_cache() -> Check:
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception as error:
        return Check("cache", False, f"{type(error).__name__}: {error}")
    return Check("cache", ok, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])


def check_private_storage() -> Check:
    storage = storages["private"]
    try:
        name = storage.save(f"healthz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        storage.delete(name)
    except Exception as error:
        return Check("storage", False, f"{type(error).__name__}: {error}")
    return Check("storage", True, type(storage).__name__)


def check_broker() -> Check:
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as error:
        return Check("broker", False, f"{type(error).__name__}: {error}")
    return Check("broker", True, str(transport))


def check_workers() -> Check:
    latest = WorkerHeartbeat.objects.first()
    if latest is None:
        return Check("workers", False, "no worker has reported yet")
    age = timezone.now() - latest.seen_at
    return Check("workers", age <= HEARTBEAT_STALE_AFTER, f"last heartbeat {int(age.total_seconds())} s ago")


def health_checks() -> list[Check]:
    return [check_database(), check_cache(), check_private_storage(), check_broker(), check_workers()]
