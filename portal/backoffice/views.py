"""The authority's back-office pages: thin views over selectors (scoped by membership in the query)
and services (which check the role again)."""

from __future__ import annotations

import datetime
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.selectors import authorities_of, profile_for
from portal.backoffice import selectors, services
from portal.backoffice.forms import (
    DecisionForm,
    InboxFilterForm,
    ReassignForm,
    RequestInformationForm,
    StatisticsPeriodForm,
)
from portal.core.downloads import file_response
from portal.dossiers import pdf as application_pdfs
from portal.dossiers.documents import read_document
from portal.dossiers.pdf import application_rows
from portal.dossiers.selectors import signed_application_pdf
from portal.dossiers.snapshot import procedure_terms
from portal.dossiers.states import ApplicationState

A = ApplicationState
PAGE_SIZE = 50


def authority_staff_required(view):
    """Signed in (else the sign-in page) and a member of at least one authority (else 403). MFA is
    enforced before any of this by accounts.middleware.StaffMFARequiredMiddleware."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not authorities_of(request.user):
            raise PermissionDenied("The back-office is for the staff of competent authorities.")
        return view(request, *args, **kwargs)

    return wrapper


@authority_staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    form = InboxFilterForm(request.GET or None, states=selectors.BACKOFFICE_STATES)
    state, mine = "", False
    status = 200
    if form.is_bound:
        if form.is_valid():
            state, mine = form.cleaned_data["state"], form.cleaned_data["mine"]
        else:
            status = 400
    cases = selectors.inbox(request.user, state=state or None, assigned_to_me=mine)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "cases": page.object_list,
        "state": state,
        "mine": mine,
        "now": timezone.now(),
        "warn_before": timezone.now() + datetime.timedelta(days=settings.BACKOFFICE_TACIT_WARNING_DAYS),
    }
    return render(request, "backoffice/inbox.html", context, status=status)


@authority_staff_required
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    form = StatisticsPeriodForm(request.GET or None)
    days, status = 90, 200
    if form.is_bound:
        if form.is_valid():
            days = form.cleaned_data["days"]
        else:
            status = 400
    now = timezone.now()
    figures = selectors.statistics(
        request.user,
        since=now - datetime.timedelta(days=days),
        now=now,
        warn_before=now + datetime.timedelta(days=settings.BACKOFFICE_TACIT_WARNING_DAYS),
    )
    context = {"form": form, "days": days, "authorities": figures}
    return render(request, "backoffice/statistics.html", context, status=status)


def _detail(request: HttpRequest, case, *, status: int = 200, **forms) -> HttpResponse:
    application = case.application
    owner = application.dossier.owner
    report = application.signing_request.report if application.signing_request_id else None
    actions = selectors.available_actions(case, request.user)
    context = {
        "case": case,
        "application": application,
        "procedure": application.procedure_snapshot,
        "terms": procedure_terms(application.procedure_snapshot),
        "applicant": owner,
        "profile": profile_for(owner),
        "rows": application_rows(application),
        "documents": selectors.attached_documents(application),
        "report": report,
        "history": [
            {
                "at": change.at,
                "state": A(change.to_state).label,
                "by": change.system_actor or change.actor,
                "reason": change.reason,
            }
            for change in selectors.application_history(case)
        ],
        "correspondence": selectors.correspondence(case),
        "role": actions.role,
        "actions": actions,
        "request_form": forms.get("request_form") or RequestInformationForm(),
        "decision_form": forms.get("decision_form") or DecisionForm(),
        "reassign_form": forms.get("reassign_form")
        or (ReassignForm(members=selectors.colleagues(case)) if actions.reassign else None),
    }
    return render(request, "backoffice/detail.html", context, status=status)


@authority_staff_required
@require_GET
def detail(request: HttpRequest, application_id) -> HttpResponse:
    return _detail(request, selectors.case_for(request.user, application_id))


@authority_staff_required
@require_GET
def application_pdf(request: HttpRequest, application_id) -> HttpResponse:
    """The signed application PDF when there is one, else the application rendered now."""
    case = selectors.case_for(request.user, application_id)
    signed = signed_application_pdf(case.application)
    body = signed if signed is not None else application_pdfs.application_pdf(case.application)
    kind = "signed" if signed is not None else "unsigned"
    filename = f"application-{case.application.public_id}-{kind}.pdf"
    return file_response(body, filename, "application/pdf", inline=True)


@authority_staff_required
@require_GET
def document(request: HttpRequest, application_id, document_id) -> HttpResponse:
    """A document the applicant sent, to the staff of the receiving authority, as an attachment the
    browser does not sniff or run."""
    case = selectors.case_for(request.user, application_id)
    attached = selectors.attached_document(case.application, document_id)
    return file_response(read_document(attached), attached.display_name, attached.mime_type)


def _done(request: HttpRequest, case, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("backoffice:detail", application_id=case.application.public_id)


def _refused(request: HttpRequest, case, error: Exception) -> HttpResponse:
    messages.error(request, str(error))
    return redirect("backoffice:detail", application_id=case.application.public_id)


@authority_staff_required
@require_POST
def acknowledge(request: HttpRequest, application_id) -> HttpResponse:
    case = selectors.case_for(request.user, application_id)
    try:
        services.acknowledge_receipt(case, actor=request.user)
    except services.BackofficeError as error:
        return _refused(request, case, error)
    return _done(request, case, _("Receipt acknowledged; the applicant was told the time limits."))


@authority_staff_required
@require_POST
def take(request: HttpRequest, application_id) -> HttpResponse:
    case = selectors.case_for(request.user, application_id)
    try:
        services.take_into_review(case, actor=request.user)
    except services.BackofficeError as error:
        return _refused(request, case, error)
    return _done(request, case, _("The application is in review and assigned to you."))


@authority_staff_required
@require_POST
def reassign(request: HttpRequest, application_id) -> HttpResponse:
    case = selectors.case_for(request.user, application_id)
    if selectors.available_actions(case, request.user).refusal(selectors.Action.REASSIGN) in (
        selectors.Refusal.NOT_MEMBER,
        selectors.Refusal.NOT_SUPERVISOR,
    ):
        raise PermissionDenied("Only a supervisor reassigns applications.")
    form = ReassignForm(request.POST, members=selectors.colleagues(case))
    if not form.is_valid():
        return _detail(request, case, status=400, reassign_form=form)
    try:
        services.reassign(case, actor=request.user, assignee=form.cleaned_data["assignee"])
    except services.BackofficeError as error:
        return _refused(request, case, error)
    return _done(request, case, _("Assigned to %(person)s.") % {"person": form.cleaned_data["assignee"]})


@authority_staff_required
@require_POST
def request_information(request: HttpRequest, application_id) -> HttpResponse:
    case = selectors.case_for(request.user, application_id)
    form = RequestInformationForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, request_form=form)
    try:
        services.request_information(case, actor=request.user, message=form.cleaned_data["message"])
    except services.BackofficeError as error:
        return _refused(request, case, error)
    return _done(
        request, case, _("Your request was sent to the applicant. The time limit stops until they reply.")
    )


@authority_staff_required
@require_POST
def decide(request: HttpRequest, application_id) -> HttpResponse:
    case = selectors.case_for(request.user, application_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, case, status=400, decision_form=form)
    try:
        services.decide(
            case,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            reasons=form.cleaned_data["reasons"],
        )
    except services.BackofficeError as error:
        return _refused(request, case, error)
    return _done(request, case, _("Your decision was recorded and sent to the applicant."))
