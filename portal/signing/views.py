"""Thin views: a stored validation report as HTML and as JSON, for whoever may see it."""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from portal.core.downloads import file_response

from .selectors import viewable_report

INDICATIONS = {
    "TOTAL_PASSED": (_("Valid"), _("Every signature was validated and covers the whole file."), "passed"),
    "TOTAL_FAILED": (
        _("Not valid"),
        _("At least one signature or the file itself failed validation."),
        "failed",
    ),
    "INDETERMINATE": (
        _("Could not be confirmed"),
        _("The signatures could not be confirmed as valid or invalid with the information available."),
        "indeterminate",
    ),
}
SUB_INDICATIONS = {
    "FORMAT_FAILURE": _(
        "The file or signature is not correctly formed, or was changed in a way that is not allowed."
    ),
    "HASH_FAILURE": _("The signed content was changed after signing."),
    "SIG_CRYPTO_FAILURE": _("The signature value does not match the signer's key."),
    "REVOKED": _("The signer's certificate was revoked."),
    "REVOKED_NO_POE": _(
        "The signer's certificate was revoked, and nothing proves the signature came before that."
    ),
    "SIGNED_DATA_NOT_FOUND": _("A signed file is missing from the container."),
    "NO_SIGNING_CERTIFICATE_FOUND": _("The signer's certificate is missing."),
    "NO_CERTIFICATE_CHAIN_FOUND": _("The signer's certificate does not lead to a trusted authority."),
    "OUT_OF_BOUNDS_NO_POE": _(
        "The signer's certificate had expired or was not yet valid at the time considered."
    ),
    "TRY_LATER": _("Revocation information for a certificate is not available yet."),
    "CRYPTO_CONSTRAINTS_FAILURE": _("The algorithms or key sizes used are no longer considered secure."),
    "CRYPTO_CONSTRAINTS_FAILURE_NO_POE": _(
        "The algorithms or key sizes used are no longer considered secure."
    ),
    "CERTIFICATE_CHAIN_GENERAL_FAILURE": _("The signer's certificate chain could not be validated."),
    "NOT_YET_VALID": _("The signer's certificate was not yet valid when the signature was made."),
    "NO_POE": _("Nothing proves the signature existed at the time it needed to."),
}
LEVELS = {
    "B": _("basic"),
    "T": _("with a trusted time"),
    "LT": _("with long-term validation data"),
    "LTA": _("with long-term validation data and an archive time-stamp"),
}
QUALIFICATIONS = {
    "QES": _("Qualified electronic signature or seal"),
    "AdES-QC": _("Advanced, based on a qualified certificate"),
    "AdES": _("Advanced electronic signature or seal"),
}


def _signature_rows(report: dict) -> list[dict]:
    rows = []
    for signature in report.get("signatures", []):
        indication = INDICATIONS.get(signature.get("indication"), INDICATIONS["INDETERMINATE"])
        signing_time = signature.get("signing_time")
        rows.append(
            {
                **signature,
                "status_label": indication[0],
                "status_class": indication[2],
                "sub_indication_text": SUB_INDICATIONS.get(signature.get("sub_indication") or "", ""),
                "level_text": LEVELS.get(signature.get("level") or "", ""),
                "qualification_text": QUALIFICATIONS.get(signature.get("qualification") or "", ""),
                "signing_time_value": datetime.fromisoformat(signing_time) if signing_time else None,
            }
        )
    return rows


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    stored = viewable_report(request.user, report_id)
    if stored is None:
        raise Http404
    label, explanation, css = INDICATIONS.get(stored.indication, INDICATIONS["INDETERMINATE"])
    return render(
        request,
        "signing/validation_report.html",
        {
            "stored": stored,
            "report": stored.report,
            "status_label": label,
            "status_explanation": explanation,
            "status_class": css,
            "signatures": _signature_rows(stored.report),
        },
    )


@login_required
@require_GET
def report_json(request: HttpRequest, report_id: int) -> HttpResponse:
    stored = viewable_report(request.user, report_id)
    if stored is None:
        raise Http404
    body = {
        **stored.report,
        "filename": stored.filename,
        "sha256": stored.sha256,
        "validated_at": stored.validated_at.isoformat(),
        "validation_time": stored.validation_time.isoformat() if stored.validation_time else None,
    }
    return file_response(
        json.dumps(body, ensure_ascii=False, indent=2),
        f"validation-report-{stored.pk}.json",
        "application/json; charset=utf-8",
    )
