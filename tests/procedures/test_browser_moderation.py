"""An editor changes a procedure in the Wagtail admin; it goes live, on the site and in the CPSV-AP
export, only once a moderator approves it."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from portal.demo.catalogue import EDITORS_GROUP, MODERATORS_GROUP
from procedures.models import ProcedurePage
from tests.factories import StaffUserFactory
from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_SUMMARY = "Craftspeople now register online in a single step, reviewed within ten working days."


def signed_in_page(browser, live_server, user):
    """A browser context with the user's session (a staff user with a TOTP authenticator: the
    MFA gate lets them through, as after a full sign-in)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(20_000)
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context, context.new_page()


def footer_action(page, name: str) -> None:
    """Wagtail's footer shows one action; the others are behind its "More actions" toggle."""
    footer = page.locator("footer")
    button = footer.get_by_role("button", name=name, exact=True)
    if not button.is_visible():
        footer.get_by_role("button", name="More actions").click()
    button.click()


def test_an_editors_change_is_published_by_a_moderator_and_reaches_the_site_and_cpsv(
    page, browser, live_server, catalogue
):
    editor = StaffUserFactory()
    editor.groups.add(Group.objects.get(name=EDITORS_GROUP))
    moderator = StaffUserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    procedure = ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code="en")
    public_path = procedure.url
    old_summary = procedure.summary

    page.goto(public_path)
    assert old_summary in page.locator("main").inner_text()
    assert_accessible(page)

    editor_context, editor_page = signed_in_page(browser, live_server, editor)
    try:
        editor_page.goto(f"/cms/pages/{procedure.pk}/edit/")
        editor_page.locator("#id_summary").fill(NEW_SUMMARY)
        # an editor may not publish: the workflow is the only way
        assert editor_page.locator("footer").get_by_role("button", name="Publish").count() == 0
        footer_action(editor_page, "Submit to Procedure review")
        editor_page.wait_for_url(re.compile(r"/cms/pages/\d+/$"))
        assert "submitted" in editor_page.locator(".messages").inner_text()
    finally:
        editor_context.close()

    # submitted, not yet live
    procedure.refresh_from_db()
    assert procedure.summary == old_summary
    assert procedure.get_latest_revision_as_object().summary == NEW_SUMMARY
    page.goto(public_path)
    assert NEW_SUMMARY not in page.locator("main").inner_text()

    moderator_context, moderator_page = signed_in_page(browser, live_server, moderator)
    try:
        moderator_page.goto("/cms/")
        assert "Craft authorisation" in moderator_page.locator("main").inner_text()  # awaiting review
        moderator_page.goto(f"/cms/pages/{procedure.pk}/edit/")
        footer_action(moderator_page, "Approve and Publish")
        moderator_page.wait_for_url(re.compile(r"/cms/pages/\d+/$"))
    finally:
        moderator_context.close()

    procedure.refresh_from_db()
    assert procedure.summary == NEW_SUMMARY
    page.goto(public_path)
    assert NEW_SUMMARY in page.locator("main").inner_text()
    assert_accessible(page)

    response = page.request.get(f"/cpsv/procedures/{procedure.translation_key}.jsonld")
    assert response.ok
    service = next(node for node in response.json()["@graph"] if "cpsv:PublicService" in node["@type"])
    assert {"@value": NEW_SUMMARY, "@language": "en"} in service["dct:description"]
    negotiated = page.request.get(public_path, headers={"Accept": "application/ld+json"})
    assert NEW_SUMMARY in negotiated.text()
