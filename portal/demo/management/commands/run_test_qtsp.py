"""``manage.py run_test_qtsp [--host 127.0.0.1] [--port 8765]``: serve the bundled test QTSP.

Generates the test PKI into STORAGE_ROOT on first use (keys never leave it), then serves the PKI
(CA certificates, CRL, OCSP, TSA) and the CSC v2 signing API with its OAuth2 consent step until
stopped. For the embedded set-up and the tests only: it refuses to run in production.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo.qtsp import pki as test_pki
from portal.demo.qtsp.server import make_test_qtsp_server


class Command(BaseCommand):
    help = "Serve the test QTSP (test PKI, OCSP, CRL, TSA, CSC v2 API) on 127.0.0.1."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)

    def handle(self, *args, host: str, port: int, **options) -> None:
        if settings.PRODUCTION:
            raise CommandError("The test QTSP is for the embedded set-up and tests, never production.")
        logging.getLogger("portal.demo.qtsp").setLevel(logging.WARNING)
        url = f"http://{host}:{port}"
        pki = test_pki.load_or_generate(settings.STORAGE_ROOT, url)
        try:
            server = make_test_qtsp_server(pki, host, port)
        except OSError as error:
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}") from None
        self.stdout.write(f"test QTSP serving {url} (PKI in {pki.folder})", ending="\n")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
