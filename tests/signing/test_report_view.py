"""The validation report as HTML (users and authorities) and as JSON, only for whoever may see it."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import get_user_model
from lxml import html

from portal.signing import selectors
from portal.signing.report import Indication
from portal.signing.services import validate_and_store

from .pki import VECTORS


def _user(email: str, **fields):
    return get_user_model().objects.create_user(email=email, password="a-long-password-1", **fields)


@pytest.fixture
def stored(db):
    uploader = _user("ana@example.pt")
    data = (VECTORS / "asice" / "onefile-too-much-files.asice").read_bytes()
    report, stored = validate_and_store(data, "dossier.asice", uploaded_by=uploader)
    assert report.indication is Indication.INDETERMINATE  # untrusted root, one file not covered
    return uploader, stored


def test_the_uploader_sees_the_report_as_an_accessible_table(client, stored):
    uploader, report = stored
    client.force_login(uploader)
    answer = client.get(f"/en/signing/reports/{report.pk}/")
    assert answer.status_code == 200
    page = html.fromstring(answer.content)
    assert page.xpath("string(//h1)") == "Signature validation report"
    status = page.xpath("string(//*[@role='status'])")
    assert "Result: Could not be confirmed" in status and "INDETERMINATE" in status  # text, not colour
    headers = page.xpath("//table/thead/tr/th")
    assert [th.get("scope") for th in headers] == ["col"] * 6
    assert [th.text_content() for th in headers][:2] == ["Signer", "Result"]
    [row] = page.xpath("//table/tbody/tr")
    assert row.xpath("th/@scope") == ["row"]
    assert "NO_CERTIFICATE_CHAIN_FOUND" in row.text_content()
    assert "does not lead to a trusted authority" in row.text_content()
    assert "cef-portal-esig.png" in page.xpath(
        "string(//h2[.='Files not covered by any valid signature']/following-sibling::ul[1])"
    )


@pytest.mark.parametrize(
    ("language", "title", "result"),
    [
        ("fr", "Rapport de validation de signature", "Non confirmé"),
        ("de", "Bericht zur Signaturprüfung", "Nicht bestätigt"),
    ],
)
def test_the_report_is_translated(client, stored, language, title, result):
    uploader, report = stored
    client.force_login(uploader)
    page = html.fromstring(client.get(f"/{language}/signing/reports/{report.pk}/").content)
    assert page.xpath("string(//html/@lang)") == language
    assert page.xpath("string(//h1)") == title
    assert result in page.xpath("string(//*[@role='status'])")


def test_json_export_is_the_same_report(client, stored):
    uploader, report = stored
    client.force_login(uploader)
    answer = client.get(f"/en/signing/reports/{report.pk}/report.json")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    assert "attachment" in answer["Content-Disposition"]
    exported = json.loads(answer.content)
    assert {key: exported[key] for key in report.report} == report.report
    assert exported["sha256"] == report.sha256 and exported["filename"] == "dossier.asice"


def test_others_get_nothing_staff_and_registered_rules_get_the_report(client, stored):
    _, report = stored
    for url in (f"/en/signing/reports/{report.pk}/", f"/en/signing/reports/{report.pk}/report.json"):
        assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    stranger = _user("eve@example.org")
    client.force_login(stranger)
    assert client.get(f"/en/signing/reports/{report.pk}/").status_code == 404
    assert client.get(f"/en/signing/reports/{report.pk}/report.json").status_code == 404
    assert client.get(f"/en/signing/reports/{report.pk + 1000}/").status_code == 404

    def authority_rule(user, stored_report):
        return user.email == "eve@example.org" and stored_report.pk == report.pk

    selectors.register_report_access_rule(authority_rule)
    try:
        assert client.get(f"/en/signing/reports/{report.pk}/").status_code == 200
    finally:
        selectors._REPORT_ACCESS_RULES.remove(authority_rule)
    assert client.get(f"/en/signing/reports/{report.pk}/").status_code == 404

    # staff pages demand MFA first (the accounts block); the permission itself is the selector's
    assert selectors.can_view_report(_user("staff@example.org", is_staff=True), report)
    assert not selectors.can_view_report(stranger, report)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_report_page_passes_axe(page, live_server, client):
    uploader = _user("ana@example.pt")
    data = (VECTORS / "asice" / "onefile-too-much-files.asice").read_bytes()
    _, report = validate_and_store(data, "dossier.asice", uploaded_by=uploader)
    client.force_login(uploader)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    for language in ("en", "fr", "de"):
        page.goto(f"/{language}/signing/reports/{report.pk}/")
        assert page.get_by_role("table").count() == 1
        assert page.get_by_role("rowheader").count() == 1
        from tests.fixtures.browser import assert_accessible

        assert_accessible(page)
