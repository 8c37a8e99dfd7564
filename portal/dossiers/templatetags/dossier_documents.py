"""Template tags of the documents slice, so the step page shows documents without its view knowing."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def step_documents(context) -> list[dict]:
    from portal.dossiers.document_views import step_documents as sections

    return sections(context["dossier"], context["step"], context["request"].user)
