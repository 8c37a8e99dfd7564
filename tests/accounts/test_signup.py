"""E-mail sign-up with verification, in the browser."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from tests.fixtures.browser import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_email_sign_up_needs_the_link_from_the_email(page, demo_site):
    page.goto("/en/accounts/signup/")
    assert_accessible(page)
    page.get_by_label("Email").fill("lucia@example.es")
    page.locator("#id_password1").fill("una-contraseña-larga-7")
    page.locator("#id_password2").fill("una-contraseña-larga-7")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert_accessible(page)

    # not signed in until the address is confirmed
    page.goto("/en/accounts/profile/")
    page.wait_for_url("**/accounts/login/**")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lucia@example.es"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm").click()
    page.goto("/en/accounts/profile/")
    page.wait_for_url("**/accounts/profile/")
    assert "low (e-mail and password)" in page.locator("main").inner_text()
