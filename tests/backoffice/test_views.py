"""Back-office pages over HTTP: the inbox sorted by deadline and filtered, the detail page, the action
forms with their errors, and the applicant's side."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.backoffice.models import Case
from portal.dossiers.models import StateChange
from portal.dossiers.states import ApplicationState as A
from tests.backoffice.conftest import AUTHORITY_A, AUTHORITY_B, submitted_application
from tests.factories import AuthorityStaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_clerk(client, clerk_a):
    client.force_login(clerk_a)
    return client


def test_inbox_is_sorted_by_deadline_and_skips_closed_applications(as_clerk, entrepreneur_x, entrepreneur_y):
    late = submitted_application(entrepreneur_x, AUTHORITY_A, title="Late procedure", tacit_approval_days=40)
    soon = submitted_application(entrepreneur_y, AUTHORITY_A, title="Soon procedure", tacit_approval_days=5)
    untimed = submitted_application(
        entrepreneur_y,
        AUTHORITY_A,
        title="Untimed procedure",
        processing_time_days=None,
        tacit_approval=False,
    )
    submitted_application(entrepreneur_x, AUTHORITY_A, title="Decided procedure", state=A.APPROVED)
    submitted_application(entrepreneur_x, AUTHORITY_B, title="Other authority procedure")
    body = as_clerk.get(reverse("backoffice:inbox")).content.decode()
    order = [body.index(title) for title in ("Soon procedure", "Late procedure", "Untimed procedure")]
    assert order == sorted(order)
    assert "Decided procedure" not in body and "Other authority procedure" not in body
    assert "3 applications" in body
    assert {late.backoffice_case.pk, soon.backoffice_case.pk, untimed.backoffice_case.pk} <= set(
        Case.objects.values_list("pk", flat=True)
    )


def test_inbox_filters_by_state_and_assignment(as_clerk, clerk_a, entrepreneur_x):
    submitted_application(entrepreneur_x, AUTHORITY_A, title="Approved one", state=A.APPROVED)
    mine = submitted_application(entrepreneur_x, AUTHORITY_A, title="Mine", state=A.IN_REVIEW)
    Case.objects.filter(application=mine).update(assignee=clerk_a)
    submitted_application(entrepreneur_x, AUTHORITY_A, title="Unassigned", state=A.IN_REVIEW)
    approved = as_clerk.get(reverse("backoffice:inbox"), {"state": "approved"}).content.decode()
    assert "Approved one" in approved and "Mine" not in approved
    assigned = as_clerk.get(reverse("backoffice:inbox"), {"state": "", "mine": "on"}).content.decode()
    assert "Mine" in assigned and "Unassigned" not in assigned


def test_inbox_with_a_bad_filter_explains_instead_of_failing(as_clerk):
    response = as_clerk.get(reverse("backoffice:inbox"), {"state": "draft"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_detail_shows_procedure_applicant_answers_deadlines_and_history(as_clerk, entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    body = as_clerk.get(reverse("backoffice:detail", args=[application.public_id])).content.decode()
    for expected in ("Craft business registration", "ana@example.pt", "Business name", "Salão Ana",
                     "Do you employ staff?", "Tacit approval on", "Delivered", "Acknowledge receipt",
                     "Take into review (assign to me)", "No document attached."):  # fmt: skip
        assert expected in body, expected
    # a clerk who is not assigned gets no request/decision form
    assert "Record the decision" not in body and "Send the request" not in body


def test_the_application_pdf_is_rendered_for_staff(as_clerk, entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    response = as_clerk.get(reverse("backoffice:pdf", args=[application.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_take_request_and_the_applicant_replies(as_clerk, entrepreneur_x, mailoutbox):
    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    detail = reverse("backoffice:detail", args=[application.public_id])
    assert as_clerk.post(reverse("backoffice:take", args=[application.public_id]))["Location"] == detail
    page = as_clerk.get(detail).content.decode()
    assert "The application is in review and assigned to you." in page and "Send the request" in page

    empty = as_clerk.post(
        reverse("backoffice:request_information", args=[application.public_id]), {"message": " "}
    )
    assert empty.status_code == 400
    assert "Write what the applicant must send or explain." in empty.content.decode()
    application.refresh_from_db()
    assert application.state == A.IN_REVIEW

    as_clerk.post(
        reverse("backoffice:request_information", args=[application.public_id]),
        {"message": "Send your <b>diploma</b>."},
    )
    application.refresh_from_db()
    assert application.state == A.MORE_INFORMATION_REQUESTED
    assert "Send your <b>diploma</b>." in mailoutbox[-1].body

    client = Client()
    client.force_login(entrepreneur_x)
    status = reverse("dossiers:application", args=[application.dossier.public_id, application.public_id])
    page = client.get(status).content.decode()
    assert "Send your &lt;b&gt;diploma&lt;/b&gt;." in page  # escaped
    assert "More information requested" in page and "Send my reply" in page
    assert client.post(status, {"body": ""}).status_code == 400
    response = client.post(status, {"body": "My diploma is attached."}, follow=True)
    assert "Your reply was sent to the authority." in response.content.decode()
    application.refresh_from_db()
    assert application.state == A.IN_REVIEW
    assert "My diploma is attached." in as_clerk.get(detail).content.decode()


def test_decision_form_errors_and_a_recorded_refusal(as_clerk, clerk_a, entrepreneur_x):
    application = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.IN_REVIEW)
    Case.objects.filter(application=application).update(assignee=clerk_a)
    url = reverse("backoffice:decide", args=[application.public_id])
    response = as_clerk.post(url, {"outcome": "approved", "reasons": ""})
    assert response.status_code == 400 and "Give the reasons for the decision." in response.content.decode()
    assert as_clerk.post(url, {"outcome": "withdrawn", "reasons": "x"}).status_code == 400
    as_clerk.post(url, {"outcome": "refused", "reasons": "The premises are too small."})
    application.refresh_from_db()
    assert application.state == A.REFUSED
    client = Client()
    client.force_login(entrepreneur_x)
    page = client.get(
        reverse("dossiers:application", args=[application.dossier.public_id, application.public_id])
    )
    assert "The premises are too small." in page.content.decode() and "Refused" in page.content.decode()
    again = as_clerk.post(url, {"outcome": "approved", "reasons": "Changed my mind."}, follow=True)
    assert "cannot be decided now" in again.content.decode()
    application.refresh_from_db()
    assert application.state == A.REFUSED


def test_supervisor_reassigns_within_the_authority_only(client, supervisor_a, clerk_b, entrepreneur_x):
    colleague = AuthorityStaffFactory(email="carla@crafts.example.eu", memberships={AUTHORITY_A: "clerk"})
    application = submitted_application(entrepreneur_x, AUTHORITY_A, state=A.IN_REVIEW)
    client.force_login(supervisor_a)
    url = reverse("backoffice:reassign", args=[application.public_id])
    page = client.get(reverse("backoffice:detail", args=[application.public_id])).content.decode()
    assert "carla@crafts.example.eu" in page and clerk_b.email not in page
    assert client.post(url, {"assignee": str(clerk_b.pk)}).status_code == 400
    client.post(url, {"assignee": str(colleague.pk)})
    assert Case.objects.get(application=application).assignee == colleague


def test_staff_see_the_validation_report_of_their_authoritys_applications_only(
    client, clerk_a, clerk_b, entrepreneur_x
):
    from portal.signing.models import SigningRequest, StoredValidationReport

    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    report = StoredValidationReport.objects.create(
        filename="a.pdf", sha256="1" * 64, indication="TOTAL_PASSED", report={"signatures": []}
    )
    application.signing_request = SigningRequest.objects.create(
        key="k", signer="test", filename="a.pdf", source_name="a.pdf", source_sha256="1" * 64, report=report
    )
    application.save()
    client.force_login(clerk_a)
    assert client.get(reverse("signing:report", args=[report.pk])).status_code == 200
    client.force_login(clerk_b)
    assert client.get(reverse("signing:report", args=[report.pk])).status_code == 404


def test_the_header_links_the_back_office_for_staff_only(client, clerk_a, entrepreneur_x, demo_site):
    client.force_login(entrepreneur_x)
    assert reverse("backoffice:inbox") not in client.get("/en/").content.decode()
    client.force_login(clerk_a)
    assert reverse("backoffice:inbox") in client.get("/en/").content.decode()


def test_the_inbox_shows_each_deadline(as_clerk, entrepreneur_x):
    """The deadline column shows the case's due date, computed on delivery."""
    application = submitted_application(entrepreneur_x, AUTHORITY_A, tacit_approval_days=10)
    delivered = StateChange.objects.get(application=application, to_state=A.DELIVERED).at
    due = timezone.localtime(delivered + datetime.timedelta(days=10)).isoformat()
    assert due in as_clerk.get(reverse("backoffice:inbox")).content.decode()


