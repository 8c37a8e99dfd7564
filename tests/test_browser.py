"""The base layout in a real browser: language switching, keyboard use, forms, axe."""

from __future__ import annotations

import pytest

from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_language_switch_and_axe(page, demo_site):
    page.goto("/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Start your business here"
    assert_accessible(page)

    page.get_by_role("button", name="Français").click()
    page.wait_for_url("**/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Créez votre entreprise ici"
    assert page.get_by_role("link", name="Aller au contenu principal").count() == 1
    assert_accessible(page)

    page.get_by_role("button", name="Deutsch").click()
    page.wait_for_url("**/de/")
    assert page.get_by_role("heading", level=1).inner_text() == "Gründen Sie Ihr Unternehmen hier"
    assert_accessible(page)

    # the choice is remembered: the bare address now opens the German site
    page.goto("/")
    page.wait_for_url("**/de/")


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, demo_site):
    page.goto("/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_sign_in_errors_are_summarised_and_accessible(page, demo_site):
    page.goto("/en/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Email").fill("nobody@example.eu")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert_accessible(page)


def test_pages_work_on_a_phone(browser, live_server, demo_site):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, is_mobile=True
    )
    page = context.new_page()
    try:
        page.goto("/en/")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert overflow is False
        assert_accessible(page)
    finally:
        context.close()
