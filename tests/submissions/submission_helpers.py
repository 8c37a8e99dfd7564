"""Signed dossiers for the submission tests, made as the signing flow leaves them: application PDFs
rendered, signed (PAdES B-LTA) by the running test QTSP, SigningRequest rows, dossier ``signed``."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import storages

from portal.dossiers import services
from portal.dossiers.completeness import missing_answers
from portal.dossiers.pdf import render_application_pdf
from portal.dossiers.states import DossierState
from portal.signing.models import SigningRequest
from portal.signing.signers import sign_pdf


def _answer(item: dict):
    kind = item["type"]
    if kind == "single_choice":
        return item["choices"][0]["value"]
    if kind == "multiple_choice":
        return [item["choices"][0]["value"]]
    return {
        "yes_no": "yes",
        "country": "PT",
        "date": "1990-04-02",
        "number": 2,
        "email": "ana@example.eu",
        "phone": "+351912345678",
        "business_activity": "62.01",
    }.get(kind, "Rua das Flores 12, Porto")


def complete_dossier(user, procedures, slugs):
    dossier = services.start_dossier(
        owner=user, procedure_ids=[procedures[slug].pk for slug in slugs], language="en"
    )
    answers = {}
    for application in dossier.applications.all():
        snapshot = application.procedure_snapshot
        # uploading documents is another block's work (not built yet): no document is required here
        for item in snapshot["fields"]:
            if item["type"] == "evidence_request":
                item["required"] = False
            else:
                answers[item["concept"]] = _answer(item)
        application.save(update_fields=["procedure_snapshot"])
    services.save_answers(dossier, answers, actor=user)
    assert missing_answers(dossier) == []
    services.mark_ready_for_signature(dossier, actor=user)
    return dossier


def sign_dossier(dossier, user):
    storage = storages["private"]
    for application in dossier.applications.all():
        pdf = render_application_pdf(application)
        signed = sign_pdf(pdf)
        source = storage.save(f"signing/test/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
        signed_name = storage.save(f"signing/test/{uuid.uuid4().hex}-signed.pdf", ContentFile(signed))
        application.signing_request = SigningRequest.objects.create(
            key=f"dossier/{application.public_id}",
            signer="test-qtsp",
            filename="application.pdf",
            source_name=source,
            source_sha256=hashlib.sha256(pdf).hexdigest(),
            status=SigningRequest.Status.SIGNED,
            signed_name=signed_name,
            signed_sha256=hashlib.sha256(signed).hexdigest(),
        )
        application.save(update_fields=["signing_request"])
    services.transition(dossier, DossierState.SIGNED, actor=user, reason="Signed (test).")
    return dossier


def signed_dossier(user, procedures, slugs):
    return sign_dossier(complete_dossier(user, procedures, slugs), user)


def fast_channel_retries(pmodes_file: Path, **retry) -> None:
    document = json.loads(pmodes_file.read_text())
    document.setdefault("channels", {})["retry"] = retry
    pmodes_file.write_text(json.dumps(document))
    stamp = pmodes_file.stat().st_mtime_ns + 1_000_000
    os.utime(pmodes_file, ns=(stamp, stamp))
