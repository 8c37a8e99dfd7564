"""Whether a dossier is complete: every required, applicable question answered and every required
document attached (and usable), judged on the server from the applications' procedure snapshots."""

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
