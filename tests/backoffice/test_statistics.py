"""The back-office statistics: each authority's open work and closed applications, only the
authorities the user works for, and a clear error for a period that is not offered."""

from __future__ import annotations

import datetime

import lxml.html
import pytest
from django.utils import timezone

from portal.backoffice import selectors
from portal.backoffice.models import Case
from portal.dossiers.states import ApplicationState as A
from tests.backoffice.conftest import AUTHORITY_A, AUTHORITY_B, submitted_application

pytestmark = pytest.mark.django_db
URL = "/en/backoffice/statistics/"


@pytest.fixture
def workload(entrepreneur_x, entrepreneur_y):
    for state in (A.DELIVERED, A.IN_REVIEW, A.IN_REVIEW, A.MORE_INFORMATION_REQUESTED, A.APPROVED, A.REFUSED):
        submitted_application(entrepreneur_x, AUTHORITY_A, state=state)
    submitted_application(entrepreneur_y, AUTHORITY_B, state=A.IN_REVIEW)
    now = timezone.now()
    in_review = Case.objects.filter(authority_identifier=AUTHORITY_A, application__state=A.IN_REVIEW)
    overdue, due_soon = in_review.order_by("id")
    Case.objects.filter(pk=overdue.pk).update(due_at=now - datetime.timedelta(days=1))
    Case.objects.filter(pk=due_soon.pk).update(due_at=now + datetime.timedelta(days=1))
    refused = Case.objects.get(authority_identifier=AUTHORITY_A, application__state=A.REFUSED)
    # refused after its time limit; the approval came in time (its clock: delivery + 30 days)
    Case.objects.filter(pk=refused.pk).update(
        closed_at=now, decision_due_at=now - datetime.timedelta(days=2),
        clock_started_at=now - datetime.timedelta(days=40),
    )  # fmt: skip


def figures_for(user):
    now = timezone.now()
    return selectors.statistics(
        user, since=now - datetime.timedelta(days=90), now=now, warn_before=now + datetime.timedelta(days=5)
    )


def test_an_authoritys_open_work_and_closed_applications(clerk_a, workload):
    (chamber,) = figures_for(clerk_a)
    assert chamber.name == "Chamber of Crafts"
    assert dict(chamber.open_by_state) == {
        "Delivered": 1, "Received by the authority": 0, "In review": 2, "More information requested": 1,
    }  # fmt: skip
    assert (chamber.open_total, chamber.overdue, chamber.due_soon) == (4, 1, 1)
    assert dict(chamber.closed_by_state) == {
        "Approved": 1,
        "Refused": 1,
        "Tacitly approved": 0,
        "Withdrawn": 0,
    }
    assert (chamber.decided, chamber.decided_in_time) == (2, 1)
    assert chamber.median_days_to_close == pytest.approx(20, abs=0.1)  # 0 days and 40 days


def test_the_page_shows_only_the_authorities_the_user_works_for(client, clerk_a, clerk_b, workload):
    client.force_login(clerk_a)
    main = lxml.html.fromstring(client.get(URL).content).xpath("string(//main)")
    assert "Chamber of Crafts" in main and "Trade Licensing Office" not in main
    assert "4 open applications" in main and "2 applications closed in the last 90 days" in main
    assert "1 of 2" in main
    client.force_login(clerk_b)
    main = lxml.html.fromstring(client.get(URL).content).xpath("string(//main)")
    assert "Trade Licensing Office" in main and "Chamber of Crafts" not in main
    assert "1 open application" in main


def test_entrepreneurs_and_visitors_do_not_see_statistics(client, entrepreneur_x, workload):
    assert client.get(URL)["Location"].startswith("/en/accounts/login/")
    client.force_login(entrepreneur_x)
    assert client.get(URL).status_code == 403


def test_a_period_that_is_not_offered_is_explained(client, clerk_a, workload):
    client.force_login(clerk_a)
    response = client.get(URL + "?days=7")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert client.get(URL + "?days=365").status_code == 200


def test_the_page_speaks_the_staffs_language(client, clerk_a, workload):
    client.force_login(clerk_a)
    main = lxml.html.fromstring(client.get("/fr/backoffice/statistics/").content).xpath("string(//main)")
    assert "4 demandes ouvertes" in main and "2 demandes clôturées ces 90 derniers jours" in main
    assert "Décidées dans le délai" in main and "1 sur 2" in main
