"""Submitting a signed dossier and following its delivery (thin views over services and selectors).

Every view reads the dossier through ``dossiers.selectors.dossier_of(request.user, ...)``: another
user's dossier is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from portal.core.downloads import file_response
from portal.dossiers.selectors import dossier_of
from portal.dossiers.states import DossierState
from portal.submissions import services
from portal.submissions.channels import channel_label
from portal.submissions.selectors import dossier_delivery, receipt_evidence


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, public_id) -> HttpResponse:
    dossier = dossier_of(request.user, public_id)
    error = None
    if request.method == "POST":
        try:
            services.submit(dossier, request.user)
        except services.DossierError as refused:
            error = str(refused)
        else:
            messages.success(request, _("Your dossier has been submitted. You can follow its delivery here."))
            return redirect("submissions:submission_status", public_id=dossier.public_id)
    if dossier.state == DossierState.SUBMITTED and error is None:
        return redirect("submissions:submission_status", public_id=dossier.public_id)
    context = {
        "dossier": dossier,
        "error": error,
        "can_submit": dossier.state == DossierState.SIGNED,
        "applications": [
            {
                "title": application.procedure_snapshot.get("title", ""),
                "authority": application.procedure_snapshot.get("authority", {}).get("name", ""),
                "channel": channel_label(application),
            }
            for application in dossier.applications.all()
        ],
    }
    return render(request, "submissions/submit.html", context, status=400 if error else 200)


@login_required
@require_GET
def submission_status(request: HttpRequest, public_id) -> HttpResponse:
    dossier = dossier_of(request.user, public_id)
    rows = dossier_delivery(dossier)
    context = {"dossier": dossier, "rows": rows, "pending": any(row["status"].pending for row in rows)}
    if request.headers.get("HX-Request") == "true":
        return render(request, "submissions/_submission_status.html", context)
    return render(request, "submissions/submission_status.html", context)


@login_required
@require_GET
def receipt(request: HttpRequest, public_id, application_id) -> HttpResponse:
    dossier = dossier_of(request.user, public_id)
    application = dossier.applications.filter(public_id=application_id).first()
    evidence = receipt_evidence(application) if application else None
    if evidence is None:
        raise Http404("No receipt for this application yet.")
    content, media_type, filename = evidence
    return file_response(content, filename, media_type)
