"""Application PDF rendering (issue 5 target: p50 <= 700 ms for 3 pages, a table and 20 answers).

Ours: ``render_application_pdf`` (inputs, template, tagged PDF/A-3b, answers.json and application.xml
embedded as associated files). Baseline, same run, same HTML: plain WeasyPrint ``HTML(string).write_pdf()``
(no PDF/A, no tags, no attachments). A third line, PDF/A-3b + attachments without tags, shows what tagging
costs. The sides alternate round by round so machine load hits all of them alike.

On a throw-away SQLite database: one dossier in French for a procedure whose authority takes English and
German, so the PDF is bilingual (labels in both languages), with 20 answers of every kind.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ["STORAGE_ROOT"] = tempfile.mkdtemp(prefix="psc-bench-")
os.environ.pop("DATABASE_URL", None)

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

ROUNDS = 20
WARM_UP = 2
LONG_ANSWER = (
    "We develop and maintain custom business software for small and medium-sized companies, mostly web "
    "applications, data integrations and the hosting and support of what we build, from our premises. "
)


def synthetic_application():
    """20 questions of every type, with English, German and French wording, answered."""
    from portal.dossiers.models import Application, Dossier

    types = [
        "text",
        "long_text",
        "date",
        "email",
        "phone",
        "country",
        "number",
        "yes_no",
        "single_choice",
        "address",
    ]
    fields, answers, translations = (
        [],
        {},
        {code: {"labels": {}, "choices": {}} for code in ("en", "de", "fr")},
    )
    for index in range(20):
        kind = types[index % len(types)]
        concept = f"bench.question_{index:02d}"
        field = {"type": kind, "concept": concept, "label": f"Question {index} (fr)", "help_text": "",
                 "required": True, "condition": None}  # fmt: skip
        value = {
            "text": f"Answer number {index}",
            "long_text": LONG_ANSWER,
            "date": "2026-01-15",
            "email": "ana@example.eu",
            "phone": "+351912345678",
            "country": "PT",
            "number": "25000",
            "yes_no": "yes",
            "single_choice": "master",
            "address": "Rua das Flores 12\n4050-262 Porto\nPortugal",
        }[kind]
        if kind == "single_choice":
            field["choices"] = [
                {"value": "journeyman", "label": "Compagnon"},
                {"value": "master", "label": "Maître artisan"},
            ]
            translations["en"]["choices"][concept] = {
                "journeyman": "Journeyman",
                "master": "Master craftsperson",
            }
            translations["de"]["choices"][concept] = {"journeyman": "Geselle", "master": "Meister"}
            translations["fr"]["choices"][concept] = {"journeyman": "Compagnon", "master": "Maître artisan"}
        for code, words in (("en", "Question"), ("de", "Frage"), ("fr", "Question (fr)")):
            translations[code]["labels"][concept] = f"{words} {index}: " + "what we need to know"
        fields.append(field)
        answers[concept] = value
    for code, title in (("en", "Entry in the commercial register"), ("de", "Eintragung in das Handelsregister"),
                        ("fr", "Immatriculation au registre du commerce")):  # fmt: skip
        translations[code].update(
            title=title, authority_name=f"Commercial Register Court ({code})", evidence_types={}
        )
    snapshot = {
        "version": 2, "page_id": 13, "translation_key": "2be35a62-458d-45e1-941e-cbdf32e5aafa", "revision_id": 12,
        "language": "fr", "title": translations["fr"]["title"], "accepted_languages": ["en", "de"],
        "minimum_loa": "high",
        "authority": {"id": 3, "identifier": "commercial-court", "name": "Tribunal du registre du commerce",
                      "languages": ["en", "de"], "delivery_channel": {"transport": "as4"}},
        "fields": fields, "evidence": [], "translations": translations,
    }  # fmt: skip
    user = get_user_model().objects.create_user(email="bench@example.eu")
    dossier = Dossier.objects.create(owner=user, language="fr", answers=answers)
    return Application.objects.create(dossier=dossier, procedure_id=13, procedure_snapshot=snapshot)


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    from weasyprint import HTML

    from portal.dossiers.pdf import application_html_and_attachments, render_application_pdf

    call_command("migrate", verbosity=0)
    application = synthetic_application()
    moment = timezone.now()
    html, _ = application_html_and_attachments(application, rendered_at=moment)
    ours_pdf = render_application_pdf(application, rendered_at=moment)
    pages = len(HTML(string=html).render().pages)

    def ours():
        return render_application_pdf(application, rendered_at=moment)

    def untagged():
        html, attachments = application_html_and_attachments(application, rendered_at=moment)
        return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b", attachments=attachments)

    def plain():
        return HTML(string=html).write_pdf()

    sides = {"ours (PDF/A-3b, tagged, 2 attachments)": ours, "PDF/A-3b + attachments, untagged": untagged,
             "baseline: plain WeasyPrint, same HTML": plain}  # fmt: skip
    samples: dict[str, list[float]] = {name: [] for name in sides}
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    for round_number in range(WARM_UP + ROUNDS):
        for name, render in sides.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            output = render()
            elapsed, elapsed_cpu = time.perf_counter() - start, time.process_time() - start_cpu
            if round_number >= WARM_UP:
                samples[name].append(elapsed * 1000)
                cpu[name].append(elapsed_cpu * 1000)
        assert output.startswith(b"%PDF")
    assert ours() == ours_pdf, "identical inputs must give identical bytes"

    print(
        f"application PDF: {pages} pages, 20 answers, bilingual; {ROUNDS} runs each after {WARM_UP} warm-up"
    )
    baseline = statistics.median(samples["baseline: plain WeasyPrint, same HTML"])
    for name, values in samples.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        cpu50 = statistics.median(cpu[name])
        print(
            f"  {name:42s} wall p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p50/baseline {p50 / baseline:4.2f}x"
            f"  (CPU p50 {cpu50:6.1f} ms)"
        )
    ours_name = "ours (PDF/A-3b, tagged, 2 attachments)"
    for kind, figures in (("wall", samples), ("CPU", cpu)):
        verdict = "met" if statistics.median(figures[ours_name]) <= 700 else "NOT met"
        print(f"target p50 <= 700 ms ({kind} time): {verdict}")
    print(f"size {len(ours_pdf)} bytes")


if __name__ == "__main__":
    main()
