"""Back-office fixtures: two authorities on the back-office channel, their staff, two entrepreneurs, and
applications brought to any state through the lifecycle's own transitions."""

from __future__ import annotations

import pytest

from portal.dossiers import services
from portal.dossiers.states import ApplicationState, DossierState
from tests.factories import ApplicationFactory, AuthorityStaffFactory, DossierFactory, UserFactory

A = ApplicationState
AUTHORITY_A = "chamber-of-crafts"
AUTHORITY_B = "trade-licensing-office"

# the path from delivery to each back-office state, through legal transitions only
PATHS = {
    A.DELIVERED: [],
    A.RECEIVED: [A.RECEIVED],
    A.IN_REVIEW: [A.RECEIVED, A.IN_REVIEW],
    A.MORE_INFORMATION_REQUESTED: [A.RECEIVED, A.IN_REVIEW, A.MORE_INFORMATION_REQUESTED],
    A.APPROVED: [A.RECEIVED, A.IN_REVIEW, A.APPROVED],
    A.REFUSED: [A.RECEIVED, A.IN_REVIEW, A.REFUSED],
}


def snapshot(
    identifier: str,
    *,
    title: str = "Craft business registration",
    transport: str = "backoffice",
    processing_time_days: int | None = 30,
    tacit_approval: bool = True,
    tacit_approval_days: int | None = 30,
) -> dict:
    return {
        "version": 3,
        "page_id": 1,
        "title": title,
        "language": "en",
        "authority": {
            "id": 1,
            "identifier": identifier,
            "name": {AUTHORITY_A: "Chamber of Crafts", AUTHORITY_B: "Trade Licensing Office"}.get(
                identifier, identifier
            ),
            "languages": ["en"],
            "delivery_channel": {"transport": transport, "settings": {"authority": identifier}},
        },
        "fields": [
            {"type": "text", "concept": "business.name", "label": "Business name", "help_text": "",
             "required": True, "condition": None},
            {"type": "yes_no", "concept": "business.employs_staff", "label": "Do you employ staff?",
             "help_text": "", "required": True, "condition": None},
        ],
        "evidence": [],
        "terms": {
            "processing_time_days": processing_time_days,
            "tacit_approval": tacit_approval,
            "tacit_approval_days": tacit_approval_days,
            "redress_body": "Administrative Court of Aurelia",
            "redress_deadline_days": 60,
        },
    }  # fmt: skip


def submitted_application(owner, identifier: str, *, state: str = A.DELIVERED, **snapshot_options):
    """An application of a submitted dossier, delivered to ``identifier`` and moved on to ``state``."""
    dossier = DossierFactory(
        owner=owner, language="en", answers={"business.name": "Salão Ana", "business.employs_staff": "no"}
    )
    for to_state in (DossierState.READY_FOR_SIGNATURE, DossierState.SIGNED, DossierState.SUBMITTED):
        services.transition(dossier, to_state, actor=owner, reason="test set-up")
    application = ApplicationFactory(
        dossier=dossier, procedure_snapshot=snapshot(identifier, **snapshot_options)
    )
    services.transition(application, A.QUEUED_FOR_DELIVERY, system_actor="submission", reason="test set-up")
    services.transition(application, A.DELIVERED, system_actor="delivery", reason="test set-up")
    for to_state in PATHS[state]:
        services.transition(application, to_state, system_actor="test", reason="test set-up")
    return application


@pytest.fixture
def clerk_a(db):
    return AuthorityStaffFactory(email="clara@crafts.example.eu", memberships={AUTHORITY_A: "clerk"})


@pytest.fixture
def supervisor_a(db):
    return AuthorityStaffFactory(
        email="sven@crafts.example.eu", first_name="Sven", memberships={AUTHORITY_A: "supervisor"}
    )


@pytest.fixture
def clerk_b(db):
    return AuthorityStaffFactory(
        email="bruno@licensing.example.eu", first_name="Bruno", memberships={AUTHORITY_B: "clerk"}
    )


@pytest.fixture
def entrepreneur_x(db):
    return UserFactory(email="ana@example.pt")


@pytest.fixture
def entrepreneur_y(db):
    return UserFactory(email="jan@example.pl", first_name="Jan", last_name="Kowalski")


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def procedures_catalogue(db, monkeypatch):
    """One live procedure of the demo catalogue (with a processing time limit)."""
    from portal.demo import catalogue_data as demo_data
    from portal.demo.catalogue import ensure_catalogue
    from procedures.models import ProcedurePage

    monkeypatch.setattr(
        demo_data, "PROCEDURES", [p for p in demo_data.PROCEDURES if p["slug"] == "business-registration"]
    )
    monkeypatch.setattr(demo_data, "ACTIVITIES", demo_data.ACTIVITIES[:1])
    ensure_catalogue()
    return ProcedurePage.objects.live().filter(locale__language_code="en").specific().get()
