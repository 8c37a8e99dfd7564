"""Memberships are granted in the Django admin, choosing among the catalogue's authorities."""

from __future__ import annotations

import pytest

from portal.accounts.models import AuthorityMembership
from tests.factories import SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admin_grants_a_membership_for_a_catalogue_authority_only(client, demo_site):
    from wagtail.models import Locale

    from procedures.models import CompetentAuthority

    CompetentAuthority.objects.create(
        name="Chamber of Crafts",
        identifier="chamber-of-crafts",
        locale=Locale.objects.get(language_code="en"),
    )
    clara = UserFactory(email="clara@crafts.example.eu")
    client.force_login(SuperuserFactory())
    url = "/django-admin/accounts/authoritymembership/add/"
    page = client.get(url).content.decode()
    assert "Chamber of Crafts (chamber-of-crafts)" in page

    typo = client.post(url, {"user": clara.pk, "authority_identifier": "chamber-of-craft", "role": "clerk"})
    assert typo.status_code == 200 and "Select a valid choice" in typo.content.decode()
    assert not AuthorityMembership.objects.exists()

    client.post(url, {"user": clara.pk, "authority_identifier": "chamber-of-crafts", "role": "supervisor"})
    membership = AuthorityMembership.objects.get()
    assert (membership.user, membership.authority_identifier, membership.role) == (
        clara,
        "chamber-of-crafts",
        "supervisor",
    )
