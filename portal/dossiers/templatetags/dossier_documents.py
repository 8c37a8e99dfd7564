"""Template tags of the documents slice, so the step page shows documents without its view knowing."""

from __future__ import annotations

from django import template

from portal.dossiers.views.documents import step_documents as sections

register = template.Library()


@register.simple_tag(takes_context=True)
def step_documents(context) -> list[dict]:
    return sections(context["dossier"], context["step"], context["request"].user)
