"""The anonymous page cache: stored public pages are served without a query, and never outlive an
edit, never reach a signed-in user, never carry anything personal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from portal.core.page_cache import AnonymousPageCacheMiddleware, allow_anonymous_caching
from procedures.models import ProcedurePage
from tests.factories import UserFactory

CRAFT = "/en/procedures/craft-authorisation/"


def craft(language: str = "en") -> ProcedurePage:
    return ProcedurePage.objects.get(slug="craft-authorisation", locale__language_code=language)


def test_a_stored_page_is_served_again_without_a_single_query(client, catalogue, django_assert_num_queries):
    first = client.get(CRAFT)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(CRAFT)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Language"] == "en"
    assert again["X-Frame-Options"] == first["X-Frame-Options"]


def test_publishing_a_change_shows_at_once(client, catalogue):
    assert "Nouveau résumé" not in client.get("/fr/procedures/craft-authorisation/").content.decode()
    page = craft("fr")
    page.summary = "Nouveau résumé de la procédure."
    page.save_revision().publish()
    assert (
        "Nouveau résumé de la procédure."
        in client.get("/fr/procedures/craft-authorisation/").content.decode()
    )


def test_a_draft_does_not_show_and_unpublishing_takes_the_page_away(client, catalogue):
    page = craft()
    page.summary = "A draft nobody approved."
    page.save_revision()
    assert "A draft nobody approved." not in client.get(CRAFT).content.decode()
    page.unpublish()
    assert client.get(CRAFT).status_code == 404


def test_editing_a_snippet_the_page_shows_shows_at_once(client, catalogue):
    authority = craft().localized_authority
    assert authority.name in client.get(CRAFT).content.decode()
    authority.name = "Chamber of Crafts of Aurelia (renamed)"
    authority.save()
    assert "Chamber of Crafts of Aurelia (renamed)" in client.get(CRAFT).content.decode()


def test_a_signed_in_user_gets_the_page_rendered_for_them(client, catalogue):
    client.get(CRAFT)  # stored for anonymous visitors
    client.force_login(UserFactory())
    html = client.get(CRAFT).content.decode()
    assert "Sign out" in html
    client.logout()
    assert "Sign out" not in client.get(CRAFT).content.decode()


def test_json_ld_and_html_are_kept_apart(client, catalogue):
    html = client.get(CRAFT, headers={"accept": "text/html"})
    json_ld = client.get(CRAFT, headers={"accept": "application/ld+json"})
    assert json_ld["Content-Type"].startswith("application/ld+json")
    assert client.get(CRAFT, headers={"accept": "text/html"}).content == html.content
    assert client.get(CRAFT, headers={"accept": "application/ld+json"}).content == json_ld.content


def test_the_page_cache_can_be_switched_off(client, catalogue):
    client.get(CRAFT)
    with override_settings(PORTAL_PAGE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as queries:
        assert client.get(CRAFT).status_code == 200
    assert len(queries) > 5  # rendered again


def _run(request, view) -> HttpResponse:
    return AnonymousPageCacheMiddleware(view)(request)


@pytest.mark.parametrize(
    ("path", "extra", "why"),
    [
        ("/en/page/", {"HTTP_COOKIE": "sessionid=abc"}, "a session"),
        ("/en/page/", {"HTTP_COOKIE": "messages=abc"}, "pending messages"),
        ("/en/page/?utm=1", {}, "a query string"),
        ("/en/page/", {"HTTP_AUTHORIZATION": "Basic eDp5"}, "credentials"),
    ],
)
def test_requests_that_may_see_something_personal_bypass_the_cache(db, path, extra, why):
    calls = []

    def view(request):
        calls.append(request)
        return allow_anonymous_caching(HttpResponse(f"rendered {len(calls)}"))

    factory = RequestFactory()
    for _ in range(2):
        _run(factory.get(path, **extra), view)
    assert len(calls) == 2, why


def test_a_page_that_sets_a_cookie_or_is_private_is_never_stored(db):
    calls = []

    def with_csrf_token(request):
        calls.append(request)
        response = allow_anonymous_caching(HttpResponse(f"token {get_token(request)}"))
        response.set_cookie("csrftoken", "x")
        return response

    def private(request):
        calls.append(request)
        response = allow_anonymous_caching(HttpResponse("mine"))
        response["Cache-Control"] = "private"
        return response

    def not_marked(request):
        calls.append(request)
        return HttpResponse("unmarked")

    factory = RequestFactory()
    for number, view in enumerate((with_csrf_token, private, not_marked)):
        for _ in range(2):
            _run(factory.get(f"/en/page-{number}/"), view)
    assert len(calls) == 6


def test_a_page_rendered_while_a_publication_is_not_yet_committed_is_not_served_after_it(
    client, catalogue, django_capture_on_commit_callbacks
):
    page = craft()
    with django_capture_on_commit_callbacks(execute=True):
        page.summary = "Published summary."
        page.save_revision().publish()
        # another visitor, before the commit: rendered (here the change is visible to this
        # connection, elsewhere it would not be) and stored under the generation of the moment
        client.get(CRAFT)
        stored_during = client.get(CRAFT).content
    assert b"Published summary." in stored_during
    with CaptureQueriesContext(connection) as queries:
        client.get(CRAFT)
    assert len(queries) > 0  # the commit started a new generation: rendered again
