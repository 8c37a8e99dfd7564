"""Settings for the test suite: the portal's own settings with DJANGO_ENV=test.

Services come from the same environment variables as everywhere else (CI points DATABASE_URL at
PostgreSQL and CELERY_BROKER_URL at Redis); the defaults are the embedded ones.
"""

import os

os.environ.setdefault("DJANGO_ENV", "test")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made next to it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from portal.settings import *  # noqa: F403