def test_pages_in_french_and_the_applicant_written_to_in_the_dossiers_language(
    client, clerk_a, entrepreneur_x, mailoutbox
):
    application = submitted_application(entrepreneur_x, AUTHORITY_A)
    application.dossier.language = "de"
    application.dossier.save()
    client.force_login(clerk_a)
    inbox = client.get("/fr/backoffice/").content.decode()
    assert "Boîte de réception" in inbox
    client.post(f"/fr/backoffice/applications/{application.public_id}/acknowledge/")
    (email,) = mailoutbox
    assert email.subject.startswith("Ihr Antrag ist eingegangen")
    assert "hat Ihren Antrag „Craft business registration“ erhalten" in email.body
    assert f"/de/dossiers/{application.dossier.public_id}/" in email.body


def test_the_inbox_marks_deadlines_that_are_near(as_clerk, entrepreneur_x):
    submitted_application(entrepreneur_x, AUTHORITY_A, title="Urgent procedure", tacit_approval_days=1)
    submitted_application(entrepreneur_x, AUTHORITY_A, title="Calm procedure", tacit_approval_days=30)
    body = as_clerk.get(reverse("backoffice:inbox")).content.decode()
    urgent_row = body[body.index("Urgent procedure") - 600 : body.index("Urgent procedure")]
    calm_row = body[body.index("Calm procedure") - 600 : body.index("Calm procedure")]
    assert "due soon" in urgent_row and "due soon" not in calm_row
