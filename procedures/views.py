"""The finder's pages: thin views over procedures.finder and procedures.selectors."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from procedures.cpsv import export_catalogue
from procedures.finder import FinderForm, build_checklist
from procedures.selectors import MAX_QUERY_LENGTH, active_locale, activity_by_code, search_activities


def _questionnaire(request: HttpRequest, form: FinderForm, *, status: int = 200) -> HttpResponse:
    """The questions; the activity list holds the matches of the search words and the chosen one."""
    context = {"form": form, **_activity_list(request)}
    return render(request, "procedures/finder/questionnaire.html", context, status=status)


def _activity_list(request: HttpRequest) -> dict:
    query = (request.GET.get("q") or "").strip()
    chosen_code = (request.GET.get("activity") or "").strip()[:5]
    activities = search_activities(query) if query else []
    chosen = activity_by_code(chosen_code) if chosen_code else None
    if chosen is not None and all(activity.nace_code != chosen.nace_code for activity in activities):
        activities.insert(0, chosen)
    return {
        "query": query,
        "query_too_long": len(query) > MAX_QUERY_LENGTH,
        "activities": activities,
        "chosen_activity": chosen_code,
    }


@require_GET
def finder(request: HttpRequest) -> HttpResponse:
    # a search step is not a submission: the answers so far are shown, not judged
    form = FinderForm(initial=request.GET.dict(), locale=active_locale())
    return _questionnaire(request, form)


@require_GET
def checklist(request: HttpRequest) -> HttpResponse:
    form = FinderForm(request.GET, locale=active_locale())
    if not form.is_valid():
        return _questionnaire(request, form, status=400)
    result = build_checklist(form.answers(), form.activity_object, active_locale())
    try:
        start_url = reverse("dossiers:start")
    except NoReverseMatch:
        start_url = None
    return render(
        request,
        "procedures/finder/checklist.html",
        {"form": form, "checklist": result, "start_url": start_url, "answers_query": request.GET.urlencode()},
    )


@require_GET
def activity_suggestions(request: HttpRequest) -> HttpResponse:
    """The type-ahead fragment htmx swaps in; the same list the page shows without JavaScript."""
    return render(request, "procedures/finder/_activity_results.html", _activity_list(request))


JSON_LD = "application/ld+json"


@require_GET
def cpsv_catalogue(request: HttpRequest) -> HttpResponse:
    """The CPSV-AP 3.2 JSON-LD of the whole live catalogue; `?lang=xx` for one language."""
    language = request.GET.get("lang") or None
    if language is not None and language not in dict(settings.LANGUAGES):
        return JsonResponse({"error": f"Unknown language {language!r}."}, status=400)
    return JsonResponse(
        export_catalogue(language), content_type=JSON_LD, json_dumps_params={"ensure_ascii": False}
    )


def procedure_json_ld(page) -> HttpResponse:
    """One procedure's CPSV-AP JSON-LD in its page's language (content negotiation on the page)."""
    document = export_catalogue(page.locale.language_code, translation_keys=[page.translation_key])
    return JsonResponse(document, content_type=JSON_LD, json_dumps_params={"ensure_ascii": False})


@require_GET
def cpsv_procedure(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    document = export_catalogue(request.GET.get("lang") or None, translation_keys=[key])
    if not any("cpsv:PublicService" in node["@type"] for node in document["@graph"]):
        raise Http404("No such procedure.")
    return JsonResponse(document, content_type=JSON_LD, json_dumps_params={"ensure_ascii": False})
