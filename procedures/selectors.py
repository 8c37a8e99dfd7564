"""Reads of the catalogue, in the language of the request."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from wagtail.models import Locale

from procedures.models import SEARCH_QUERY_LENGTH, BusinessActivity, ProcedurePage, normalise_search_text

MAX_QUERY_LENGTH = SEARCH_QUERY_LENGTH
ACTIVITY_RESULTS_LIMIT = 15
_NACE_PREFIX = re.compile(r"^\d{2}(?:\.\d{0,2})?$")


def active_locale() -> Locale:
    try:
        return Locale.get_active()
    except Locale.DoesNotExist:
        return Locale.get_default()


def search_activities(
    query: str, locale: Locale | None = None, limit: int = ACTIVITY_RESULTS_LIMIT
) -> list[BusinessActivity]:
    """Activities whose name or a synonym contains every word of the query (accents and case
    ignored), in one language; names that start with the query come first. A NACE code prefix
    ('96.0') finds by code."""
    locale = locale or active_locale()
    query = query.strip()[:MAX_QUERY_LENGTH]
    activities = BusinessActivity.objects.filter(locale=locale)
    if _NACE_PREFIX.match(query):
        return list(activities.filter(nace_code__startswith=query).order_by("nace_code")[:limit])
    words = normalise_search_text(query).split()
    if not words:
        return []
    for word in words:
        activities = activities.filter(search_text__contains=word)
    needle = " ".join(words)
    found = list(activities.order_by("name")[: limit * 4])
    found.sort(
        key=lambda activity: (not normalise_search_text(activity.name).startswith(needle), activity.name)
    )
    return found[:limit]


def activity_by_code(code: str, locale: Locale | None = None) -> BusinessActivity | None:
    """The activity in the given language, or in any language when it has no translation yet."""
    locale = locale or active_locale()
    activities = BusinessActivity.objects.filter(nace_code=code)
    return activities.filter(locale=locale).first() or activities.first()


def live_procedures(locale: Locale | None = None) -> QuerySet[ProcedurePage]:
    locale = locale or active_locale()
    return (
        ProcedurePage.objects.live()
        .filter(locale=locale)
        .select_related("competent_authority", "content_owner")
        .order_by("sequence", "title")
    )
