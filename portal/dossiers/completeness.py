"""Whether a dossier is complete, judged on the server from the applications' procedure snapshots.

"Complete" means :func:`missing_answers` is empty: every field that is required and whose condition
holds against ``Dossier.answers`` has a non-empty answer (None, "" and [] are empty), and every required,
applicable evidence request of an application has at least one usable document attached (scan status
clean, or not scanned because no virus scanner is configured; see :func:`portal.dossiers.vault.satisfied_concepts`).
A concept on the common step is required if any application requires it. The review page lists what is
missing per step, and moving a dossier to ``ready_for_signature`` checks this again."""

from __future__ import annotations

from portal.dossiers.forms import Step, build_steps, condition_holds, is_empty
from portal.dossiers.models import Application, Dossier
from portal.dossiers.vault import satisfied_concepts


def satisfied_evidence(application: Application | None) -> set[str]:
    """Evidence requests with a clean (or, unscanned by configuration, usable) document attached."""
    return satisfied_concepts(application) if application is not None else set()


def missing_answers(dossier: Dossier) -> list[tuple[Step, dict]]:
    """Every required, applicable question without an answer, and every required document, by step."""
    answers = dossier.answers
    missing = []
    for step in build_steps(dossier):
        for item in step.fields:
            if (
                item["required"]
                and condition_holds(item.get("condition"), answers)
                and is_empty(answers.get(item["concept"]))
            ):
                missing.append((step, item))
        attached = satisfied_evidence(step.application) if step.document_fields else set()
        for item in step.document_fields:
            if (
                item["required"]
                and condition_holds(item.get("condition"), answers)
                and item["concept"] not in attached
            ):
                missing.append((step, item))
    return missing
