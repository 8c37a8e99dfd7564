"""Ana submits her signed dossier and watches its delivery, in Chromium, with axe on every page."""

from __future__ import annotations

import re

import pytest

from portal.submissions import services as submission
from portal.submissions import tasks
from tests.fixtures.browser import assert_accessible
from tests.submissions.submission_helpers import signed_dossier

from .test_browser_dossier import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_submit_and_follow_the_delivery_live(qtsp_signer, page, live_server, user, procedures, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks.build_package_task, "delay", lambda pk: queued.append(pk))
    dossier = signed_dossier(user, procedures, ["business-registration"])
    [application] = dossier.applications.all()
    sign_in(page, live_server, user)

    page.goto(f"{live_server.url}/en/dossiers/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("^Submit")).click()
    page.wait_for_url(re.compile(r"/submit/$"))
    assert "to the authority's inbox on this portal" in page.locator("main").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Submit to the authorities").click()
    page.wait_for_url(re.compile(r"/delivery/$"))
    status = page.locator("#submission-status")
    assert "Preparing and sealing the package" in status.inner_text()
    assert queued == [application.pk]
    assert_accessible(page)

    # the pipeline runs (here, in this process); the page updates itself through htmx polling
    submission.build_package(application.pk)
    submission.dispatch_package(application.pk)
    page.wait_for_function(
        "document.getElementById('submission-status').textContent.includes('Delivered to the portal back-office on')",
        timeout=20_000,
    )
    assert page.locator("#submission-status").get_attribute("hx-trigger") is None  # polling stopped
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^receipt ")).click()
    assert download.value.suggested_filename == f"receipt-{application.public_id}.json"

    # the dashboard (server-rendered, no script needed) says the same
    page.goto(f"{live_server.url}/en/dossiers/")
    assert "Delivered to the portal back-office on" in page.locator("main").inner_text()
    assert_accessible(page)
