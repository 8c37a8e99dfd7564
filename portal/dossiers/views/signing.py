"""The signing step's pages: what will be signed, the QTSP's consent and its return, the progress.

Thin views over ``portal.dossiers.signature``. Every page reads the dossier through
``selectors.dossier_of`` (another user's dossier is a 404). The session's level of assurance is
checked before the user is sent to the QTSP and again when they come back."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import aiohttp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.selectors import session_level_of_assurance
from portal.accounts.services import describe_level
from portal.core.downloads import file_response
from portal.dossiers import selectors, signature
from portal.dossiers.states import DossierState
from portal.signing import selectors as signing_selectors
from portal.signing import services as signing_services
from portal.signing.csc import CSCError
from portal.signing.models import SigningBatch
from portal.signing.pdf_sign import PdfSigningError
from portal.signing.services import SigningBatchError, batch_consent_url
from portal.signing.signers import SignerConfigurationError

logger = logging.getLogger(__name__)

QTSP_UNAVAILABLE = (
    aiohttp.ClientError,
    TimeoutError,
    CSCError,
    PdfSigningError,
    SignerConfigurationError,
    OSError,
)


def _sign_url(dossier) -> str:
    return reverse("dossiers:sign", args=[dossier.public_id])


def _status_url(dossier) -> str:
    return reverse("dossiers:sign-status", args=[dossier.public_id])


def _qtsp_name() -> str:
    try:
        return signing_selectors.signer_display_name()
    except SignerConfigurationError:
        return _("the trust service")


def _step_up(request: HttpRequest, dossier, shortfalls) -> HttpResponse:
    """The session's level of assurance is too low for at least one procedure: explain, offer the eID."""
    level = signature.required_level(dossier)
    query = urlencode({"level": level, "next": _sign_url(dossier)})
    context = {
        "dossier": dossier,
        "shortfalls": [
            {"procedure": s.procedure, "authority": s.authority, "level": describe_level(s.level)}
            for s in shortfalls
        ],
        "current_level": describe_level(session_level_of_assurance(request) or "low"),
        "step_up_url": f"{reverse('accounts:step_up')}?{query}",
    }
    return render(request, "dossiers/sign_step_up.html", context, status=403)


