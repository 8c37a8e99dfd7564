"""The application PDF, read back: PDF/A-3b, tags, the embedded answers and metadata, its languages, the
render-once record, determinism, and a PAdES signature over it.

Our reading is pyHanko's; poppler's pdfinfo / pdfdetach / pdftotext judge independently."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from io import BytesIO

import pytest
from django.core.files.storage import storages
from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader

from portal.dossiers import pdf as application_pdfs
from portal.dossiers import services
from portal.dossiers.models import Application
from portal.dossiers.states import DossierState

ANSWERS = {
    "applicant.full_name": "Ana Silva",
    "applicant.birth_date": "1990-04-02",
    "applicant.email": "ana@example.eu",
    "applicant.phone": "+351912345678",
    "applicant.address": "Rua das Flores 12\n4050-262 Porto",
    "business.establishment_country": "PT",
    "business.activity": "Computer programming (62.01)",
    "company.name": "Silva Software Lda",
    "company.share_capital": "25000",
}


def start(user, procedures, slug, language, answers=ANSWERS):
    dossier = services.start_dossier(owner=user, procedure_ids=[procedures[slug].pk], language=language)
    asked = {item["concept"] for item in dossier.applications.get().procedure_snapshot["fields"]}
    services.save_answers(dossier, {k: v for k, v in answers.items() if k in asked}, actor=user)
    dossier.refresh_from_db()
    return dossier.applications.select_related("dossier").get()


@pytest.fixture
def court_application(user, procedures):
    """A French applicant's commercial register entry: the court takes English or German only."""
    return start(user, procedures, "commercial-register-entry", "fr")


