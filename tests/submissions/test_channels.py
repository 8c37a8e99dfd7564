"""The delivery channel registry: the catalogue's ``transport`` names the plugin that checks and
delivers; a name the portal does not have is a clear error, never a silent fallback."""

from __future__ import annotations

import pytest

from portal.submissions.channels import (
    As4Channel,
    BackofficeChannel,
    DeliveryChannelError,
    channel_label,
    channel_named,
    channel_problem,
    channels,
)
from portal.submissions.models import SubmissionPackage
from portal.submissions.services import dispatch_package
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def application_with(channel: dict):
    return ApplicationFactory(
        procedure_snapshot={
            "title": "Trade licence",
            "authority": {"name": "Chamber", "delivery_channel": channel},
        }
    )


def test_the_registry_holds_the_two_channels_under_the_catalogues_transport_names():
    assert channels.names() == ["as4", "backoffice"]
    assert isinstance(channel_named("backoffice"), BackofficeChannel)
    assert isinstance(channel_named("as4"), As4Channel)
    assert [t.value for t in SubmissionPackage.Transport] == ["as4", "backoffice"]


@pytest.mark.parametrize("name", ["carrier-pigeon", None, ""])
def test_an_unknown_channel_is_a_clear_error(name):
    with pytest.raises(
        DeliveryChannelError, match=r"no delivery channel named .* \(known: as4, backoffice\)"
    ):
        channel_named(name)
    application = application_with({"transport": name})
    assert "no delivery channel named" in channel_problem(application)
    # the submit page still says something sensible about where it would go
    assert channel_label(application) == "to the authority's inbox on this portal"


def test_each_channel_checks_its_own_settings():
    assert channel_problem(application_with({"transport": "backoffice", "settings": {}})) is None
    problem = channel_problem(application_with({"transport": "as4", "settings": {"party_id": "AU-TAX"}}))
    assert problem is not None and "delivery channel" in problem
    assert channel_label(application_with({"transport": "as4"})) == (
        "through the eDelivery network (AS4), with a signed receipt"
    )


def test_a_package_on_a_channel_the_portal_lacks_is_not_handed_over():
    application = application_with({"transport": "carrier-pigeon"})
    SubmissionPackage.objects.create(
        application=application, transport="carrier-pigeon", channel={"transport": "carrier-pigeon"},
        container_sha256="0" * 64,
    )  # fmt: skip
    with pytest.raises(DeliveryChannelError, match="carrier-pigeon"):
        dispatch_package(application.pk)
    assert SubmissionPackage.objects.get().handed_over_at is None
