"""The test harness: real services, a real Celery worker, a real browser.

Nothing here is skipped for a missing service when PORTAL_REQUIRE_SERVICES=1 (CI): the run fails.
"""

from __future__ import annotations

import os
import sys

import pytest
from django.conf import settings

pytest_plugins = ["tests.fixtures.worker", "tests.fixtures.browser"]


def _services_line() -> str:
    database = settings.DATABASES["default"]
    vendor = database["ENGINE"].rsplit(".", 1)[-1]
    where = database.get("HOST") or database.get("NAME")
    broker = settings.CELERY_BROKER_URL.split("@")[-1]
    return f"database: {vendor} ({where}); celery broker: {broker}; cache: {settings.CACHES['default']['BACKEND']}"


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [_services_line()]


def pytest_configure(config: pytest.Config) -> None:
    # Printed in CI logs before anything runs, so a reader sees which services the run used.
    print(f"\n[services] {_services_line()}", file=sys.stderr)
    if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(
                f"PORTAL_REQUIRE_SERVICES=1 but the database is {engine}, not PostgreSQL."
            )
        if not settings.CELERY_BROKER_URL.startswith(("redis://", "amqp://", "pyamqp://")):
            raise pytest.UsageError(
                f"PORTAL_REQUIRE_SERVICES=1 but the broker is {settings.CELERY_BROKER_URL}, not Redis/RabbitMQ."
            )


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Pages an earlier test stored describe rows its rollback removed (and no signal said so)."""
    from django.core.cache import cache

    from portal.core import page_cache

    cache.delete(page_cache.GENERATION_KEY)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in French leaves French active in the
    thread, and a later test reading "the active language" would get it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo_site(db):
    """The demo home pages in every language (locales, root page and default site included)."""
    from procedures.services import ensure_home_pages

    return ensure_home_pages()
