from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Page, Site

from procedures.models import HomePage
from tests.fixtures.processes import free_port

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent(settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    counts = (Page.objects.count(), HomePage.objects.count(), Site.objects.count())
    call_command("load_demo", stdout=io.StringIO())
    assert (Page.objects.count(), HomePage.objects.count(), Site.objects.count()) == counts
    assert sorted(HomePage.objects.values_list("locale__language_code", flat=True)) == ["de", "en", "fr"]
    site = Site.objects.get(is_default_site=True)
    assert site.root_page.specific.locale.language_code == "en"
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)


def test_load_demo_refuses_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never loaded"):
        call_command("load_demo", stdout=io.StringIO())


@pytest.mark.worker
def test_run_command_serves_the_portal_on_the_embedded_default(tmp_path):
    """What the README's run command starts: SQLite, file-system broker, web + worker, demo data."""
    port = free_port()
    embedded_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DJANGO_ENV"}
    }
    embedded_env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "STORAGE_ROOT": str(tmp_path),
            "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
            # every process of the demo on a free port, so a demo already running elsewhere does not clash
            "SIGNING_TEST_QTSP_URL": f"http://127.0.0.1:{free_port()}",
            "DEMO_AUTHORITY_PORT": str(free_port()),
        }
    )
    log = (tmp_path / "rundemo.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", "--address", f"127.0.0.1:{port}"],
        cwd=settings.BASE_DIR, env=embedded_env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        health = None
        # migrate + load_demo + four processes: minutes on a busy 2-core machine (a readiness wait, not a speed test)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "rundemo.log").read_text()
            try:
                health = requests.get(f"{base}/healthz", timeout=5).json()
                if health["status"] == "ok":
                    break
            except (requests.ConnectionError, ValueError):
                pass
            time.sleep(1)
        assert health and health["status"] == "ok", (health, (tmp_path / "rundemo.log").read_text()[-3000:])
        assert health["checks"]["database"]["detail"] == "sqlite"
        assert health["checks"]["broker"]["detail"] == "filesystem"

        home = requests.get(f"{base}/fr/", timeout=10)
        assert home.status_code == 200 and "Créez votre entreprise ici" in home.text
        assert requests.get(f"{base}/cms/login/", timeout=10).status_code == 200
        login = requests.get(f"{base}/en/accounts/login/", timeout=10)
        assert login.status_code == 200 and 'name="password"' in login.text
        assert (tmp_path / "demo-admin-password.txt").exists()
        staff_passwords = (tmp_path / "demo-staff-passwords.txt").read_text()
        clerk_line = next(
            line for line in staff_passwords.splitlines() if line.startswith("clerk.trade-office@")
        )
        # printed by rundemo like the admin's
        assert f"{clerk_line.replace(' ', ' / ')}" in (tmp_path / "rundemo.log").read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    assert process.returncode == 0, (tmp_path / "rundemo.log").read_text()[-3000:]


def test_run_command_refuses_a_busy_address_before_starting_anything(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("rundemo", "--address", f"127.0.0.1:{port}", stdout=io.StringIO())


def test_load_demo_creates_back_office_staff_once(settings, tmp_path):
    from portal.accounts.models import AuthorityMembership
    from portal.accounts.selectors import mfa_required
    from procedures.models import CompetentAuthority

    settings.STORAGE_ROOT = tmp_path
    first_output = io.StringIO()
    call_command("load_demo", stdout=first_output)
    password_file = tmp_path / "demo-staff-passwords.txt"
    first_passwords = password_file.read_text()
    memberships = sorted(
        AuthorityMembership.objects.values_list("user__email", "authority_identifier", "role")
    )
    call_command("load_demo", stdout=io.StringIO())

    assert password_file.read_text() == first_passwords
    assert (
        sorted(AuthorityMembership.objects.values_list("user__email", "authority_identifier", "role"))
        == memberships
    )
    backoffice_authorities = set(
        CompetentAuthority.objects.filter(delivery_transport="backoffice").values_list(
            "identifier", flat=True
        )
    )
    assert len(backoffice_authorities) == 5
    clerks = {identifier for _, identifier, role in memberships if role == "clerk"}
    supervisors = [(email, identifier) for email, identifier, role in memberships if role == "supervisor"]
    assert clerks == backoffice_authorities  # and none for the AS4 authorities
    assert supervisors == [("supervisor.trade-office@psc.example.eu", "trade-office")]
    assert len(memberships) == 6
    assert password_file.stat().st_mode & 0o077 == 0
    accounts = dict(
        line.split(" ") for line in first_passwords.splitlines() if line and not line.startswith("#")
    )
    assert set(accounts) == {email for email, _, _ in memberships}
    user_model = get_user_model()
    for email, password in accounts.items():
        user = user_model.objects.get(email=email)
        assert user.check_password(password)
        assert not user.is_staff and not user.is_superuser
        assert mfa_required(user)  # sent to set up an authenticator on first sign-in
        assert f"{email} / {password}" in first_output.getvalue()
