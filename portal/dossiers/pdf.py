"""The application PDF: what one competent authority receives for one application of a dossier.

First version: a plain WeasyPrint rendering of the application's answers. The public surface is
:func:`render_application_pdf`; PDF/A-3b, embedded machine-readable answers and render-once caching
build on it without changing its signature.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone, translation

from portal.dossiers.forms import DOCUMENT_FIELD_TYPES, condition_holds
from portal.dossiers.models import Application
from portal.dossiers.presentation import display_answer


def application_rows(application: Application) -> list[dict]:
    """Every question the application asks that applies, with the applicant's answer."""
    answers = application.dossier.answers
    return [
        {"label": item["label"], "answer": display_answer(item, answers.get(item["concept"]))}
        for item in application.procedure_snapshot.get("fields", [])
        if item["type"] not in DOCUMENT_FIELD_TYPES and condition_holds(item.get("condition"), answers)
    ]


def render_application_pdf(application: Application) -> bytes:
    """The application as a PDF, in the dossier's language."""
    from weasyprint import HTML

    snapshot = application.procedure_snapshot
    with translation.override(application.dossier.language):
        html = render_to_string(
            "dossiers/pdf/application.html",
            {
                "application": application,
                "dossier": application.dossier,
                "procedure": snapshot,
                "authority": snapshot.get("authority", {}),
                "rows": application_rows(application),
                "rendered_at": timezone.now(),
            },
        )
    return HTML(string=html).write_pdf()
