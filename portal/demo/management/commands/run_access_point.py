"""Run a demo authority access point: ``manage.py run_access_point --party authority-demo --port 8701``."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.delivery.access_point import FolderAccessPoint, serve
from portal.delivery.pmodes import PModeError, load_file
from portal.demo.access_point import ensure_demo


class Command(BaseCommand):
    help = (
        "Run a stand-alone AS4 access point on 127.0.0.1 that verifies, stores what it receives in a "
        "folder and answers signed receipts (the demo authority). Without --config, demo keys and "
        "P-Modes are generated once under STORAGE_ROOT/delivery/demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--party", required=True, help="the party id this access point answers for")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--config", help="the access point's P-Mode file (default: the demo one)")
        parser.add_argument("--folder", help="where received messages go")

    def handle(self, *args, party: str, port: int, config: str | None, folder: str | None, **options):
        if not 0 < port < 65536:
            raise CommandError("--port must be between 1 and 65535")
        if config is None:
            config = ensure_demo(
                settings.STORAGE_ROOT / "delivery" / "demo",
                party,
                port,
                Path(settings.DELIVERY_PMODES_FILE),
                settings.PORTAL_BASE_URL,
            )
        try:
            configuration = load_file(config)
        except PModeError as error:
            raise CommandError(str(error)) from None
        if configuration.party.id != party:
            raise CommandError(f"{config} is the configuration of {configuration.party}, not of {party}")
        target = Path(folder) if folder else settings.STORAGE_ROOT / "delivery" / "access-points" / party
        try:
            server = serve(FolderAccessPoint(configuration, target), "127.0.0.1", port)
        except OSError as error:
            raise CommandError(f"cannot listen on 127.0.0.1:{port}: {error.strerror}") from None
        self.stdout.write(
            f"AS4 access point of {party} at http://127.0.0.1:{port}/as4, storing into {target}"
        )
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        server.shutdown()
