"""Requests per second for the home page and the sign-in page, against a bare view baseline.

In-process (Django test client), on a throw-away SQLite database, so the figures measure the
portal's own code path; load tests under gunicorn come with the catalogue benchmarks.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["STORAGE_ROOT"] = tempfile.mkdtemp(prefix="psc-bench-")
os.environ.pop("DATABASE_URL", None)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path  # noqa: E402

import portal.urls  # noqa: E402


def bare_view(request):
    return HttpResponse("ok")


urlpatterns = [path("bench-bare/", bare_view), *portal.urls.urlpatterns]


def measure(client: Client, url: str, rounds: int = 300) -> tuple[float, float, float]:
    for _ in range(20):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - start)
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[int(len(samples) * 0.95)]
    return 1 / statistics.mean(samples), p50 * 1000, p95 * 1000


def main() -> None:
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    client = Client()
    with override_settings(ROOT_URLCONF=__name__):
        baseline_rps, base_p50, base_p95 = measure(client, "/bench-bare/")
        print(f"{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'cost vs bare':>14}")
        print(f"{'bare view (baseline)':<22}{baseline_rps:>9.0f}{base_p50:>9.2f}{base_p95:>9.2f}{'1.0x':>14}")
        for label, url in (("home /en/", "/en/"), ("home /fr/", "/fr/"), ("sign-in", "/en/accounts/login/")):
            rps, p50, p95 = measure(client, url)
            print(f"{label:<22}{rps:>9.0f}{p50:>9.2f}{p95:>9.2f}{baseline_rps / rps:>13.1f}x")


if __name__ == "__main__":
    main()