def text_of(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "read.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def embedded_files(reader: PdfFileReader) -> dict[str, dict]:
    names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    files = {}
    for index in range(0, len(names), 2):
        spec = names[index + 1].get_object()
        files[str(names[index])] = {
            "spec": spec,
            "data": spec["/EF"]["/F"].get_object().data,
            "subtype": str(spec["/EF"]["/F"].get_object()["/Subtype"]),
        }
    return files


def test_the_pdf_is_pdf_a_3b_tagged_with_the_answers_and_metadata_embedded(court_application):
    pdf = application_pdfs.render_application_pdf(court_application)
    reader = PdfFileReader(BytesIO(pdf))
    root = reader.root

    [intent] = root["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1" and "/DestOutputProfile" in intent.get_object()
    xmp = root["/Metadata"].get_object().data
    description = etree.fromstring(xmp[xmp.index(b"<rdf:RDF") : xmp.index(b"</rdf:RDF>") + 10])
    pdfaid = "{http://www.aiim.org/pdfa/ns/id/}"
    parts = {d.get(pdfaid + "part") for d in description}
    assert "3" in parts and "B" in {d.get(pdfaid + "conformance") for d in description}

    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == "en"  # the court's language, not the applicant's

    files = embedded_files(reader)
    assert set(files) == {"answers.json", "application.xml"}
    associated = {
        str(spec.get_object()["/UF"]): str(spec.get_object()["/AFRelationship"]) for spec in root["/AF"]
    }
    assert associated == {"answers.json": "/Data", "application.xml": "/Source"}
    assert (
        files["answers.json"]["subtype"] == "/application#2Fjson"
        or "json" in files["answers.json"]["subtype"]
    )

    answers = json.loads(files["answers.json"]["data"])
    assert answers["answers"] == ANSWERS  # every applicable answer of this application, as stored
    assert answers["dossier"] == str(court_application.dossier.public_id)
    assert answers["application"] == str(court_application.public_id)
    snapshot = court_application.procedure_snapshot
    assert answers["procedure"] == {
        "page_id": snapshot["page_id"],
        "translation_key": snapshot["translation_key"],
        "revision_id": snapshot["revision_id"],
    }
    labels = {q["concept"]: q["labels"] for q in answers["questions"]}
    assert (
        labels["company.name"]["fr"] == "Dénomination sociale"
        and labels["company.name"]["en"] == "Company name"
    )

    metadata = etree.fromstring(files["application.xml"]["data"])
    schema = etree.XMLSchema(etree.parse(str(application_pdfs.METADATA_SCHEMA)))
    assert schema.validate(metadata), schema.error_log
    ns = {"m": application_pdfs.METADATA_NS}
    assert metadata.find("m:Dossier", ns).get("id") == str(court_application.dossier.public_id)
    assert metadata.find("m:Application", ns).get("id") == str(court_application.public_id)
    procedure = metadata.find("m:Procedure", ns)
    assert procedure.get("pageId") == str(snapshot["page_id"])
    assert procedure.get("translationKey") == snapshot["translation_key"]
    assert procedure.get("revisionId") == str(snapshot["revision_id"])
    assert metadata.findtext("m:Applicant/m:Email", namespaces=ns) == "ana@example.eu"
    assert metadata.findtext("m:Applicant/m:Name", namespaces=ns) == "Ana Silva"
    assert metadata.find("m:Document", ns).get("language") == "en"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", metadata.findtext("m:Timestamps/m:Rendered", namespaces=ns)
    )
    assert metadata.findtext("m:InputsDigest", namespaces=ns) == application_pdfs.inputs_sha256(
        application_pdfs.pdf_inputs(court_application)
    )


def test_poppler_agrees_tagged_with_two_embedded_files(court_application, tmp_path):
    path = tmp_path / "application.pdf"
    path.write_bytes(application_pdfs.render_application_pdf(court_application))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^PDF version:\s+1\.7$", info, re.M)
    assert int(re.search(r"^Pages:\s+(\d+)$", info, re.M).group(1)) >= 2  # cover page + answers
    listing = subprocess.run(
        ["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "2 embedded files" in listing and "answers.json" in listing and "application.xml" in listing
    subprocess.run(["pdfdetach", "-save", "1", "-o", str(tmp_path / "out.json"), str(path)], check=True)
    assert json.loads((tmp_path / "out.json").read_text())["answers"] == ANSWERS


def test_the_court_reads_english_with_the_french_applicants_words_alongside(court_application, tmp_path):
    text = text_of(application_pdfs.render_application_pdf(court_application), tmp_path)
    assert "Entry in the commercial register" in text  # the title in the court's language
    assert "Immatriculation au registre du commerce" in text  # and in the applicant's
    assert "Company name" in text and "Dénomination sociale" in text
    assert "Applicant" in text and "Demandeur" in text
    assert "Silva Software Lda" in text
    assert "Portugal" in text  # a country answer in each language
    assert str(court_application.public_id) in text and str(court_application.dossier.public_id) in text
    assert re.search(r"Page 1 of \d", text)
    assert "Articles of association" in text  # a requested document, listed


def test_an_authority_that_takes_the_applicants_language_gets_it_alone(user, procedures, tmp_path):
    application = start(user, procedures, "business-registration", "fr")
    assert application_pdfs.pdf_languages(application.procedure_snapshot, "fr") == ("fr", None)
    text = text_of(application_pdfs.render_application_pdf(application), tmp_path)
    assert "Nom complet" in text and "Full name" not in text
    assert re.search(r"Page 1 sur \d", text)


def test_a_version_1_snapshot_still_renders_with_its_frozen_labels(court_application, tmp_path):
    snapshot = dict(court_application.procedure_snapshot)
    snapshot.pop("translations")
    snapshot["version"] = 1
    Application.objects.filter(pk=court_application.pk).update(procedure_snapshot=snapshot)
    court_application.refresh_from_db()
    text = text_of(application_pdfs.render_application_pdf(court_application), tmp_path)
    assert "Dénomination sociale" in text  # the labels frozen in the dossier's language
    assert "Applicant" in text  # the PDF's own wording still in the court's language


def test_script_in_an_answer_is_text_in_the_pdf(user, procedures, tmp_path):
    application = start(
        user,
        procedures,
        "commercial-register-entry",
        "en",
        {**ANSWERS, "company.name": "<script>alert(1)</script>"},
    )
    text = text_of(application_pdfs.render_application_pdf(application), tmp_path)
    assert "<script>alert(1)</script>" in text


def test_identical_inputs_give_identical_bytes(court_application):
    moment = court_application.dossier.created_at
    first = application_pdfs.render_application_pdf(court_application, rendered_at=moment)
    second = application_pdfs.render_application_pdf(court_application, rendered_at=moment)
    assert first == second


def test_rendered_once_stored_with_its_hashes_and_rerendered_only_when_answers_change(
    court_application, user, monkeypatch, django_capture_on_commit_callbacks
):
    renders = []
    real = application_pdfs.render_application_pdf
    monkeypatch.setattr(
        application_pdfs, "render_application_pdf", lambda *a, **k: renders.append(1) or real(*a, **k)
    )
    pdf = application_pdfs.application_pdf(court_application)
    stored = Application.objects.get(pk=court_application.pk)
    assert stored.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert stored.pdf_inputs_sha256 == application_pdfs.inputs_sha256(application_pdfs.pdf_inputs(stored))
    with storages["private"].open(stored.pdf_name, "rb") as kept:
        assert kept.read() == pdf

    assert application_pdfs.application_pdf(Application.objects.get(pk=court_application.pk)) == pdf
    assert len(renders) == 1
    # the pure renderer reproduces the stored bytes from the stored render time
    assert real(Application.objects.get(pk=court_application.pk)) == pdf

    services.save_answers(court_application.dossier, {"company.name": "Silva & Filhos Lda"}, actor=user)
    changed = Application.objects.select_related("dossier").get(pk=court_application.pk)
    with django_capture_on_commit_callbacks(execute=True):  # the superseded file goes once committed
        new_pdf = application_pdfs.application_pdf(changed)
    assert len(renders) == 2 and new_pdf != pdf
    changed.refresh_from_db()
    assert changed.pdf_sha256 == hashlib.sha256(new_pdf).hexdigest() != stored.pdf_sha256
    assert changed.pdf_name != stored.pdf_name and not storages["private"].exists(stored.pdf_name)


def test_a_new_template_version_rerenders_a_draft_but_never_a_signed_dossier(court_application, monkeypatch):
    first = application_pdfs.application_pdf(court_application)
    monkeypatch.setattr(application_pdfs, "TEMPLATE_VERSION", "a later one")
    draft = Application.objects.select_related("dossier").get(pk=court_application.pk)
    second = application_pdfs.application_pdf(draft)
    assert second != first  # the draft follows the new template

    dossier = draft.dossier
    services.transition(dossier, DossierState.READY_FOR_SIGNATURE, reason="complete", system_actor="test")
    services.transition(dossier, DossierState.SIGNED, reason="signed", system_actor="test")
    monkeypatch.setattr(application_pdfs, "TEMPLATE_VERSION", "yet another")
    signed = Application.objects.select_related("dossier").get(pk=court_application.pk)
    assert application_pdfs.application_pdf(signed) == second  # what was signed stays what is sent


def test_the_snapshot_keeps_the_wording_of_each_language_the_authority_accepts(court_application):
    snapshot = court_application.procedure_snapshot
    assert snapshot["version"] == 3
    translations = snapshot["translations"]
    assert set(translations) == {"en", "de", "fr"}  # the court's languages and the applicant's
    assert translations["de"]["labels"]["company.name"] == "Firma"
    assert translations["en"]["authority_name"] == "Commercial Register Court"
    assert translations["en"]["evidence_types"]["articles-of-association"] == "Articles of association"


def test_the_represented_legal_person_is_named(court_application, user, tmp_path):
    from portal.accounts.models import EntrepreneurProfile, LegalPersonRepresentation

    EntrepreneurProfile.objects.create(user=user, given_names="Ana Maria", family_name="Silva")
    company = LegalPersonRepresentation.objects.create(
        user=user,
        name="Silva Software Lda",
        registration_number="514000000",
        register="Registo Comercial de Lisboa",
        country="PT",
        capacity="director",
    )
    dossier = court_application.dossier
    dossier.on_behalf_of = services.legal_person_snapshot(user, company.pk)
    dossier.save()
    pdf = application_pdfs.render_application_pdf(court_application)
    text = text_of(pdf, tmp_path)
    assert "Ana Maria Silva" in text and "On behalf of" in text and "Au nom de" in text
    assert "PT 514000000" in text and "Director or managing partner" in text
    metadata = etree.fromstring(embedded_files(PdfFileReader(BytesIO(pdf)))["application.xml"]["data"])
    schema = etree.XMLSchema(etree.parse(str(application_pdfs.METADATA_SCHEMA)))
    assert schema.validate(metadata), schema.error_log
    person = metadata.find(
        f"{{{application_pdfs.METADATA_NS}}}Applicant/{{{application_pdfs.METADATA_NS}}}RepresentedLegalPerson"
    )
    assert person.text == "Silva Software Lda" and person.get("registrationNumber") == "514000000"


def test_the_stored_pdf_signs_as_pades_and_keeps_its_embedded_files(court_application, qtsp_signer):
    from portal.demo.qtsp import pki as test_pki
    from portal.signing.report import Indication, Level
    from portal.signing.signers import sign_pdf
    from portal.signing.trust import TrustContext
    from portal.signing.validation import validate

    pdf = application_pdfs.application_pdf(court_application)
    signed = sign_pdf(pdf)
    assert signed.startswith(pdf)  # an incremental update: the PDF/A original is intact inside
    report = validate(
        signed, "application.pdf", trust=TrustContext(anchors=[qtsp_signer.pki[test_pki.ROOT].asn1_cert])
    )
    assert report.indication is Indication.TOTAL_PASSED, report.to_json()
    assert report.signatures[0].level is Level.LTA
    files = embedded_files(PdfFileReader(BytesIO(signed)))
    assert json.loads(files["answers.json"]["data"])["answers"] == ANSWERS
