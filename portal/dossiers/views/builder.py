"""The entrepreneur's dossier pages: thin views over services, selectors and the step forms.

Every view reads the dossier through ``selectors.dossier_of(request.user, ...)``: another user's dossier
id is a 404, never a 403 that would confirm it exists."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.selectors import legal_persons_for, profile_for
from portal.core.downloads import file_response
from portal.dossiers import pdf, selectors, services, signature
from portal.dossiers.completeness import missing_answers
from portal.dossiers.forms import ReplyForm, StepForm, build_steps
from portal.dossiers.presentation import review_sections, shared_answers
from portal.dossiers.states import ApplicationState, DossierState


def _step_url(dossier, key: str) -> str:
    return reverse("dossiers:step", args=[dossier.public_id, key])


def _find_step(steps, key: str) -> tuple[int, object]:
    for index, candidate in enumerate(steps):
        if candidate.key == key:
            return index, candidate
    raise Http404("No such step in this dossier.")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "dossiers/dashboard.html", {"dossiers": selectors.dossiers_of(request.user)})


def _checklist_to_return_to(request: HttpRequest) -> str | None:
    """The finder checklist the start form was posted from (its hidden ``checklist`` field), if it is
    one of ours: after signing in the applicant comes back to it instead of answering the finder again."""
    checklist = request.POST.get("checklist", "")
    same_site = url_has_allowed_host_and_scheme(checklist, allowed_hosts={request.get_host()})
    if same_site and urlsplit(checklist).path == reverse("finder:checklist"):
        return checklist
    return None


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # a redirect cannot carry the POSTed procedures through signing in: come back to the checklist
        return redirect_to_login(_checklist_to_return_to(request) or request.get_full_path())
    if request.method == "GET":
        # e.g. back from signing in: the checklist's form data did not survive the redirect
        messages.info(
            request, _("Tell us about your business again, then start your application from the checklist.")
        )
        return redirect("finder:questionnaire")
    procedure_ids = request.POST.getlist("procedure")
    on_behalf_of = request.POST.get("on_behalf_of")
    represented = list(legal_persons_for(request.user))
    if represented and on_behalf_of is None:
        # someone who represents companies says first for whom they apply
        context = {"procedure_ids": procedure_ids, "legal_persons": represented}
        return render(request, "dossiers/start_on_behalf_of.html", context)
    try:
        dossier = services.start_dossier(
            owner=request.user,
            procedure_ids=procedure_ids,
            language=get_language(),
            on_behalf_of=on_behalf_of,
        )
    except services.DossierError as error:
        return render(request, "dossiers/start_error.html", {"error": str(error)}, status=400)
    first = build_steps(dossier)[0]
    return redirect(_step_url(dossier, first.key))


@login_required
def resume(request: HttpRequest, public_id) -> HttpResponse:
    dossier = selectors.dossier_of(request.user, public_id)
    missing = missing_answers(dossier) if dossier.state == DossierState.DRAFT else []
    typed = [step for step, item in missing if item["type"] != "evidence_request"]
    if typed:
        return redirect(_step_url(dossier, typed[0].key))
    return redirect("dossiers:review", public_id=dossier.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, public_id, step_key: str) -> HttpResponse:
    dossier = selectors.dossier_of(request.user, public_id)
    steps = build_steps(dossier)
    index, current = _find_step(steps, step_key)
    profile = profile_for(request.user)
    editable = dossier.state in services.EDITABLE_STATES
    if request.method == "POST" and editable:
        form = StepForm(request.POST, step=current, answers=dossier.answers, profile=profile)
        if form.is_valid():
            services.save_answers(dossier, form.answers, actor=request.user)
            if index + 1 < len(steps):
                return redirect(_step_url(dossier, steps[index + 1].key))
            return redirect("dossiers:review", public_id=dossier.public_id)
        services.save_answers(dossier, form.valid_answers(), actor=request.user)
        status = 400
    else:
        form = StepForm(step=current, answers=dossier.answers, profile=profile)
        status = 200
    context = {
        "dossier": dossier,
        "steps": steps,
        "step": current,
        "step_number": index + 1,
        "shared_answers": shared_answers(dossier, steps, current),
        "form": form,
        "editable": editable,
        "previous_url": _step_url(dossier, steps[index - 1].key) if index else None,
        "autosave_url": reverse("dossiers:autosave", args=[dossier.public_id, current.key]),
    }
    return render(request, "dossiers/step.html", context, status=status)


@login_required
@require_POST
def autosave(request: HttpRequest, public_id, step_key: str) -> HttpResponse:
    """htmx: keep every answer of the step that is valid so far; the page's "Save and continue" judges
    the whole step."""
    dossier = selectors.dossier_of(request.user, public_id)
    _index, current = _find_step(build_steps(dossier), step_key)
    form = StepForm(request.POST, step=current, answers=dossier.answers, profile=profile_for(request.user))
    try:
        services.save_answers(dossier, form.valid_answers(), actor=request.user)
    except services.DossierError as error:
        return render(request, "dossiers/_autosave_status.html", {"error": str(error)}, status=409)
    invalid = [form.fields[name].label for name in form.errors if name in form.fields]
    context = {"saved_at": time_format(timezone.localtime(), "H:i:s"), "invalid": invalid}
    return render(request, "dossiers/_autosave_status.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, public_id) -> HttpResponse:
    dossier = selectors.dossier_of(request.user, public_id)
    if request.method == "POST":
        try:
            services.mark_ready_for_signature(dossier, actor=request.user)
        except (services.DossierError, services.IllegalTransition) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your dossier is complete and ready for signature."))
        return redirect("dossiers:review", public_id=dossier.public_id)
    steps = build_steps(dossier)
    missing = missing_answers(dossier)
    sections = review_sections(dossier, steps)
    # one section per application step, in step order: each gets its application's PDF
    for section, application_step in zip(
        sections, [s for s in steps if s.application is not None], strict=False
    ):
        section["pdf_url"] = reverse(
            "dossiers:application_pdf", args=[dossier.public_id, application_step.application.public_id]
        )
    context = {
        "dossier": dossier,
        "steps": steps,
        "sections": sections,
        "missing": [
            {
                "step": step,
                "item": item,
                "url": _step_url(dossier, step.key)
                + (
                    f"#id_{item['concept'].replace('.', '__')}"
                    if item["type"] != "evidence_request"
                    else f"#documents-{item['concept'].replace('.', '__')}"
                ),
            }
            for step, item in missing
        ],
        "can_mark_ready": not missing and dossier.state == DossierState.DRAFT,
    }
    return render(request, "dossiers/review.html", context)


@login_required
@require_GET
def application_pdf(request: HttpRequest, public_id, application_id) -> HttpResponse:
    """The application's PDF exactly as it will be signed (rendered once per set of inputs), as an
    attachment, to the dossier's owner only (404 for anyone else). Offered by the review and the
    signing pages."""
    dossier = selectors.dossier_of(request.user, public_id)
    application = get_object_or_404(dossier.applications.select_related("dossier"), public_id=application_id)
    return file_response(
        pdf.application_pdf(application), signature.application_filename(application), "application/pdf"
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_status(request: HttpRequest, public_id, application_id) -> HttpResponse:
    """One application after submission: its status, the authority's requests and decision, and a
    reply form while the authority waits for information."""
    application = selectors.application_of(request.user, public_id, application_id)
    waiting = application.state == ApplicationState.MORE_INFORMATION_REQUESTED
    form = ReplyForm(request.POST if request.method == "POST" and waiting else None)
    status = 200
    if request.method == "POST":
        if not waiting:
            messages.error(
                request, _("The authority is not waiting for information from you on this application.")
            )
            return redirect("dossiers:application", public_id=public_id, application_id=application_id)
        if form.is_valid():
            try:
                services.reply_to_information_request(
                    application, form.cleaned_data["body"], actor=request.user
                )
            except (services.DossierError, services.IllegalTransition):
                messages.error(
                    request, _("The authority is not waiting for information from you on this application.")
                )
            else:
                messages.success(request, _("Your reply was sent to the authority."))
            return redirect("dossiers:application", public_id=public_id, application_id=application_id)
        status = 400
    context = {
        "dossier": application.dossier,
        "application": application,
        "procedure": application.procedure_snapshot,
        "correspondence": selectors.messages_of(application),
        "history": [
            {"at": change.at, "state": ApplicationState(change.to_state).label}
            for change in selectors.application_history(application)
        ],
        "form": form if waiting else None,
    }
    return render(request, "dossiers/application.html", context, status=status)
