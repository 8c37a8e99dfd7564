from __future__ import annotations

import pytest

from tests.fixtures.processes import answers, free_port, serving

PASSWORD = "correct-horse-battery-staple-42"


def make_user(email: str, *, password: str = PASSWORD, verified: bool = True, **fields):
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(email=email, password=password, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


@pytest.fixture
def staff_user(db):
    return make_user("admin@psc.example.eu", is_staff=True, is_superuser=True)


@pytest.fixture
def entrepreneur(db):
    return make_user("marie@example.fr")


OP_CLIENT_ID = "psc-portal"
OP_CLIENT_SECRET = "psc-portal-secret-for-tests-only"
OP_PROVIDER_ID = "test-op"
OP_PIN = "1234-eid-pin"


@pytest.fixture(scope="session")
def oidc_op(live_server, tmp_path_factory):
    """django-oidc-provider serving on 127.0.0.1 in its own process; yields its base URL."""
    import os
    import sys

    from django.conf import settings

    port = free_port()
    callback = f"/accounts/eid/{OP_PROVIDER_ID}/login/callback/"
    redirect_uris = [
        f"{host}/{language}{callback}"
        for host in (live_server.url, "http://testserver")
        for language, _name in settings.LANGUAGES
    ]
    env = {
        **os.environ,
        "OP_PORT": str(port),
        "OP_DATABASE": str(tmp_path_factory.mktemp("oidc-op") / "op.sqlite3"),
        "DJANGO_SETTINGS_MODULE": "tests.accounts.oidc_op.settings",
    }
    base_url = f"http://127.0.0.1:{port}"
    with serving(
        [
            sys.executable,
            "-m",
            "tests.accounts.oidc_op.serve",
            OP_CLIENT_ID,
            OP_CLIENT_SECRET,
            *redirect_uris,
        ],
        name="the test OpenID provider",
        ready=answers(f"{base_url}/openid/.well-known/openid-configuration"),
        log_path=tmp_path_factory.mktemp("oidc-op-log") / "op.log",
        env=env,
    ):
        yield base_url


@pytest.fixture
def eid_app(oidc_op, db):
    """The test OpenID provider registered in the portal, as an administrator would in the admin."""
    from allauth.socialaccount.models import SocialApp

    return SocialApp.objects.create(
        provider="eid_oidc",
        provider_id=OP_PROVIDER_ID,
        name="Test eID",
        client_id=OP_CLIENT_ID,
        secret=OP_CLIENT_SECRET,
        settings={
            "server_url": f"{oidc_op}/openid",
            "acr_values": "http://eidas.europa.eu/LoA/substantial",
        },
    )


def sign_in_at_op(authorize_url: str, username: str = "jean", *, session=None) -> str:
    """Drive the OpenID provider as the person's browser would; return where it sends them back."""
    import re
    from urllib.parse import urljoin

    import requests

    session = session or requests.Session()
    response = session.get(authorize_url, allow_redirects=False, timeout=10)
    if response.status_code == 302 and "/login/" in response.headers["Location"]:
        login_url = urljoin(authorize_url, response.headers["Location"])
        page = session.get(login_url, timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            login_url,
            data={"csrfmiddlewaretoken": csrf, "username": username, "password": OP_PIN},
            headers={"Referer": login_url},
            allow_redirects=False,
            timeout=10,
        )
        assert response.status_code == 302, response.text[:2000]
        response = session.get(
            urljoin(login_url, response.headers["Location"]), allow_redirects=False, timeout=10
        )
    assert response.status_code == 302, response.text[:2000]
    return response.headers["Location"]
