"""The authorization matrix: every back-office URL and every dossier URL, tried directly by every kind of
party with the ids of another party's objects.

Two entrepreneurs: X (an application at authority A) and Y (an application at authority B). Staff: a
clerk of A (assigned X's application where it is in review), another clerk of A, a supervisor of A, a
clerk of B, a member of A without a second factor, and a portal operator (Django superuser, MFA, no
membership). Anyone not allowed gets a 403, a 404, or the sign-in / MFA set-up page, never the data,
and a refused POST changes nothing. Allowed parties get the page (200) or the action's redirect."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.urls import reverse

from portal.dossiers.models import ApplicationMessage, AttachedDocument, ScanStatus, VaultDocument
from portal.dossiers.states import ApplicationState as A
from portal.signing.models import SigningRequest, StoredValidationReport
from tests.backoffice.conftest import AUTHORITY_A, AUTHORITY_B, submitted_application
from tests.factories import AuthorityStaffFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db

PARTIES = [
    "anonymous",
    "entrepreneur_x",
    "entrepreneur_y",
    "clerk_a",
    "other_clerk_a",
    "supervisor_a",
    "clerk_b",
    "member_a_without_mfa",
    "operator",
]
STAFF_OF_A = {"clerk_a", "other_clerk_a", "supervisor_a"}
HANDLERS_OF_A = {"clerk_a", "supervisor_a"}  # the assigned clerk and the supervisor
SECRETS = (
    "Salão Ana",
    "ana@example.pt",
    "Salon Ana diploma",
)  # X's answer and e-mail: must never reach anyone else
DIPLOMA = b"%PDF-1.7 Salon Ana diploma"
LOGIN = "/en/accounts/login/"
MFA_SET_UP = "/en/accounts/2fa/totp/activate/"


@dataclass
class World:
    users: dict
    app_a: object  # X's application at authority A
    app_b: object  # Y's application at authority B
    report: StoredValidationReport
    document: VaultDocument  # X's diploma, attached to app_a


def build_world(state_a: str, *, assigned: bool) -> World:
    users = {
        "anonymous": None,
        "entrepreneur_x": UserFactory(email="ana@example.pt"),
        "entrepreneur_y": UserFactory(email="jan@example.pl"),
        "clerk_a": AuthorityStaffFactory(memberships={AUTHORITY_A: "clerk"}),
        "other_clerk_a": AuthorityStaffFactory(memberships={AUTHORITY_A: "clerk"}),
        "supervisor_a": AuthorityStaffFactory(memberships={AUTHORITY_A: "supervisor"}),
        "clerk_b": AuthorityStaffFactory(memberships={AUTHORITY_B: "clerk"}),
        "member_a_without_mfa": AuthorityStaffFactory(
            memberships={AUTHORITY_A: "clerk"}, second_factor=False
        ),
        "operator": SuperuserFactory(),
    }
    app_a = submitted_application(users["entrepreneur_x"], AUTHORITY_A, state=state_a)
    app_b = submitted_application(users["entrepreneur_y"], AUTHORITY_B, state=A.IN_REVIEW)
    if assigned:
        app_a.backoffice_case.assignee = users["clerk_a"]
        app_a.backoffice_case.save()
    report = StoredValidationReport.objects.create(
        filename="application.pdf", sha256="0" * 64, indication="TOTAL_PASSED",
        report={"indication": "TOTAL_PASSED", "signatures": []}, uploaded_by=users["entrepreneur_x"],
    )  # fmt: skip
    app_a.signing_request = SigningRequest.objects.create(
        key=f"application-{app_a.public_id}", signer="test", filename="application.pdf",
        source_name="x.pdf", source_sha256="0" * 64, status="signed", report=report,
    )  # fmt: skip
    app_a.save(update_fields=["signing_request"])
    document = VaultDocument.objects.create(
        owner=users["entrepreneur_x"], display_name="diploma.pdf", mime_type="application/pdf",
        size=len(DIPLOMA), sha256=hashlib.sha256(DIPLOMA).hexdigest(), scan_status=ScanStatus.CLEAN,
        stored_name=storages["private"].save("dossiers/test/diploma.pdf", ContentFile(DIPLOMA)),
    )  # fmt: skip
    AttachedDocument.objects.create(application=app_a, concept="diploma", document=document)
    return World(users, app_a, app_b, report, document)


@dataclass
class Url:
    name: str
    method: str
    path: callable  # World -> path
    allowed: set[str]
    ok_status: int = 200
    data: callable = field(default=lambda world: {})
    state_a: str = A.IN_REVIEW
    assigned: bool = True


def bo(name, *extra):
    return lambda world: reverse(f"backoffice:{name}", args=[world.app_a.public_id, *extra])


def dossier_url(name):
    return lambda world: reverse(f"dossiers:{name}", args=[world.app_a.dossier.public_id])


URLS = [
    Url("backoffice detail", "GET", bo("detail"), STAFF_OF_A),
    Url("backoffice pdf", "GET", bo("pdf"), STAFF_OF_A),
    Url(
        "backoffice document", "GET",
        lambda world: reverse("backoffice:document", args=[world.app_a.public_id, world.document.public_id]),
        STAFF_OF_A,
    ),
    Url(
        "esafe document download", "GET",
        lambda world: reverse("dossiers:esafe-download", args=[world.document.public_id]),
        {"entrepreneur_x"},
    ),
    Url("acknowledge", "POST", bo("acknowledge"), STAFF_OF_A, 302, state_a=A.DELIVERED, assigned=False),
    Url("take into review", "POST", bo("take"), STAFF_OF_A, 302, state_a=A.RECEIVED, assigned=False),
    Url(
        "request information", "POST", bo("request_information"), HANDLERS_OF_A, 302,
        data=lambda world: {"message": "Send your diploma."},
    ),
    Url(
        "decide", "POST", bo("decide"), HANDLERS_OF_A, 302,
        data=lambda world: {"outcome": "refused", "reasons": "Premises too small."},
    ),
    Url(
        "reassign", "POST", bo("reassign"), {"supervisor_a"}, 302,
        data=lambda world: {"assignee": str(world.users["other_clerk_a"].pk)},
    ),
    Url("dossier resume", "GET", dossier_url("resume"), {"entrepreneur_x"}, 302),
    Url("dossier review", "GET", dossier_url("review"), {"entrepreneur_x"}),
    Url("dossier review (post)", "POST", dossier_url("review"), {"entrepreneur_x"}, 302),
    Url(
        "dossier step", "GET",
        lambda world: reverse("dossiers:step", args=[world.app_a.dossier.public_id, world.app_a.public_id]),
        {"entrepreneur_x"},
    ),
    Url(
        "dossier autosave", "POST",
        lambda world: reverse("dossiers:autosave", args=[world.app_a.dossier.public_id, world.app_a.public_id]),
        {"entrepreneur_x"}, 409, data=lambda world: {"business__name": "Mallory Ltd"},
    ),
    Url(
        "application status", "GET",
        lambda world: reverse("dossiers:application", args=[world.app_a.dossier.public_id, world.app_a.public_id]),
        {"entrepreneur_x"},
    ),
    Url(
        "application reply", "POST",
        lambda world: reverse("dossiers:application", args=[world.app_a.dossier.public_id, world.app_a.public_id]),
        {"entrepreneur_x"}, 302, data=lambda world: {"body": "Here it is."},
        state_a=A.MORE_INFORMATION_REQUESTED,
    ),
    Url(
        "signature validation report", "GET",
        lambda world: reverse("signing:report", args=[world.report.pk]),
        {"entrepreneur_x", *STAFF_OF_A, "operator"},
    ),
]  # fmt: skip


def snapshot_of(world: World) -> tuple:
    world.app_a.refresh_from_db()
    case = world.app_a.backoffice_case
    case.refresh_from_db()
    return (
        world.app_a.state,
        world.app_a.state_changes.count(),
        case.assignee_id,
        ApplicationMessage.objects.count(),
        world.app_a.dossier.answers,
    )


def assert_denied(response, party: str) -> None:
    if party == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(LOGIN), response
    elif party == "member_a_without_mfa":
        assert response.status_code == 302 and response["Location"] == MFA_SET_UP, response
    else:
        assert response.status_code in (403, 404), (party, response.status_code)
    body = response.content.decode(errors="replace")
    for secret in SECRETS:
        assert secret not in body


@pytest.mark.parametrize("party", PARTIES)
@pytest.mark.parametrize("url", URLS, ids=lambda url: url.name)
def test_matrix(client, url, party):
    world = build_world(url.state_a, assigned=url.assigned)
    if world.users[party] is not None:
        client.force_login(world.users[party])
    before = snapshot_of(world)
    path = url.path(world)
    response = client.get(path) if url.method == "GET" else client.post(path, url.data(world))
    if party in url.allowed:
        assert response.status_code == url.ok_status, (party, response.status_code, response.content[:500])
        if url.method == "POST" and url.ok_status == 302:
            assert not response["Location"].startswith((LOGIN, "/en/accounts/2fa/")), response["Location"]
    else:
        assert_denied(response, party)
        assert snapshot_of(world) == before, "a refused request changed something"


def test_allowed_actions_have_their_effect(client):
    """The positive side of the matrix's POSTs: the allowed party's action really happened."""
    world = build_world(A.IN_REVIEW, assigned=True)
    client.force_login(world.users["clerk_a"])
    client.post(bo("request_information")(world), {"message": "Send your diploma."})
    world.app_a.refresh_from_db()
    assert world.app_a.state == A.MORE_INFORMATION_REQUESTED
    client.force_login(world.users["entrepreneur_x"])
    page = client.get(
        reverse("dossiers:application", args=[world.app_a.dossier.public_id, world.app_a.public_id])
    )
    assert "Send your diploma." in page.content.decode()


@pytest.mark.parametrize("party", PARTIES)
def test_inbox_shows_only_the_parties_own_authorities(client, party):
    world = build_world(A.IN_REVIEW, assigned=True)
    if world.users[party] is not None:
        client.force_login(world.users[party])
    response = client.get(reverse("backoffice:inbox"))
    body = response.content.decode()
    if party in STAFF_OF_A:
        assert response.status_code == 200
        assert str(world.app_a.public_id) in body and str(world.app_b.public_id) not in body
    elif party == "clerk_b":
        assert response.status_code == 200
        assert str(world.app_b.public_id) in body and str(world.app_a.public_id) not in body
    else:
        assert_denied(response, party)
        assert str(world.app_a.public_id) not in body and str(world.app_b.public_id) not in body


@pytest.mark.parametrize("party", PARTIES)
def test_dashboard_lists_only_the_parties_own_dossiers(client, party):
    world = build_world(A.IN_REVIEW, assigned=True)
    if world.users[party] is not None:
        client.force_login(world.users[party])
    response = client.get(reverse("dossiers:dashboard"))
    body = response.content.decode()
    if party in ("entrepreneur_x", "entrepreneur_y") or party in STAFF_OF_A | {"clerk_b", "operator"}:
        assert response.status_code == 200
        assert (str(world.app_a.dossier.public_id) in body) is (party == "entrepreneur_x")
        assert (str(world.app_b.dossier.public_id) in body) is (party == "entrepreneur_y")
    else:
        assert_denied(response, party)


def test_ids_mixed_across_dossiers_are_a_404(client):
    """X's dossier id with Y's application id (or the reverse) does not reach Y's application."""
    world = build_world(A.MORE_INFORMATION_REQUESTED, assigned=True)
    client.force_login(world.users["entrepreneur_x"])
    mixed = reverse("dossiers:application", args=[world.app_a.dossier.public_id, world.app_b.public_id])
    assert client.get(mixed).status_code == 404
    assert client.post(mixed, {"body": "hello"}).status_code == 404
    foreign = reverse("dossiers:application", args=[world.app_b.dossier.public_id, world.app_b.public_id])
    assert client.get(foreign).status_code == 404
    assert not ApplicationMessage.objects.filter(kind="information_reply").exists()


def test_back_office_with_unknown_and_malformed_ids(client):
    world = build_world(A.IN_REVIEW, assigned=True)
    client.force_login(world.users["supervisor_a"])
    assert client.get("/en/backoffice/applications/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/en/backoffice/applications/not-a-uuid/").status_code == 404
    assert client.get(reverse("backoffice:detail", args=[world.app_b.public_id])).status_code == 404


def test_staff_get_the_applicants_document_as_sent_and_listed_on_the_case(client):
    world = build_world(A.IN_REVIEW, assigned=True)
    client.force_login(world.users["clerk_a"])
    detail = client.get(bo("detail")(world)).content.decode()
    url = reverse("backoffice:document", args=[world.app_a.public_id, world.document.public_id])
    assert f'href="{url}"' in detail and "diploma.pdf" in detail
    response = client.get(url)
    assert response.content == DIPLOMA
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
