"""Start the whole embedded portal: migrate, load demo content, then run web and worker together.

Every process runs in the foreground of this command; Ctrl-C (or SIGTERM) stops them all, and if
one of them dies the others are stopped too, so a half-running portal never pretends to work.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from portal.demo.access_point import DEMO_AUTHORITY_PARTY


def demo_authority_port(address: str) -> int:
    """DEMO_AUTHORITY_PORT, else the web port + 701 (8000 -> 8701), so two demos do not collide."""
    if configured := os.environ.get("DEMO_AUTHORITY_PORT"):
        return int(configured)
    web_port = int(address.rpartition(":")[2])
    return web_port + 701 if web_port + 701 <= 65535 else web_port - 701


def demo_processes(address: str) -> dict[str, list[str]]:
    """The processes of the embedded portal. Later building blocks (the test QTSP, the demo
    authority access point) add theirs here."""
    python = sys.executable
    queues = ",".join(settings.CELERY_QUEUES_BY_BLOCK)
    beat_schedule = str(settings.STORAGE_ROOT / "celery" / "beat-schedule")
    qtsp = urlsplit(settings.SIGNING_TEST_QTSP_URL)
    return {
        # the bundled test QTSP the embedded default signs with (PKI, OCSP, CRL, TSA, CSC API)
        "test-qtsp": [python, "manage.py", "run_test_qtsp", "--host", qtsp.hostname or "127.0.0.1",
                      "--port", str(qtsp.port or 80)],
        "web": [python, "manage.py", "runserver", address, "--noreload"],
        "worker": [
            python, "-m", "celery", "-A", "portal", "worker", "--beat", "--schedule", beat_schedule,
            "-Q", queues, "--concurrency", "2", "--loglevel", "INFO", "--hostname", "demo-worker@%h",
        ],
        "access-point": [
            python, "manage.py", "run_access_point", "--party", DEMO_AUTHORITY_PARTY,
            "--port", str(demo_authority_port(address)),
        ],
    }  # fmt: skip


def _require_free_address(address: str) -> None:
    host, _, port = address.rpartition(":")
    try:
        with socket.socket(socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET) as probe:
            probe.bind((host.strip("[]"), int(port)))
    except ValueError:
        raise CommandError(f"--address {address!r} is not host:port.") from None
    except OSError as error:
        raise CommandError(
            f"Cannot listen on {address}: {error.strerror}. Stop the program using it, or choose another "
            "address with --address 127.0.0.1:8001 (and set PORTAL_BASE_URL to match)."
        ) from None


class Command(BaseCommand):
    help = "Run the embedded portal (web + Celery worker) with demo content."

    def add_arguments(self, parser):
        parser.add_argument("--address", default="127.0.0.1:8000", help="host:port for the web server")
        parser.add_argument("--no-demo", action="store_true", help="skip loading demo content")

    def handle(self, *args, address: str, no_demo: bool, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "rundemo is for the embedded set-up; run gunicorn and celery workers in production."
            )
        _require_free_address(address)
        qtsp = urlsplit(settings.SIGNING_TEST_QTSP_URL)
        try:
            _require_free_address(f"{qtsp.hostname}:{qtsp.port or 80}")
        except CommandError:
            raise CommandError(
                f"The test QTSP cannot listen on {qtsp.netloc}: stop the program using it, or set "
                "SIGNING_TEST_QTSP_URL to a free address (e.g. http://127.0.0.1:8766)."
            ) from None
        settings.STORAGE_ROOT.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("load_demo", authority_port=demo_authority_port(address), stdout=self.stdout)

        children: dict[str, subprocess.Popen] = {}
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for name, command in demo_processes(address).items():
            children[name] = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env)
            self.stdout.write(f"started {name} (pid {children[name].pid})")
        self.stdout.write(self.style.SUCCESS(f"The portal is at http://{address}/  (Ctrl-C stops it)"))

        exit_code = 0
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    self.stderr.write(f"{name} exited with code {child.returncode}; stopping the portal.")
                    exit_code = child.returncode or 1
                    stopping = True
                    break
            time.sleep(0.5)

        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        if exit_code:
            raise CommandError(f"A process of the portal stopped unexpectedly (exit code {exit_code}).")
