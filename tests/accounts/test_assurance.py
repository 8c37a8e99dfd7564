"""The session's level of assurance: recorded at sign-in, required by views, raised by an eID step-up."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from portal.accounts.decorators import require_level_of_assurance
from portal.accounts.selectors import level_from_acr, level_satisfies, session_level_of_assurance
from tests.accounts.conftest import OP_PROVIDER_ID, PASSWORD, sign_in_at_op


@pytest.mark.django_db
def test_email_sign_in_is_low(client, entrepreneur):
    response = client.post("/en/accounts/login/", {"login": entrepreneur.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["accounts_assurance"]["level"] == "low"
    assert client.session["accounts_assurance"]["method"] == "password"


def test_levels_order_and_acr_mapping():
    assert level_satisfies("high", "substantial")
    assert level_satisfies("substantial", "substantial")
    assert not level_satisfies("low", "substantial")
    assert not level_satisfies(None, "low")
    with pytest.raises(ValueError, match="Unknown level"):
        level_satisfies("low", "medium")
    assert level_from_acr("http://eidas.europa.eu/LoA/high", {}) == "high"
    assert level_from_acr("urn:other:loa:3", {"acr_map": {"urn:other:loa:3": "substantial"}}) == "substantial"
    assert level_from_acr("urn:unknown", {"level_of_assurance": "high"}) == "low"  # unknown acr: no credit
    assert level_from_acr(None, {"level_of_assurance": "substantial"}) == "substantial"


def _request(user, assurance=None):
    request = RequestFactory().get("/en/dossiers/42/submit/")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.user = user
    if assurance:
        request.session["accounts_assurance"] = assurance
    request._messages = __import__(
        "django.contrib.messages.storage.fallback", fromlist=["x"]
    ).FallbackStorage(request)
    return request


@require_level_of_assurance("substantial")
def protected(request):
    return HttpResponse("signed")


@pytest.mark.django_db
def test_require_level_of_assurance_sends_a_weak_session_to_step_up(entrepreneur):
    request = _request(entrepreneur, {"level": "low", "method": "password"})
    assert session_level_of_assurance(request) == "low"
    response = protected(request)
    assert response.status_code == 302
    assert response["Location"].startswith(
        "/en/accounts/step-up/?level=substantial&next=%2Fen%2Fdossiers%2F42"
    )
    message = str(next(iter(request._messages)))
    assert "needs an identity verified at level substantial" in message
    assert "Sign in with your national eID" in message

    request = _request(entrepreneur, {"level": "substantial", "method": "eid_oidc:x"})
    assert protected(request).content == b"signed"


@pytest.mark.django_db
def test_require_level_of_assurance_sends_anonymous_people_to_sign_in():
    from django.contrib.auth.models import AnonymousUser

    response = protected(_request(AnonymousUser()))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db(transaction=True)
def test_step_up_page_offers_the_eid_and_linking_it_raises_the_session_level(client, entrepreneur, eid_app):
    client.post("/en/accounts/login/", {"login": entrepreneur.email, "password": PASSWORD})
    page = client.get("/en/accounts/step-up/?level=substantial&next=/en/accounts/profile/").content.decode()
    assert "Continue with Test eID" in page
    assert "process=connect" in page

    start = client.post(
        f"/en/accounts/eid/{OP_PROVIDER_ID}/login/", {"process": "connect", "next": "/en/accounts/profile/"}
    )
    back = sign_in_at_op(start["Location"], "jean")
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 302
    assert SocialAccount.objects.get(provider=OP_PROVIDER_ID).user == entrepreneur
    assert client.session["accounts_assurance"]["level"] == "substantial"
    entrepreneur.refresh_from_db()
    assert entrepreneur.entrepreneur_profile.is_verified("date_of_birth")
