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

    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text() == "Créez votre entreprise ici"
    assert page.get_by_role("link", name="Aller au contenu principal").count() == 1
    assert_accessible(page)

    page.get_by_role("link", name="Deutsch").click()
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


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/en/accounts/signup/", "Sign Up"),
        ("/fr/accounts/password/reset/", "Réinitialisation du mot de passe"),
        ("/de/accounts/login/", "Anmeldung"),
    ],
)
def test_account_pages_share_the_layout_and_pass_axe(page, demo_site, path, heading):
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert page.locator("header.site-header").count() == 1
    assert page.locator("main#main").count() == 1
    assert_accessible(page)


def test_sign_up_errors_link_to_their_fields(page, demo_site):
    page.goto("/en/accounts/signup/")
    page.get_by_label("Email").fill("not-an-address")
    page.locator("#id_password1").fill("short")
    page.get_by_role("button", name="Sign Up").click()
    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    email_error = summary.get_by_role("link", name="Email")
    assert email_error.count() >= 1
    email_error.first.click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert page.get_by_label("Email").get_attribute("aria-invalid") == "true"
    assert_accessible(page)


def test_switching_language_from_a_page_opened_directly_in_another_language(page, demo_site):
    page.goto("/fr/")  # the browser is set to English and has no language cookie yet
    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_url("**/de/")
    assert page.get_by_role("heading", level=1).inner_text() == "Gründen Sie Ihr Unternehmen hier"