def _not_signable(request: HttpRequest, dossier) -> HttpResponse:
    if dossier.state in (DossierState.SIGNED, DossierState.SUBMITTED):
        return redirect(_status_url(dossier))
    messages.error(request, _("Check your answers and confirm them before you sign."))
    return redirect("dossiers:review", public_id=dossier.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def sign(request: HttpRequest, public_id) -> HttpResponse:
    """GET: what will be signed, by whom, with which trust service. POST: off to the QTSP."""
    dossier = selectors.dossier_of(request.user, public_id)
    if dossier.state != DossierState.READY_FOR_SIGNATURE:
        return _not_signable(request, dossier)
    shortfalls = signature.level_shortfalls(dossier, session_level_of_assurance(request))
    if shortfalls:
        return _step_up(request, dossier, shortfalls)
    if request.method == "POST":
        callback = request.build_absolute_uri(reverse("dossiers:sign-return"))
        try:
            batch = signature.start_signing(dossier, redirect_uri=callback)
            if batch.status == SigningBatch.Status.AWAITING_CONSENT:
                return redirect(batch_consent_url(batch))
        except SigningBatchError as error:
            logger.warning("dossier %s: signing could not start: %s", dossier.public_id, error)
            messages.error(
                request,
                _(
                    "%(qtsp)s can sign at most %(count)s documents with one authorisation; this dossier has "
                    "more applications. Please contact the help desk."
                )
                % {"qtsp": _qtsp_name(), "count": signing_services.MAX_BATCH},
            )
            return redirect(_sign_url(dossier))
        except QTSP_UNAVAILABLE as error:
            logger.warning("dossier %s: signing could not start: %s", dossier.public_id, error)
            messages.error(
                request,
                _(
                    "%(qtsp)s cannot be reached right now. Nothing was signed; please try again in a few minutes."
                )
                % {"qtsp": _qtsp_name()},
            )
            return redirect(_sign_url(dossier))
        return redirect(_status_url(dossier))
    try:
        certificate = signing_selectors.signer_certificate_subject()
    except QTSP_UNAVAILABLE:
        certificate = ""
    progress = signature.signing_progress(dossier)
    context = {
        "dossier": dossier,
        "applications": [row.application for row in progress],
        "in_progress": any(row.status in ("signing", "signed") for row in progress),
        "qtsp": _qtsp_name(),
        "certificate": certificate,
    }
    return render(request, "dossiers/sign.html", context)


@login_required
@require_GET
def sign_return(request: HttpRequest) -> HttpResponse:
    """Where the QTSP sends the user back (``code`` or ``error``, and ``state``): one address for
    every dossier, as QTSPs register their clients' redirect URIs. Reload-safe."""
    batch, dossier_id = signature.batch_for_consent(request.GET.get("state", ""))
    if batch is None:
        messages.error(
            request,
            _(
                "This answer from the trust service does not belong to a signature of this dossier. Nothing was signed."
            ),
        )
        return redirect("dossiers:dashboard")
    dossier = selectors.dossier_of(request.user, dossier_id)  # another user's: 404
    if dossier.state == DossierState.SIGNED:
        return redirect(_status_url(dossier))
    shortfalls = signature.level_shortfalls(dossier, session_level_of_assurance(request))
    if shortfalls:
        return _step_up(request, dossier, shortfalls)
    try:
        batch = signature.consent_returned(
            dossier, batch, code=request.GET.get("code"), error=request.GET.get("error")
        )
    except signature.SigningStepError:
        messages.error(
            request,
            _(
                "Your dossier changed since you started signing, so nothing was signed. Check it and sign again."
            ),
        )
        return redirect("dossiers:review", public_id=dossier.public_id)
    if batch.status == SigningBatch.Status.REFUSED:
        messages.error(
            request,
            _(
                "You did not authorise the signature at %(qtsp)s (or the code was not accepted). "
                "Nothing was signed. You can start again."
            )
            % {"qtsp": _qtsp_name()},
        )
        return redirect(_sign_url(dossier))
    return redirect(_status_url(dossier))


@login_required
@require_GET
def sign_status(request: HttpRequest, public_id) -> HttpResponse:
    """Per application: signing / signed / failed. htmx polls the panel while anything is signing;
    without JavaScript the page is reloaded. Completes the dossier once everything is signed."""
    dossier = selectors.dossier_of(request.user, public_id)
    progress = signature.signing_progress(dossier)
    if (
        dossier.state == DossierState.READY_FOR_SIGNATURE
        and progress
        and all(r.status == "signed" for r in progress)
    ):
        try:
            signature.complete_if_signed(dossier, actor=request.user)
        except DatabaseError as error:  # e.g. SQLite busy while the worker completes it: it will
            logger.warning("dossier %s: not completed from the status page: %s", dossier.public_id, error)
    rows = [
        {
            "application": row.application,
            "status": row.status,
            "request": row.request,
            "error": row.request.error if row.request and row.status == "failed" else "",
        }
        for row in progress
    ]
    context = {
        "dossier": dossier,
        "rows": rows,
        "signing": any(row["status"] == "signing" for row in rows),
        "failed": any(row["status"] == "failed" for row in rows),
        "can_sign": dossier.state == DossierState.READY_FOR_SIGNATURE,
        "qtsp": _qtsp_name(),
        "status_url": _status_url(dossier),
    }
    template = (
        "dossiers/_sign_status.html" if request.headers.get("HX-Request") else "dossiers/sign_status.html"
    )
    return render(request, template, context)


def _application(dossier, application_id):
    application = dossier.applications.filter(public_id=application_id).first()
    if application is None:
        raise Http404("No such application in this dossier.")
    return application


@login_required
@require_GET
def signed_application_pdf(request: HttpRequest, public_id, application_id) -> HttpResponse:
    dossier = selectors.dossier_of(request.user, public_id)
    application = _application(dossier, application_id)
    row = next(r for r in signature.signing_progress(dossier) if r.application.pk == application.pk)
    data = selectors.signed_application_pdf(application) if row.status == "signed" else None
    if data is None:
        raise Http404("This application is not signed yet.")
    filename = signature.application_filename(application).replace(".pdf", "-signed.pdf")
    return file_response(data, filename, "application/pdf")
