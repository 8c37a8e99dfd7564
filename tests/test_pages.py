from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("en", "Start your business here"),
        ("fr", "Créez votre entreprise ici"),
        ("de", "Gründen Sie Ihr Unternehmen"),
    ],
)
def test_home_page_in_each_language(client, demo_site, language, heading):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    assert heading in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "/static/vendor/htmx/htmx.min.js" in html


def test_root_redirects_to_the_browser_language(client, demo_site):
    response = client.get("/", headers={"accept-language": "de-DE,de;q=0.9"})
    assert response.status_code == 302
    assert response["Location"] == "/de/"


def test_language_switch_keeps_the_page_and_sets_the_cookie(client, demo_site):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/en/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/accounts/login/"
    assert response.cookies["portal_language"].value == "fr"


def test_wagtail_admin_login_is_served(client):
    # the Wagtail admin signs in through allauth (accounts: MFA, rate limits, verification apply)
    response = client.get("/cms/login/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/en/accounts/login/")
    assert b'name="password"' in response.content


def test_allauth_login_page_uses_the_portal_layout(client, demo_site):
    response = client.get("/fr/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert 'class="skip-link"' in html
    assert '<label for="id_login">' in html


def test_failed_sign_in_shows_an_error_summary(client, demo_site):
    response = client.post(
        "/en/accounts/login/", {"login": "nobody@example.eu", "password": "wrong-password"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-error-summary" in html
    assert "There is a problem" in html


def test_django_admin_is_for_staff_only(client, django_user_model):
    assert client.get("/django-admin/").status_code == 302
    user = django_user_model.objects.create_user("ana@example.pt", "a-long-password-1")
    client.force_login(user)
    response = client.get("/django-admin/")
    assert response.status_code == 302 and "/django-admin/login/" in response["Location"]
    staff = django_user_model.objects.create_user("marc@psc.example.eu", "a-long-password-2", is_staff=True)
    client.force_login(staff)
    # staff must set up MFA first (accounts), then the admin opens
    assert client.get("/django-admin/")["Location"] == "/en/accounts/2fa/totp/activate/"
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get("/django-admin/").status_code == 200


def test_unknown_page_gets_the_portal_404(client, demo_site):
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_health_reports_each_service(client):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert set(body["checks"]) == {"database", "cache", "storage", "broker", "workers"}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    # no worker runs in this test, and the endpoint says so instead of claiming "ok"
    assert body["status"] == "degraded"
    assert body["checks"]["workers"]["ok"] is False


def test_private_storage_keeps_files_without_public_url():
    storage = storages["private"]
    name = storage.save("dossiers/test/application.pdf", ContentFile(b"%PDF-1.7 test"))
    try:
        assert storage.open(name).read() == b"%PDF-1.7 test"
        with pytest.raises(ValueError, match="no public URL"):
            storage.url(name)
    finally:
        storage.delete(name)


def test_language_switch_from_a_page_in_another_language_than_the_browser(client, demo_site):
    """A French page opened by a browser set to English, without a language cookie."""
    response = client.post(
        "/i18n/setlang/",
        {"language": "de", "next": "/fr/accounts/login/"},
        headers={"accept-language": "en-GB,en;q=0.9"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/de/accounts/login/"


def test_signed_in_header_links_to_dossiers_and_account_in_the_page_language(client, demo_site):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    html = client.get("/fr/").content.decode()
    assert '<a href="/fr/dossiers/">Mes dossiers</a>' in html
    assert '<a href="/fr/accounts/profile/">Mon compte</a>' in html


def test_the_language_switcher_is_links_that_remember_the_choice(client, demo_site):
    html = client.get("/en/accounts/login/").content.decode()
    assert 'href="/i18n/setlang/?language=de&amp;next=%2Fde%2Faccounts%2Flogin%2F"' in html
    assert "csrfmiddlewaretoken" not in html.split('class="language-switcher"')[1].split("</nav>")[0]
    response = client.get("/i18n/setlang/?language=de&next=%2Fde%2Faccounts%2Flogin%2F")
    assert response.status_code == 302
    assert response["Location"] == "/de/accounts/login/"
    assert response.cookies["portal_language"].value == "de"


@pytest.mark.parametrize(
    ("query", "status", "location"),
    [
        ("language=xx&next=/xx/", 400, None),
        ("language=de&next=https://evil.example/", 302, "/de/"),
        ("language=de&next=//evil.example/", 302, "/de/"),
        ("language=fr", 302, "/fr/"),
    ],
)
def test_a_language_link_cannot_be_bent(client, db, query, status, location):
    response = client.get(f"/i18n/setlang/?{query}")
    assert response.status_code == status
    if location:
        assert response["Location"] == location
    else:
        assert "portal_language" not in response.cookies
