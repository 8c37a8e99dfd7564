"""Autosave round trip of a dossier step (issue 5 target: p95 < 100 ms), against a bare view.

In-process (Django test client, full middleware stack, signed-in user), on a throw-away SQLite database
with the demo catalogue: a dossier for two procedures at two authorities, the common step (7 fields)
autosaved with a changing answer each round, so every round writes.
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

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.utils import translation  # noqa: E402

import portal.urls  # noqa: E402

ROUNDS = 300


def bare_view(request):
    return HttpResponse("ok")


urlpatterns = [path("bench-bare/", bare_view), *portal.urls.urlpatterns]

COMMON = {
    "applicant__full_name": "Ana Silva",
    "applicant__birth_date": "1990-04-02",
    "applicant__email": "ana@example.eu",
    "applicant__phone": "+351912345678",
    "applicant__address": "Rua das Flores 12\n4050-262 Porto",
    "business__establishment_country": "PT",
    "business__activity": "Computer programming",
}


def measure(client: Client, url: str, vary: bool) -> tuple[float, float]:
    samples = []
    for round_number in range(20 + ROUNDS):
        data = {**COMMON, "applicant__full_name": f"Ana Silva {round_number}"} if vary else {}
        start = time.perf_counter()
        response = client.post(url, data, HTTP_HX_REQUEST="true")
        elapsed = time.perf_counter() - start
        assert response.status_code == 200, (url, response.status_code)
        if round_number >= 20:
            samples.append(elapsed)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.95)] * 1000


def main() -> None:
    from portal.dossiers.models import Dossier
    from portal.dossiers.services import start_dossier
    from procedures.models import ProcedurePage

    call_command("migrate", verbosity=0)
    call_command("load_demo_catalogue", stdout=open(os.devnull, "w"))  # noqa: SIM115
    user = get_user_model().objects.create_user(email="bench@example.eu")
    pages = ProcedurePage.objects.live().filter(
        locale__language_code="en", slug__in=["business-registration", "vat-registration"]
    )
    dossier = start_dossier(owner=user, procedure_ids=[page.pk for page in pages], language="en")
    client = Client()
    client.force_login(user)
    with override_settings(ROOT_URLCONF=__name__), translation.override("en"):
        url = reverse("dossiers:autosave", args=[dossier.public_id, "common"])
        base_p50, base_p95 = measure(client, "/bench-bare/", vary=False)
        p50, p95 = measure(client, url, vary=True)
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.answers["applicant.full_name"] == f"Ana Silva {20 + ROUNDS - 1}"
    print(f"{'POST, ' + str(ROUNDS) + ' rounds':<28}{'p50 ms':>9}{'p95 ms':>9}{'p95 vs bare':>13}")
    print(f"{'bare view (baseline)':<28}{base_p50:>9.2f}{base_p95:>9.2f}{'1.0x':>13}")
    print(f"{'autosave common step':<28}{p50:>9.2f}{p95:>9.2f}{p95 / base_p95:>12.1f}x")
    print(f"target p95 < 100 ms: {'met' if p95 < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
