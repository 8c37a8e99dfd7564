"""The demo catalogue under gunicorn (2 sync workers) on 127.0.0.1, driven by a threaded load
generator: requests/s, p50 and p95 of an anonymous procedure page and a finder checklist, against
the home page (a Wagtail page with no catalogue queries) measured the same way in the same run.

Target (issue 3): procedure page p95 < 50 ms. Run twice: as deployed (public pages kept whole for
visitors without a session, `PORTAL_PAGE_CACHE_SECONDS`), then with that cache off, so the cost of
rendering stays visible.

    DJANGO_SETTINGS_MODULE=tests.settings .venv/bin/python bench/bench_catalogue_http.py [--seconds 10] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["STORAGE_ROOT"] = tempfile.mkdtemp(prefix="psc-bench-http-")
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

TARGETS = [
    ("home /en/ (baseline)", "/en/"),
    ("procedure page /en/", "/en/procedures/craft-authorisation/"),
    ("procedure page /fr/", "/fr/procedures/craft-authorisation/"),
    (
        "finder checklist /fr/",
        "/fr/finder/checklist/?activity=96.02&provision=establishment&country=PT&legal_form=sole_trader&employees=0",
    ),
    ("activity type-ahead", "/en/finder/activities/?q=hair"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str) -> int:
    # gunicorn's sync workers close the connection after each response: one connection per request
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Accept-Language": "en"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def wait_until_serving(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            if get(port, "/en/") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer in time")


def load(port: int, path: str, seconds: float, concurrency: int) -> tuple[float, float, float, int]:
    for _ in range(10):  # warm both workers
        assert get(port, path) == 200, path
    samples: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker() -> None:
        mine = []
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            status = get(port, path)
            mine.append(time.perf_counter() - start)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            samples.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    samples.sort()
    p50 = samples[len(samples) // 2] * 1000
    p95 = samples[int(len(samples) * 0.95)] * 1000
    return len(samples) / elapsed, p50, p95, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=4)
    options = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_demo_catalogue", stdout=open(os.devnull, "w"))  # noqa: SIM115
    for title, cache_seconds in (("page cache on (as deployed)", "300"), ("page cache off", "0")):
        run_server(title, cache_seconds, options)


def run_server(title: str, cache_seconds: str, options: argparse.Namespace) -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, "PORTAL_PAGE_CACHE_SECONDS": cache_seconds},
    )  # fmt: skip
    try:
        wait_until_serving(port, process)
        print(
            f"\n{title}: gunicorn 2 workers on 127.0.0.1:{port}, {options.concurrency} client threads,"
            f" {options.seconds:.0f} s each"
        )
        print(f"{'target':<26}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p95 vs home':>13}{'errors':>8}")
        baseline_p95 = None
        for label, path in TARGETS:
            rate, p50, p95, errors = load(port, path, options.seconds, options.concurrency)
            baseline_p95 = baseline_p95 or p95
            print(f"{label:<26}{rate:>8.0f}{p50:>9.1f}{p95:>9.1f}{p95 / baseline_p95:>12.1f}x{errors:>8}")
    finally:
        process.terminate()
        process.wait(timeout=30)


if __name__ == "__main__":
    main()
