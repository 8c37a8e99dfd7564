"""Trust maintenance: the stored EU lists served over HTTP on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import io
import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from portal.signing import trust_store
from portal.signing.tasks import refresh_trusted_lists_task
from portal.signing.trust import ListStatus
from portal.signing.trust_store import default_trust, load_state, refresh_trusted_lists, trust_status

from .pki import VECTORS

LISTS = VECTORS / "trusted-lists"
FRESH_AT = datetime(2026, 7, 1, tzinfo=UTC)  # before the stored LOTL's NextUpdate (2026-11-18)


class ListServer:
    """A mirror: ``/<host>/<path>`` of each list's real URL, with a log of what was asked."""

    def __init__(self) -> None:
        self.routes = {
            "/ec.europa.eu/tools/lotl/eu-lotl.xml": (LISTS / "eu-lotl.xml").read_bytes(),
            "/tsl.belgium.be/tsl-be-v6.xml": (LISTS / "tsl-be-v6.xml").read_bytes(),
            "/sr.riik.ee/tsl/estonian-tsl.xml": (LISTS / "tsl-ee.xml").read_bytes(),
        }
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append(self.path)
                body = server.routes.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/xml")
                self.end_headers()
                self.wfile.write(body if body is not None else b"not here")

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def list_server(settings, tmp_path):
    server = ListServer()
    settings.STORAGES = {**django_settings.STORAGES, "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "private")},
    }}  # fmt: skip
    settings.SIGNING_LOTL_URL = "https://ec.europa.eu/tools/lotl/eu-lotl.xml"
    settings.SIGNING_TRUSTED_LIST_MIRROR = server.url
    settings.SIGNING_TRUSTED_LIST_TERRITORIES = ["BE", "EE", "FR"]  # FR is not served: a failure
    trust_store.invalidate_default_trust()
    yield server
    server.stop()
    trust_store.invalidate_default_trust()


def _entries() -> dict:
    return {entry.territory: entry for entry in load_state()[1].lists.values()}


def test_refresh_fetches_checks_and_caches_the_lists_the_lotl_points_to(list_server):
    result = refresh_trusted_lists(at=FRESH_AT)
    assert sorted(result.refreshed) == ["BE", "EE", "EU"]
    assert set(result.failed) == {"FR"} and "HTTP 404" in result.failed["FR"]
    # everything went to the local mirror, under the URLs the LOTL announces
    assert sorted(set(list_server.requests)) == [
        "/ec.europa.eu/tools/lotl/eu-lotl.xml",
        "/messervices.cyber.gouv.fr/visas/tl-fr_v6.xml",
        "/sr.riik.ee/tsl/estonian-tsl.xml",
        "/tsl.belgium.be/tsl-be-v6.xml",
    ]
    entries = _entries()
    assert entries["EU"].status == "accepted" and entries["BE"].status == "accepted"
    assert entries["EE"].status == "stale"  # well signed, past its NextUpdate (2025-12-12): kept, flagged
    assert entries["FR"].content_name == "" and "HTTP 404" in entries["FR"].last_error
    assert trust_store.read_cached(entries["BE"]) == list_server.routes["/tsl.belgium.be/tsl-be-v6.xml"]

    status = {entry["territory"]: entry for entry in trust_status()["lists"]}
    assert status["FR"]["last_error"] and not status["FR"]["has_copy"]
    assert status["EE"]["stale"] is True and status["BE"]["stale"] is False


def test_validation_trusts_the_cached_lists_and_reports_staleness_and_failures(list_server):
    refresh_trusted_lists(at=FRESH_AT)
    trust = default_trust()  # built now (2026-11-26 or later): the stored LOTL is past its NextUpdate
    used = {info.name: info.status for info in trust.lists}
    assert used["LOTL"] is ListStatus.STALE and used["trusted list BE"] is ListStatus.ACCEPTED
    assert trust.registry.known_certificate_authorities, "the BE list's CA services are trust anchors"
    warnings = trust.warnings
    assert any(w.startswith("LOTL used although stale: NextUpdate") for w in warnings), warnings
    assert any(w.startswith("trusted list EE used although stale") for w in warnings), warnings
    assert any(w.startswith("trusted list FR: the refresh at") and "no copy is cached" in w for w in warnings)

    from portal.signing.validation import validate

    report = validate((VECTORS / "pades" / "doc-firmado-T.pdf").read_bytes(), "doc.pdf")
    assert any("LOTL used although stale" in w for w in report.warnings)


def test_a_list_that_no_longer_verifies_keeps_the_last_good_copy(list_server):
    refresh_trusted_lists(at=FRESH_AT)
    good = _entries()["BE"]
    altered = list_server.routes["/tsl.belgium.be/tsl-be-v6.xml"].replace(b"Belgium", b"Belgiun", 1)
    assert altered != list_server.routes["/tsl.belgium.be/tsl-be-v6.xml"]
    list_server.routes["/tsl.belgium.be/tsl-be-v6.xml"] = altered

    result = refresh_trusted_lists(at=FRESH_AT)
    assert "BE" in result.failed and "signature not valid" in result.failed["BE"]
    be = _entries()["BE"]
    assert (be.sha256, be.fetched_at) == (good.sha256, good.fetched_at) and be.last_error
    trust = default_trust()
    assert {info.name: info.status for info in trust.lists}["trusted list BE"] is ListStatus.ACCEPTED
    assert any(w.startswith("trusted list BE: the refresh at") and "is used" in w for w in trust.warnings)


def test_an_unreachable_source_keeps_every_copy(list_server):
    refresh_trusted_lists(at=FRESH_AT)
    before = {territory: entry.sha256 for territory, entry in _entries().items()}
    list_server.stop()
    result = refresh_trusted_lists(at=FRESH_AT)
    assert result.refreshed == [] and "EU" in result.failed and "cannot be fetched" in result.failed["EU"]
    assert {territory: entry.sha256 for territory, entry in _entries().items()} == before
    assert {info.name: info.status for info in default_trust().lists}[
        "trusted list BE"
    ] is ListStatus.ACCEPTED


def test_a_forged_lotl_is_refused(list_server):
    list_server.routes["/ec.europa.eu/tools/lotl/eu-lotl.xml"] = (
        LISTS / "dss-eu-lotl-broken-sig.xml"
    ).read_bytes()
    result = refresh_trusted_lists(at=FRESH_AT)
    assert "EU" in result.failed and _entries()["EU"].content_name == ""
    assert not default_trust().registry.known_certificate_authorities


def test_beat_runs_the_refresh_task_and_the_cli_shows_it(list_server):
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert any(entry["task"] == "signing.refresh_trusted_lists" for entry in schedule.values())
    outcome = refresh_trusted_lists_task.apply().get()
    assert "BE" in outcome["refreshed"] and "FR" in outcome["failed"]

    out = io.StringIO()
    call_command("signing", "trust-status", "--json", stdout=out)
    status = json.loads(out.getvalue())
    assert status["lotl_url"] == "https://ec.europa.eu/tools/lotl/eu-lotl.xml"
    assert {entry["territory"] for entry in status["lists"]} == {"EU", "BE", "EE", "FR"}

    with pytest.raises(SystemExit) as exit_info:
        call_command("signing", "refresh-trust", "--json", stdout=(out := io.StringIO()))
    assert exit_info.value.code == 1  # FR failed
    assert json.loads(out.getvalue())["failed"].keys() == {"FR"}
