"""Ana, a hairdresser from Porto, finds what she must do, in French, then reads it in German."""

from __future__ import annotations

import re

import pytest

from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_french_speaking_hairdresser_gets_her_checklist_and_switches_to_german(page, full_catalogue):
    page.goto("/en/")
    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/")

    page.goto("/fr/finder/")
    assert_accessible(page)

    # asking for the checklist before answering: every problem is listed, the page stays accessible
    page.get_by_role("button", name="Afficher ma liste").click()
    page.wait_for_url("**/fr/finder/checklist/**")
    summary = page.locator("[data-error-summary]")
    assert "Il y a un problème" in summary.inner_text()
    assert_accessible(page)

    # type-ahead (htmx): the list appears while she types
    page.get_by_label("Que fera votre entreprise ?").fill("coiffeur")
    activity = page.get_by_label(re.compile("Coiffure et soins de beauté"))
    activity.wait_for()
    activity.check()
    page.get_by_label("en créant un établissement ici").check()
    page.get_by_label("Pays où votre entreprise est établie").select_option("PT")
    page.get_by_label("Forme juridique").select_option("sole_trader")
    page.get_by_label("Combien de personnes emploierez-vous ici ?").fill("0")
    assert_accessible(page)
    page.get_by_role("button", name="Afficher ma liste").click()

    page.wait_for_url(re.compile(r"/fr/finder/checklist/\?.*activity=96\.02"))
    assert page.get_by_role("heading", level=1).inner_text() == "Votre liste de démarches"
    main = page.locator("main").inner_text()
    assert "345,00 EUR" in main  # 120 + 50 + 80 + 95
    assert "120 jours" in main
    documents = page.locator("table").inner_text()
    assert "Pièce d'identité" in documents
    assert "Diplôme ou titre de qualification professionnelle" in documents
    assert documents.count("Pièce d'identité") == 1
    procedures = page.locator("ol.checklist > li")
    assert procedures.count() == 5  # recognition, registration, craft, premises, VAT
    assert_accessible(page)

    page.get_by_role("link", name="Deutsch").click()
    page.wait_for_url(re.compile(r"/de/finder/checklist/\?.*activity=96\.02"))
    assert page.get_by_role("heading", level=1).inner_text() == "Ihre Checkliste"
    main = page.locator("main").inner_text()
    assert "345,00 EUR" in main
    assert "Ausweisdokument" in page.locator("table").inner_text()
    assert "Friseur- und Kosmetiksalons" in main
    assert_accessible(page)

    page.get_by_role("link", name="Anerkennung einer Berufsqualifikation").click()
    page.wait_for_url("**/de/procedures/recognition-of-qualifications/")
    assert "120,00 EUR" in page.locator("main").inner_text()
    assert_accessible(page)


def test_the_finder_works_without_javascript(browser, live_server, full_catalogue):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/en/finder/")
        page.get_by_label("What will your business do?").fill("cabeleireiro")
        page.get_by_role("button", name="Search activities").click()
        page.wait_for_url("**/en/finder/?q=cabeleireiro**")
        page.get_by_label(re.compile("Hairdressing and other beauty treatment")).check()
        page.get_by_label("temporary cross-border provision of services").check()
        page.get_by_label("Country where your business is established").select_option("PL")
        page.get_by_label("Legal form").select_option("private_limited")
        page.get_by_label("How many people will you employ here?").fill("2")
        page.get_by_role("button", name="Show my checklist").click()
        page.wait_for_url("**/en/finder/checklist/**")
        main = page.locator("main").inner_text()
        assert "Declaration of temporary cross-border provision of services" in main
        assert "Notification of posted workers" in main
        assert "Business registration" not in main
        # (axe itself needs JavaScript: the same pages are checked with it in the test above)
    finally:
        context.close()
